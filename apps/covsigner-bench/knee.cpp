#include "apps/covsigner-bench/knee.hpp"

#include "apps/covsigner-bench/report.hpp"
#include "apps/covsigner-bench/scenarios.hpp"

#include <cstdio>

namespace covsigner::bench {

namespace {

knee_step judge(const knee_settings& s, double rate, const step_outcome& o) {
  const auto& all = o.phase->all;
  knee_step k;
  k.offered_per_s = rate;
  k.achieved_per_s = all.throughput;
  k.p50_us = all.p50;
  k.p99_us = all.p99;
  k.count = all.count;
  k.unexpected_errors = o.unexpected_errors;
  k.unsent = o.phase->unsent;
  if (k.count == 0) {
    k.verdict = "no request completed";
  } else if (k.unexpected_errors) {
    k.verdict = "errors " + o.errors_text;
  } else if (k.unsent) {
    k.verdict = std::to_string(k.unsent) + " of the schedule never sent";
  } else if (k.p99_us > s.p99_budget_us) {
    k.verdict = "p99 " + format_latency_us(k.p99_us) + " > budget " + format_latency_us(s.p99_budget_us);
  } else {
    k.held = true;
    k.verdict = "held";
  }
  return k;
}

// What the clients could sustain: each is busy for a round trip per
// request, so at most concurrency / round trip requests per second. The
// round trip is the p50 of the last step that held (little queueing there);
// 0 when no step held.
double client_cap(const knee_settings& s, const std::vector<knee_step>& steps) {
  for (auto it = steps.rbegin(); it != steps.rend(); ++it)
    if (it->held && it->p50_us > 0)
      return static_cast<double>(s.concurrency) / (it->p50_us / 1e6);
  return 0;
}

} // namespace

knee_result find_knee(const knee_settings& s, const knee_step_runner& run_step) {
  knee_result r;
  r.settings = s;
  double rate = s.start_rate;
  for (std::size_t i = 0; i < s.max_steps; ++i, rate *= s.growth) {
    auto step = judge(s, rate, run_step(i, rate));
    std::fprintf(stderr, "knee step %zu at %.0f/s: %.0f/s done, p99 %s: %s\n", i + 1, rate,
                 step.achieved_per_s, format_latency_us(step.p99_us).c_str(), step.verdict.c_str());
    r.steps.push_back(step);
    if (!step.held) {
      r.client_cap_per_s = client_cap(s, r.steps);
      r.client_bound = r.client_cap_per_s > 0 && rate > r.client_cap_per_s;
      r.stop_reason = "step " + std::to_string(i + 1) + " at " + format_rate(rate) + ": " + step.verdict;
      return r;
    }
    r.knee_per_s = rate;
  }
  r.stop_reason = "every step held, up to " + format_rate(rate / s.growth) +
                  " (--knee-max-steps): the knee is higher";
  return r;
}

} // namespace covsigner::bench
