// /metrics text: the chain readers' circuit breakers (issue 6: breaker
// state in /readyz and /metrics), one series per reader and state.
#include "transport/http_metrics.hpp"

#include <gtest/gtest.h>

#include <iterator>

using namespace covsigner;

TEST(HttpMetrics, BreakerStatesAreOneSeriesPerReaderAndState) {
  transport::http_metrics metrics;
  transport::server_gauges g;
  messages::breaker_status bridge;
  bridge.source = "Bridge";
  bridge.state = "open";
  bridge.failures = 5;
  bridge.rejected = 7;
  bridge.restarts = 2;
  messages::breaker_status registry;
  registry.source = "wallet registry";
  registry.state = "closed";
  g.breakers = {bridge, registry};
  auto text = metrics.render(g);
  EXPECT_NE(text.find(R"(covsigner_reader_breaker_state{reader="Bridge",state="open"} 1)"),
            std::string::npos) << text;
  EXPECT_NE(text.find(R"(covsigner_reader_breaker_state{reader="Bridge",state="closed"} 0)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(covsigner_reader_breaker_state{reader="wallet registry",state="closed"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(covsigner_reader_failures{reader="Bridge"} 5)"), std::string::npos);
  EXPECT_NE(text.find(R"(covsigner_reader_rejected{reader="Bridge"} 7)"), std::string::npos);
  EXPECT_NE(text.find(R"(covsigner_reader_restarts{reader="Bridge"} 2)"), std::string::npos);
  // The next scrape follows the state.
  g.breakers[0].state = "half_open";
  text = metrics.render(g);
  EXPECT_NE(text.find(R"(covsigner_reader_breaker_state{reader="Bridge",state="open"} 0)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(covsigner_reader_breaker_state{reader="Bridge",state="half_open"} 1)"),
            std::string::npos);
  // A reader its supervisor is restarting has a state of its own.
  g.breakers[0].state = std::string{messages::restarting_reader_state};
  text = metrics.render(g);
  EXPECT_NE(text.find(R"(covsigner_reader_breaker_state{reader="Bridge",state="restarting"} 1)"),
            std::string::npos) << text;
  EXPECT_NE(text.find(R"(covsigner_reader_breaker_state{reader="Bridge",state="half_open"} 0)"),
            std::string::npos);
}

TEST(HttpMetrics, StoreRoundsAndSessionsComeFromTheNodesAnswer) {
  transport::http_metrics metrics;
  transport::server_gauges g;
  g.node_answered = true;
  g.store.writes = 40;
  g.store.fsync_rounds = 4;
  g.store.round_ops = 40;
  g.store.round_seconds = 0.5;
  g.store.largest_round_ops = 16;
  g.sessions.in_flight = 3;
  g.sessions.queued = 9;
  auto text = metrics.render(g);
  for (const char* line : {"covsigner_store_durable_writes 40", "covsigner_store_write_rounds 4",
                           "covsigner_store_write_round_ops 40",
                           "covsigner_store_write_round_seconds 0.5",
                           "covsigner_store_largest_write_round_ops 16",
                           "covsigner_sessions_in_flight 3", "covsigner_sessions_queued 9"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  // A scrape the node did not answer keeps the last known values rather
  // than reporting zeros.
  g.node_answered = false;
  g.sessions.queued = 0;
  text = metrics.render(g);
  EXPECT_NE(text.find("covsigner_sessions_queued 9"), std::string::npos) << text;
}

TEST(HttpMetrics, EachRouteOutcomeCountsInItsOwnMetric) {
  using transport::route_outcome;
  transport::http_metrics metrics;
  // Nothing counted yet: the submit counters read 0, no budget has a series.
  auto text = metrics.render({});
  for (const char* line : {"covsigner_submit_dedupe_hits_total 0",
                           "covsigner_submit_conflicts_total 0",
                           "covsigner_submit_poisoned_refusals_total 0"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  EXPECT_EQ(text.find("covsigner_http_rate_limited_total{"), std::string::npos) << text;

  // Outcome i is counted i times, so a row counted under another's metric
  // shows the wrong number.
  const route_outcome outcomes[] = {
    route_outcome::answered,          route_outcome::dedupe_hit,
    route_outcome::conflict,          route_outcome::poisoned_refusal,
    route_outcome::rate_limited_request, route_outcome::rate_limited_submit,
    route_outcome::rate_limited_poll};
  static_assert(std::size(outcomes) == transport::route_outcome_count);
  for (std::size_t i = 0; i < std::size(outcomes); ++i)
    for (std::size_t n = 0; n < i + 1; ++n)
      metrics.count(outcomes[i]);
  text = metrics.render({});
  for (const char* line : {"covsigner_submit_dedupe_hits_total 2",
                           "covsigner_submit_conflicts_total 3",
                           "covsigner_submit_poisoned_refusals_total 4",
                           R"(covsigner_http_rate_limited_total{budget="request"} 5)",
                           R"(covsigner_http_rate_limited_total{budget="submit"} 6)",
                           R"(covsigner_http_rate_limited_total{budget="poll"} 7)"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
}
