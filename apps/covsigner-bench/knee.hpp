// --find-knee: the highest open-loop rate a node holds within a p99 budget.
// Steps of `step_s` each, the first at `start_rate`, each `growth` times the
// last, until a step's p99 exceeds the budget, unexpected errors appear, or
// part of its schedule could not be sent; at most `max_steps`. The knee is
// the rate of the last step that held. Open loop with latency from each
// request's intended send time (load_driver.hpp), so a node that falls
// behind is charged for its queue: p99 rises sharply past the knee.
#pragma once

#include "apps/covsigner-bench/load_driver.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace covsigner::bench {

struct phase_result; // scenarios.hpp

struct knee_settings {
  bool enabled = false;
  double start_rate = 0; // requests/s of the first step
  double growth = 0;
  double step_s = 0;
  double p99_budget_us = 0;
  std::size_t max_steps = 0;
  std::size_t concurrency = 0; // clients: at most this many requests in flight
};

struct knee_step {
  double offered_per_s = 0; // the step's schedule
  double achieved_per_s = 0; // completions per second
  double p50_us = 0, p99_us = 0;
  std::uint64_t count = 0, unexpected_errors = 0, unsent = 0;
  bool held = false;
  std::string verdict; // "held", "p99 312 ms > budget 250 ms", "errors 503:4", ...
};

struct knee_result {
  knee_settings settings;
  std::vector<knee_step> steps;
  std::optional<double> knee_per_s; // the last step that held; none if the first did not
  std::string stop_reason;
  /// concurrency / the last held step's p50: about what the clients can
  /// send (each waits for its answer). The failing step's rate above it
  /// means the bench's --concurrency, not only the node, may set the knee.
  double client_cap_per_s = 0;
  bool client_bound = false;
};

/// Runs one step at `rate` requests/s (its index from 0) and returns its
/// phase; `unexpected_errors` counts the answers the scenario does not
/// expect (a conflict storm expects 400s).
struct step_outcome {
  const phase_result* phase = nullptr;
  std::uint64_t unexpected_errors = 0;
  std::string errors_text;
};
using knee_step_runner = std::function<step_outcome(std::size_t index, double rate)>;

knee_result find_knee(const knee_settings& settings, const knee_step_runner& run_step);

} // namespace covsigner::bench
