// One bench run's results (machine, baselines, scenarios, the target
// ratios) and the table printed at the end.
#pragma once

#include "apps/covsigner-bench/baselines.hpp"
#include "apps/covsigner-bench/scenarios.hpp"

#include <algorithm>
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
  /// One leg of a "whichever is lower" target (durable_target): shown with
  /// its own comparison, but the target is the combined one.
  bool leg = false;
  bool met() const { return at_least ? value >= target : value <= target; }
};

/// Issue 8's target for unique durable submits over HTTP at the highest
/// concurrency, from one run: durable >= min(5 x the one-at-a-time fsync
/// ceiling, 0.7 x the same scenario with fsync disabled).
struct durable_target {
  std::string durable_scenario;  // e.g. "unique http c256"
  std::string no_fsync_scenario; // e.g. "unique http c256 no-fsync"
  double durable_per_s = 0;      // acknowledged (durable) submits/s
  double ceiling_per_s = 0;      // atomic writes/s, one at a time
  double no_fsync_per_s = 0;     // acknowledged submits/s with every fsync skipped
  double ceiling_leg_per_s() const { return 5.0 * ceiling_per_s; }
  double no_fsync_leg_per_s() const { return 0.7 * no_fsync_per_s; }
  double target_per_s() const { return std::min(ceiling_leg_per_s(), no_fsync_leg_per_s()); }
  /// Which leg is the target: "5x fsync ceiling" or "70% of no-fsync".
  std::string binding_leg() const;
  bool met() const { return durable_per_s >= target_per_s(); }
};

struct bench_report {
  std::string started_at; // UTC, RFC 3339
  std::string suite;      // "" for a single scenario
  std::string data_dir;
  std::string fs_type;
  std::string target; // --url node(s); "" = the bench's own
  std::string bodies; // request_factory::origin()
  unsigned cores = 0;
  std::string sync; // the store.sync of the durable runs
  std::optional<fsync_ceiling> fsync;
  std::optional<signing_cpu_limit> cpu_limit; // plans with a sign scenario
  std::string baseline_error;
  std::vector<bare_result> bare;
  std::vector<scenario_result> scenarios;
  std::vector<ratio> ratios;
  std::optional<durable_target> durable; // when the run has both baselines and both runs
  double wall_s = 0;
  bool passed() const;
};

/// Fills report.ratios (and report.durable) from what the run measured (only the targets whose
/// inputs exist in it).
void compute_ratios(bench_report& report);

/// The final table(s): baselines, one row per phase (throughput,
/// p50/p90/p99/p99.9/max, errors by kind), correctness, ratios.
void print_table(std::ostream& out, const bench_report& report);

/// The knee search's curve as a table (print_table calls it).
void print_knee(std::ostream& out, const scenario_result& s);

/// "12.3 k/s", "845 µs", "12.1 ms".
std::string format_rate(double per_s);
std::string format_latency_us(double us);

} // namespace covsigner::bench
