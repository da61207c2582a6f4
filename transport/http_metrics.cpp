#include "transport/http_metrics.hpp"

#include "chain/circuit_breaker.hpp"

#include <prometheus/text_serializer.h>

#include <sstream>

namespace covsigner::transport {

namespace {

std::size_t endpoint_index(std::string_view endpoint) {
  for (std::size_t i = 0; i < http_metrics::endpoints.size(); ++i)
    if (http_metrics::endpoints[i] == endpoint)
      return i;
  return http_metrics::endpoints.size() - 2; // "other"
}

prometheus::Gauge* gauge(prometheus::Registry& registry, const std::string& name,
                         const std::string& help) {
  return &prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

prometheus::Family<prometheus::Gauge>* gauge_family(prometheus::Registry& registry,
                                                   const std::string& name,
                                                   const std::string& help) {
  return &prometheus::BuildGauge().Name(name).Help(help).Register(registry);
}

prometheus::Counter* counter(prometheus::Registry& registry, const std::string& name,
                             const std::string& help) {
  return &prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

// The one table from outcome to metric: a counter of its own (name, help),
// or the rate-limit family's child for a budget label. Indexed by
// route_outcome; rows with neither are counted nowhere.
struct outcome_metric {
  route_outcome outcome;
  std::string_view counter;
  std::string_view help;
  std::string_view budget;
};

constexpr std::array<outcome_metric, route_outcome_count> outcome_metrics{{
  {route_outcome::answered, {}, {}, {}},
  {route_outcome::dedupe_hit, "covsigner_submit_dedupe_hits_total",
   "Submits answered with an existing job (same routeRequestId and digest)", {}},
  {route_outcome::conflict, "covsigner_submit_conflicts_total",
   "Submits refused: routeRequestId exists with a different payload", {}},
  {route_outcome::poisoned_refusal, "covsigner_submit_poisoned_refusals_total",
   "Submits refused because their route key is poisoned", {}},
  {route_outcome::rate_limited_request, {}, {}, "request"},
  {route_outcome::rate_limited_submit, {}, {}, "submit"},
  {route_outcome::rate_limited_poll, {}, {}, "poll"},
}};

constexpr bool rows_follow_the_enum() {
  for (std::size_t i = 0; i < outcome_metrics.size(); ++i)
    if (static_cast<std::size_t>(outcome_metrics[i].outcome) != i)
      return false;
  return true;
}
static_assert(rows_follow_the_enum(), "outcome_metrics is indexed by route_outcome");

} // namespace

http_metrics::http_metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  auto& r = *registry_;
  requests_ = &prometheus::BuildCounter()
                 .Name("covsigner_http_requests_total")
                 .Help("HTTP requests answered, by endpoint and status code")
                 .Register(r);
  auto& latency = prometheus::BuildHistogram()
                    .Name("covsigner_http_request_duration_seconds")
                    .Help("Time from routing to the answer, by endpoint")
                    .Register(r);
  const prometheus::Histogram::BucketBoundaries buckets{
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
    0.5,    1,       2.5,    5,     10,     25};
  for (std::size_t i = 0; i < endpoints.size(); ++i)
    latency_[i] = &latency.Add({{"endpoint", std::string{endpoints[i]}}}, buckets);
  for (std::size_t i = 0; i < outcome_metrics.size(); ++i)
    if (!outcome_metrics[i].counter.empty())
      outcome_counters_[i] = counter(r, std::string{outcome_metrics[i].counter},
                                     std::string{outcome_metrics[i].help});
  rate_limited_ = &prometheus::BuildCounter()
                     .Name("covsigner_http_rate_limited_total")
                     .Help("Requests answered 429, by budget (request, submit, poll)")
                     .Register(r);
  busy_workers_ = gauge(r, "covsigner_http_busy_workers", "HTTP workers holding a connection");
  waiting_connections_ = gauge(r, "covsigner_http_waiting_connections",
                               "Accepted connections waiting for a free worker");
  rejected_connections_ = gauge(r, "covsigner_http_rejected_connections",
                                "Connections turned away (503) because no worker was free");
  submits_waiting_ =
    gauge(r, "covsigner_http_submits_waiting", "Submits waiting for their job to settle");
  node_ready_ = gauge(r, "covsigner_ready", "1 when every readiness check passes (see /readyz)");
  stored_jobs_ = gauge(r, "covsigner_store_jobs", "Jobs the store holds");
  poisoned_route_keys_ =
    gauge(r, "covsigner_poisoned_route_keys", "Route keys refusing submits until resolved");
  breaker_state_ = gauge_family(r, "covsigner_reader_breaker_state",
                                "1 for each chain reader's current circuit breaker state");
  breaker_failures_ = gauge_family(r, "covsigner_reader_failures",
                                   "Chain reader calls that failed or timed out, since start");
  breaker_rejected_ = gauge_family(r, "covsigner_reader_rejected",
                                   "Chain reader calls refused by an open breaker, since start");
  breaker_restarts_ = gauge_family(r, "covsigner_reader_restarts",
                                   "Chain reader restarts by its supervisor, since start");
  // Group commit: mean batch size = round_ops / rounds, mean round latency =
  // round_seconds / rounds, over any scrape interval.
  durable_writes_ = gauge(r, "covsigner_store_durable_writes", "Writes acknowledged durable");
  write_rounds_ = gauge(r, "covsigner_store_write_rounds",
                        "Group-commit rounds (each ends in its fsync barriers)");
  write_round_ops_ = gauge(r, "covsigner_store_write_round_ops", "Writes the rounds carried");
  write_round_seconds_ =
    gauge(r, "covsigner_store_write_round_seconds", "Time spent in rounds (writes + fsyncs)");
  longest_write_round_seconds_ =
    gauge(r, "covsigner_store_longest_write_round_seconds", "The slowest round so far");
  largest_write_round_ops_ =
    gauge(r, "covsigner_store_largest_write_round_ops", "The largest round so far");
  sessions_in_flight_ = gauge(r, "covsigner_sessions_in_flight", "Signing sessions running");
  sessions_queued_ =
    gauge(r, "covsigner_sessions_queued", "Jobs waiting for a signing session slot");
  sessions_started_ = gauge(r, "covsigner_sessions_started", "Signing sessions started");
  sessions_interrupted_ = gauge(r, "covsigner_sessions_interrupted",
                                "Sessions that ended as interrupted; may have been signed");
  spend_authorization_answers_ =
    gauge_family(r, "covsigner_spend_authorization_answers",
                 "CovenantSpendAuthorization checks by answer (authorized, not_authorized, "
                 "unavailable), re-checks included, since start");
}

prometheus::Counter& http_metrics::request_counter(std::size_t endpoint, int status) {
  auto code = static_cast<std::size_t>(status);
  if (code >= 600)
    code = 0; // not an HTTP status: counted as status "0"
  auto& slot = counters_[endpoint][code];
  if (auto* c = slot.load(std::memory_order_acquire))
    return *c;
  std::lock_guard<std::mutex> guard{counters_mutex_};
  auto* c = &requests_->Add(
    {{"endpoint", std::string{endpoints[endpoint]}}, {"status", std::to_string(code)}});
  slot.store(c, std::memory_order_release);
  return *c;
}

void http_metrics::observe(std::string_view endpoint, int status,
                           std::chrono::microseconds latency) {
  auto index = endpoint_index(endpoint);
  request_counter(index, status).Increment();
  latency_[index]->Observe(static_cast<double>(latency.count()) / 1e6);
}

void http_metrics::count(route_outcome outcome) {
  auto i = static_cast<std::size_t>(outcome);
  if (auto* c = outcome_counters_[i])
    c->Increment();
  else if (auto budget = outcome_metrics[i].budget; !budget.empty())
    rate_limited_->Add({{"budget", std::string{budget}}}).Increment();
}

std::string http_metrics::render(const server_gauges& g) {
  busy_workers_->Set(g.busy_workers);
  waiting_connections_->Set(g.waiting_connections);
  rejected_connections_->Set(g.rejected_connections);
  submits_waiting_->Set(g.submits_waiting);
  node_ready_->Set(g.node_answered ? g.node_ready : 0);
  if (g.node_answered) {
    stored_jobs_->Set(g.stored_jobs);
    poisoned_route_keys_->Set(g.poisoned_route_keys);
    durable_writes_->Set(static_cast<double>(g.store.writes));
    write_rounds_->Set(static_cast<double>(g.store.fsync_rounds));
    write_round_ops_->Set(static_cast<double>(g.store.round_ops));
    write_round_seconds_->Set(g.store.round_seconds);
    longest_write_round_seconds_->Set(g.store.longest_round_seconds);
    largest_write_round_ops_->Set(static_cast<double>(g.store.largest_round_ops));
    sessions_in_flight_->Set(static_cast<double>(g.sessions.in_flight));
    sessions_queued_->Set(static_cast<double>(g.sessions.queued));
    sessions_started_->Set(static_cast<double>(g.sessions.started));
    sessions_interrupted_->Set(static_cast<double>(g.sessions.interrupted));
  }
  if (const auto& a = g.spend_authorization) {
    spend_authorization_answers_->Add({{"answer", "authorized"}})
      .Set(static_cast<double>(a->authorized));
    spend_authorization_answers_->Add({{"answer", "not_authorized"}})
      .Set(static_cast<double>(a->not_authorized));
    spend_authorization_answers_->Add({{"answer", "unavailable"}})
      .Set(static_cast<double>(a->unavailable));
  }
  for (const auto& b : g.breakers) {
    for (std::string_view state :
         {chain::to_string(chain::breaker_state::closed), chain::to_string(chain::breaker_state::open),
          chain::to_string(chain::breaker_state::half_open), messages::failed_reader_state,
          messages::restarting_reader_state})
      breaker_state_->Add({{"reader", b.source}, {"state", std::string{state}}})
        .Set(b.state == state ? 1 : 0);
    breaker_failures_->Add({{"reader", b.source}}).Set(static_cast<double>(b.failures));
    breaker_rejected_->Add({{"reader", b.source}}).Set(static_cast<double>(b.rejected));
    breaker_restarts_->Add({{"reader", b.source}}).Set(static_cast<double>(b.restarts));
  }
  std::ostringstream out;
  prometheus::TextSerializer{}.Serialize(out, registry_->Collect());
  return out.str();
}

} // namespace covsigner::transport
