// The scenarios: what each client sends, which node it talks to, what the
// run must leave on disk. Each run gets its own route-key namespace. On a
// node of our own it gets a fresh data dir (under the --data-dir parent) and
// ends with the correctness check on the stopped node's store; on a --url
// node it ends with the remote check (remote_check.hpp). With --find-knee
// the measured phase is the knee search's steps (knee.hpp).
#pragma once

#include "apps/covsigner-bench/correctness.hpp"
#include "apps/covsigner-bench/knee.hpp"
#include "apps/covsigner-bench/load_driver.hpp"
#include "apps/covsigner-bench/options.hpp"
#include "apps/covsigner-bench/requests.hpp"
#include "apps/covsigner-bench/wrk_baseline.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace covsigner::bench {

struct scenario_spec {
  scenario_kind scenario = scenario_kind::unique;
  transport_kind transport = transport_kind::http;
  std::size_t concurrency = 64;
  double duration_s = 10;
  std::optional<std::uint64_t> count;
  double rate = 0;
  double warmup_s = 1;
  persistence::store_sync sync; // group; fsync=false: the no-fsync comparison run
  std::size_t http_workers = 0; // 0: max(64, concurrency + 16)
  double kill_every_s = 0;      // sigkill
  std::string covsignerd;       // sigkill
  bool keep_data = false;
  bool remote = false;          // a --url node (run_scenario's target)
  double check_rate = 1000;     // remote check: requests/s
  bool wrk_baseline = false;    // remote duplicate: wrk on the same URL and body
  knee_settings knee;           // --find-knee
};

scenario_spec spec_from(const bench_options& o);

/// One measured phase (the outage scenario has two: without and with).
struct phase_result {
  std::string name;
  double phase_s = 0;
  latency_summary all;
  std::map<op_kind, latency_summary> by_op;
  std::vector<window_point> windows;
  std::uint64_t warmup_requests = 0;
  std::uint64_t unsent = 0; // open loop: due but never sent (the node fell too far behind)
};

struct remote_target; // remote_target.hpp

struct scenario_result {
  std::string name; // e.g. "unique http c256"
  scenario_spec spec;
  std::vector<phase_result> phases;        // empty for a knee search (see knee_phases)
  std::optional<knee_result> knee;
  std::vector<phase_result> knee_phases;  // knee step i's phase
  std::optional<wrk_result> wrk;           // remote duplicate's client baseline
  correctness_report correctness;
  std::vector<std::string> expectation_failures; // scenario-specific answers (e.g. conflicts must be 400)
  std::vector<std::string> notes;                // e.g. kill times and downtime
  std::string error;                             // the run could not happen
  double wall_s = 0;                             // node start to store checked
  std::filesystem::path data_dir;                // the run's data (see remove_run_data)
  bool passed() const {
    return error.empty() && correctness.passed && expectation_failures.empty();
  }
};

std::string scenario_name(const scenario_spec& s);

/// Removes a run's data dir and the files beside it (chain fixture, logs).
void remove_run_data(const std::filesystem::path& dir);

/// Runs `spec` with a fresh data dir under `data_parent`, or against
/// `target` (spec.remote; no data dir) when it is set.
scenario_result run_scenario(const scenario_spec& spec, const request_factory& requests,
                             const std::filesystem::path& data_parent,
                             const remote_target* target = nullptr);

} // namespace covsigner::bench
