// Command-line options of covsigner-bench: which scenario over which
// transport, how much load (concurrency, duration or count, open-loop rate
// or closed loop, warm-up), where the data lives and how it is synced, and
// where the results go; or, with --url, which running node(s) to drive,
// with what credentials and bodies; and the --find-knee rate search.
#pragma once

#include "persistence/sync_option.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace covsigner::bench {

enum class scenario_kind {
  unique,    // every request a new route key (durable creates)
  duplicate, // N clients, one routeRequestId (dedupe storm)
  conflict,  // one route key, a different payload per request
  poll,      // polls of existing jobs
  mixed,     // dedupe hits, polls and new submits together
  outage,    // dedupe hits with and without a simulated registry outage
  sigkill,   // new submits while covsignerd is SIGKILLed and restarted
  sign,      // self_v1 new keys signed to READY (local_key signer, fixture chain)
  sign_mixed, // the same, qc_v1 and self_v1 alternating
};

enum class transport_kind {
  inproc, // the node's actors in the bench's own actor_system, typed API
  http,   // cpp-httplib client over 127.0.0.1, keep-alive
};

struct bench_options {
  std::string suite; // "" = one scenario; "standard" = the make-bench suite
  scenario_kind scenario = scenario_kind::unique;
  transport_kind transport = transport_kind::http;
  std::size_t concurrency = 64;
  double duration_s = 10;                // used when count is not set
  std::optional<std::uint64_t> count;    // requests in the measured phase
  double rate = 0;                       // requests/s, open loop; 0 = closed loop
  double warmup_s = 1;                   // load before measuring (not recorded)
  std::string data_dir;                  // parent of per-run data dirs
  persistence::store_sync sync;          // group; none = no fsync (benchmark only)
  std::size_t http_workers = 0;          // node's HTTP workers; 0 = max(64, concurrency)
  std::string json_file;
  std::string plot_file;
  bool baselines = true;                 // measure the fsync and bare-handler ceilings
  double baseline_s = 3;                 // per baseline
  double kill_every_s = 0;               // sigkill: 0 = three kills spread over the run
  std::string covsignerd;                // sigkill: the node binary (default: beside ours)
  bool keep_data = false;                // leave the run's data dir for inspection

  // A running node instead of one of ours (--url): see remote_target.hpp.
  std::vector<std::string> urls;         // --url (repeatable) and --url-file lines
  std::string auth_token_file;           // bearer token, first non-empty line
  std::string ca_file;                   // PEM CA bundle for https:// targets
  double connect_timeout_s = 5;
  bool allow_remote = false;             // non-loopback targets are refused without it
  std::string body_template;             // signed submit body; "" = the dev-key body
  double check_rate = 1000;              // remote check: polls + resubmits per second

  // --find-knee: open-loop steps from knee_start_rate, x knee_growth each.
  bool find_knee = false;
  double knee_start_rate = 50;           // requests/s of the first step (--rate overrides)
  double knee_growth = 1.5;
  double step_duration_s = 5;
  double p99_budget_s = 0.25;
  std::size_t knee_max_steps = 16;       // bounds the search: start x growth^(max-1)

  bool remote() const { return !urls.empty(); }
};

/// Parses argv. Errors name the offending option. `--help` yields the
/// usage text as the error with `help` set.
struct parse_error {
  std::string message;
  bool help = false;
};
std::variant<bench_options, parse_error> parse_options(int argc, char** argv);

std::string usage();

std::string to_string(scenario_kind s);
std::string to_string(transport_kind t);

/// Durable scenarios create jobs and check the disk; they refuse tmpfs.
bool creates_jobs(scenario_kind s);

/// sign and sign-mixed: a node with the dev signer and fixture chain; each
/// op is a submit polled until the job is terminal.
bool signs_jobs(scenario_kind s);

} // namespace covsigner::bench
