#include "apps/covsigner-bench/latency_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace covsigner::bench {

std::string to_string(op_kind k) {
  switch (k) {
    case op_kind::new_submit:
      return "new-submit";
    case op_kind::dedupe_submit:
      return "dedupe-submit";
    case op_kind::conflict_submit:
      return "conflict-submit";
    case op_kind::poll:
      return "poll";
  }
  return "?";
}

double quantile(const std::vector<std::uint32_t>& sorted, double q) {
  if (sorted.empty())
    return 0;
  // Nearest rank: the smallest value with at least q of the samples at or
  // below it.
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

void latency_recorder::merge(latency_recorder&& other) {
  if (samples_.empty()) {
    samples_ = std::move(other.samples_);
    return;
  }
  samples_.insert(samples_.end(), other.samples_.begin(), other.samples_.end());
  other.samples_.clear();
}

latency_summary latency_recorder::summarize(double phase_s, const op_kind* only) const {
  latency_summary s;
  std::vector<std::uint32_t> lat;
  lat.reserve(samples_.size());
  double sum = 0;
  for (const auto& x : samples_) {
    if (only && x.op != *only)
      continue;
    lat.push_back(x.latency_us);
    sum += x.latency_us;
    ++s.errors[static_cast<std::size_t>(x.error)];
    if (x.error == error_kind::none)
      ++s.ok;
  }
  s.errors[0] = 0;
  s.count = lat.size();
  if (lat.empty())
    return s;
  std::sort(lat.begin(), lat.end());
  s.p50 = quantile(lat, 0.50);
  s.p90 = quantile(lat, 0.90);
  s.p99 = quantile(lat, 0.99);
  s.p999 = quantile(lat, 0.999);
  s.max = lat.back();
  s.mean = sum / static_cast<double>(lat.size());
  if (phase_s > 0) {
    s.throughput = static_cast<double>(s.count) / phase_s;
    s.ok_throughput = static_cast<double>(s.ok) / phase_s;
  }
  return s;
}

std::vector<window_point> latency_recorder::windows(double phase_s, double window_s) const {
  std::vector<window_point> out;
  if (window_s <= 0 || phase_s <= 0)
    return out;
  auto n = static_cast<std::size_t>(std::ceil(phase_s / window_s));
  std::vector<std::vector<std::uint32_t>> lat(n);
  std::vector<std::uint64_t> errors(n, 0);
  for (const auto& x : samples_) {
    double done_s = (static_cast<double>(x.sent_us) + x.latency_us) / 1e6;
    auto i = static_cast<std::size_t>(done_s / window_s);
    if (i >= n)
      i = n - 1; // completions just after the end belong to the last window
    lat[i].push_back(x.latency_us);
    if (x.error != error_kind::none)
      ++errors[i];
  }
  for (std::size_t i = 0; i < n; ++i) {
    window_point w;
    w.t_s = static_cast<double>(i) * window_s;
    double span = std::min(window_s, phase_s - w.t_s);
    w.throughput = span > 0 ? static_cast<double>(lat[i].size()) / span : 0;
    w.errors = errors[i];
    if (!lat[i].empty()) {
      std::sort(lat[i].begin(), lat[i].end());
      w.p50_us = quantile(lat[i], 0.5);
      w.p99_us = quantile(lat[i], 0.99);
      w.max_us = lat[i].back();
    }
    out.push_back(w);
  }
  return out;
}

} // namespace covsigner::bench
