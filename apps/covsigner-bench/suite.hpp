// A bench run: the baselines, then scenarios in order, then the ratios.
// standard_suite() is what `make bench` runs (under three minutes on the
// two-core machines: about 93 s of load plus node starts, store scans and cleanup).
#pragma once

#include "apps/covsigner-bench/options.hpp"
#include "apps/covsigner-bench/report.hpp"
#include "apps/covsigner-bench/scenarios.hpp"

#include <vector>

namespace covsigner::bench {

struct run_plan {
  std::vector<scenario_spec> scenarios;
  std::vector<std::size_t> bare_concurrency; // bare-handler baselines to measure
  bool fsync_baseline = true;
  bool signing_cpu_limit = false; // measure it (plans with a sign scenario)
  double baseline_s = 3;
};

/// The standard suite: durable unique submits over HTTP at 256 clients
/// (group commit; the same with fsync disabled and per-job, for
/// comparison) and in-process; dedupe storms
/// over HTTP and in-process; conflict storm; polls; mixed; the registry
/// outage; SIGKILL and restart; signing to READY (sign c16 and c64, c64
/// with fsync off, sign-mixed c64) against the signing CPU limit. `o`
/// supplies data dir and output files.
run_plan standard_suite(const bench_options& o);

/// The plan of a single --scenario run.
run_plan single_run(const bench_options& o);

/// Runs the plan; an empty `error` on return means every part ran (the
/// report says whether every check passed).
bench_report run_plan_now(const bench_options& o, const run_plan& plan, std::string& error);

/// Removes every run's data dir (in parallel; after the report is out:
/// unlinks wait for the journal, which other writers on the disk keep busy).
void remove_runs_data(const bench_report& report);

} // namespace covsigner::bench
