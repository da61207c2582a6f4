// Latency samples of one run and what is computed from them: exact
// percentiles (every sample is kept; a run of minutes at tens of thousands
// of requests per second is a few tens of MB), errors by kind, and
// per-window series for the plot. Each load thread records into its own
// recorder (no sharing on the hot path); merge() joins them after the run.
#pragma once

#include "apps/covsigner-bench/transports.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace covsigner::bench {

/// What a request was, so one run can report its kinds apart (the outage
/// scenario measures dedupe hits among new submits).
enum class op_kind : std::uint8_t { new_submit, dedupe_submit, conflict_submit, poll };
inline constexpr std::size_t op_kind_count = 4;
std::string to_string(op_kind k);

struct sample {
  std::uint32_t sent_us;    // intended send time, µs since the measured phase began
  std::uint32_t latency_us; // completion minus intended send time
  op_kind op;
  error_kind error;
};

struct latency_summary {
  std::uint64_t count = 0; // every completed request, errors included
  std::uint64_t ok = 0;
  double throughput = 0;   // completed requests per second of the phase
  double ok_throughput = 0;
  // Percentiles of all completed requests' latency, in µs.
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
  std::array<std::uint64_t, error_kind_count> errors{}; // by error_kind (index 0 unused)
};

struct window_point {
  double t_s = 0;        // window start, seconds into the phase
  double throughput = 0; // completions per second in this window
  double p50_us = 0, p99_us = 0, max_us = 0;
  std::uint64_t errors = 0;
};

class latency_recorder {
public:
  void record(const sample& s) { samples_.push_back(s); }
  void reserve(std::size_t n) { samples_.reserve(n); }
  void merge(latency_recorder&& other);
  std::size_t size() const { return samples_.size(); }

  /// Moves the samples for which `pred` holds into the returned recorder.
  template <class Pred>
  latency_recorder extract_if(Pred pred) {
    latency_recorder out;
    std::vector<sample> keep;
    for (const auto& x : samples_)
      (pred(x) ? out.samples_ : keep).push_back(x);
    samples_ = std::move(keep);
    return out;
  }

  /// Over `phase_s` seconds; `only` restricts to one op kind when set.
  latency_summary summarize(double phase_s, const op_kind* only = nullptr) const;
  /// Windows of `window_s` over [0, phase_s), by completion time.
  std::vector<window_point> windows(double phase_s, double window_s) const;

private:
  std::vector<sample> samples_;
};

/// The value at quantile q (0..1) of sorted `v` (nearest rank).
double quantile(const std::vector<std::uint32_t>& sorted, double q);

} // namespace covsigner::bench
