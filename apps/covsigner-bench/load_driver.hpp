// Drives load: `concurrency` threads, each with its own client, issuing
// requests numbered by one shared sequence. Closed loop: each thread sends
// its next request when the previous one answered; latency is that one
// request's round trip. Open loop (rate > 0): request k is due at
// start + k / rate whoever sends it; latency counts from that intended time,
// so a stalled server is charged for the queue it causes (no coordinated
// omission). A warm-up phase runs first on the same connections and is not
// recorded. Progress (a bar and the live rate) goes to stderr.
#pragma once

#include "apps/covsigner-bench/latency_recorder.hpp"
#include "apps/covsigner-bench/transports.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace covsigner::bench {

struct load_plan {
  std::string label;                  // shown on the progress line
  std::size_t concurrency = 1;
  double duration_s = 10;             // measured phase, unless `count` is set
  std::optional<std::uint64_t> count; // measured requests
  double rate = 0;                    // open loop requests/s; 0 = closed loop
  double warmup_s = 0;
};

/// What one request was and how it ended.
struct step {
  op_kind op = op_kind::new_submit;
  outcome result;
};

/// Issues request `seq` on `client` from load thread `worker`. Called
/// concurrently from every load thread.
using request_fn = std::function<step(bench_client& client, std::uint64_t seq, std::size_t worker)>;

/// Something to do at `at_s` seconds into the measured phase, on a thread
/// of its own (e.g. SIGKILL and restart the node). Runs in order.
struct timed_event {
  double at_s = 0;
  std::function<void()> action;
};

struct load_result {
  latency_recorder samples;   // measured phase only
  double phase_s = 0;         // from its start to the last measured completion
  std::uint64_t warmup_requests = 0;
  std::uint64_t issued = 0;   // every request, warm-up included
  /// Open loop: requests of the schedule never sent because the node fell
  /// behind by more than the run's length (at least 10 s) and the bench
  /// stopped waiting for it. 0 in closed loop.
  std::uint64_t unsent = 0;
};

load_result run_load(client_factory& clients, const load_plan& plan, const request_fn& request,
                     const std::vector<timed_event>& events = {});

} // namespace covsigner::bench
