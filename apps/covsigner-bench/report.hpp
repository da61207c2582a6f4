// One bench run's results (machine, baselines, scenarios, the target
// ratios) and the table printed at the end.
#pragma once

#include "apps/covsigner-bench/baselines.hpp"
#include "apps/covsigner-bench/scenarios.hpp"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace covsigner::bench {

struct bare_result {
  std::size_t concurrency = 0;
  std::size_t workers = 0;
  phase_result phase;
};

/// A target from issue 8, as measured in this run.
struct ratio {
  std::string name;
  std::string detail; // numerator / denominator, with units
  double value = 0;
  double target = 0;
  bool at_least = true; // value >= target (else value <= target)
  bool met() const { return at_least ? value >= target : value <= target; }
};

struct bench_report {
  std::string started_at; // UTC, RFC 3339
  std::string suite;      // "" for a single scenario
  std::string data_dir;
  std::string fs_type;
  unsigned cores = 0;
  std::string sync; // the store.sync of the durable runs
  std::optional<fsync_ceiling> fsync;
  std::string baseline_error;
  std::vector<bare_result> bare;
  std::vector<scenario_result> scenarios;
  std::vector<ratio> ratios;
  double wall_s = 0;
  bool passed() const;
};

/// Fills report.ratios from what the run measured (only the targets whose
/// inputs exist in it).
void compute_ratios(bench_report& report);

/// The final table(s): baselines, one row per phase (throughput,
/// p50/p90/p99/p99.9/max, errors by kind), correctness, ratios.
void print_table(std::ostream& out, const bench_report& report);

/// "12.3 k/s", "845 µs", "12.1 ms".
std::string format_rate(double per_s);
std::string format_latency_us(double us);

} // namespace covsigner::bench
