// The scenarios: what each client sends, which node it talks to, what the
// run must leave on disk. Each run gets a fresh data dir (under the
// --data-dir parent), its own route-key namespace, and ends with the
// correctness check on the stopped node's store.
#pragma once

#include "apps/covsigner-bench/correctness.hpp"
#include "apps/covsigner-bench/load_driver.hpp"
#include "apps/covsigner-bench/options.hpp"
#include "apps/covsigner-bench/requests.hpp"

#include <filesystem>
#include <map>
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

struct scenario_result {
  std::string name; // e.g. "unique http c256"
  scenario_spec spec;
  std::vector<phase_result> phases;
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

/// Runs `spec` with a fresh data dir under `data_parent`.
scenario_result run_scenario(const scenario_spec& spec, const request_factory& requests,
                             const std::filesystem::path& data_parent);

} // namespace covsigner::bench
