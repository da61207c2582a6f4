// Prometheus metrics of the HTTP surface (prometheus-cpp), rendered in the
// text exposition format for GET /metrics.
#pragma once

#include "messages/chain_messages.hpp"
#include "messages/job_messages.hpp"
#include "messages/signing.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace covsigner::transport {

/// What /metrics reports about the HTTP server itself, read at scrape time.
struct server_gauges {
  double busy_workers = 0;
  double waiting_connections = 0;
  double rejected_connections = 0; // since start
  double submits_waiting = 0;
  // From the node's readiness, when it answered the scrape's ask.
  bool node_answered = false;
  double node_ready = 0;
  double stored_jobs = 0;
  double poisoned_route_keys = 0;
  std::vector<messages::breaker_status> breakers; // the chain readers' breakers
  messages::store_status store;                   // writes and group-commit rounds
  messages::supervisor_status sessions;           // signing sessions
  std::optional<messages::authorization_answers> spend_authorization; // the gate, if any
};

/// What a request came to beyond its endpoint and status, as the route
/// handlers report it; /metrics counts it (http_metrics::count).
enum class route_outcome : std::uint8_t {
  answered,             // nothing counted apart
  dedupe_hit,           // a submit answered with its existing job
  conflict,             // a submit whose route key holds a different request
  poisoned_refusal,     // a submit refused because its route key is poisoned
  rate_limited_request, // 429: the per-identity request budget
  rate_limited_submit,  // 429: the submit budget (submits, certificate issuance)
  rate_limited_poll,    // 429: the poll budget
};
inline constexpr std::size_t route_outcome_count = 7;

class http_metrics {
public:
  /// Endpoint label values, one per handler kind.
  static constexpr std::array<std::string_view, 9> endpoints{
    "healthz", "readyz", "metrics", "submit", "poll", "poll_path", "admin_certificate",
    "other", "unauthorized"};

  http_metrics();

  /// One answered request: counts it by endpoint and status, and observes
  /// its latency.
  void observe(std::string_view endpoint, int status, std::chrono::microseconds latency);

  /// Counts `outcome` in its metric (none for `answered`).
  void count(route_outcome outcome);

  /// The text exposition of every metric, with `gauges` as of now.
  std::string render(const server_gauges& gauges);

private:
  prometheus::Counter& request_counter(std::size_t endpoint, int status);

  std::shared_ptr<prometheus::Registry> registry_;
  // Counters by endpoint and status, created once: Family::Add builds a
  // label map and takes the family's lock, too slow for every request.
  std::array<std::array<std::atomic<prometheus::Counter*>, 600>, endpoints.size()> counters_{};
  std::mutex counters_mutex_;
  prometheus::Family<prometheus::Counter>* requests_;
  std::array<prometheus::Histogram*, endpoints.size()> latency_{};
  // By route_outcome: the outcomes counted by a counter of their own.
  std::array<prometheus::Counter*, route_outcome_count> outcome_counters_{};
  prometheus::Family<prometheus::Counter>* rate_limited_;
  prometheus::Gauge* busy_workers_;
  prometheus::Gauge* waiting_connections_;
  prometheus::Gauge* rejected_connections_;
  prometheus::Gauge* submits_waiting_;
  prometheus::Gauge* node_ready_;
  prometheus::Gauge* stored_jobs_;
  prometheus::Gauge* poisoned_route_keys_;
  prometheus::Family<prometheus::Gauge>* breaker_state_;
  prometheus::Family<prometheus::Gauge>* breaker_failures_;
  prometheus::Family<prometheus::Gauge>* breaker_rejected_;
  prometheus::Family<prometheus::Gauge>* breaker_restarts_;
  prometheus::Gauge* durable_writes_;
  prometheus::Gauge* write_rounds_;
  prometheus::Gauge* write_round_ops_;
  prometheus::Gauge* write_round_seconds_;
  prometheus::Gauge* longest_write_round_seconds_;
  prometheus::Gauge* largest_write_round_ops_;
  prometheus::Gauge* sessions_in_flight_;
  prometheus::Gauge* sessions_queued_;
  prometheus::Gauge* sessions_started_;
  prometheus::Gauge* sessions_interrupted_;
  prometheus::Family<prometheus::Gauge>* spend_authorization_answers_;
};

} // namespace covsigner::transport
