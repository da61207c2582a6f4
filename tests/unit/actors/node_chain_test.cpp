// A node with chain readers (fixture chain, simulated faults): readiness
// follows the Bridge reader's breaker, the Bitcoin reader's under the tbtc
// engine, and the freshness of the chain head.
#include "actors/node_bootstrap.hpp"
#include "tests/support/actor_system.hpp"
#include "tests/support/temp_dir.hpp"

#include "chain/fault_switch.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <map>

#include <fstream>

using namespace covsigner;
using namespace covsigner::messages;
using namespace std::chrono_literals;

namespace {

class NodeChain : public ::testing::Test {
protected:
  test_support::test_actor_system_config cfg;
  caf::actor_system system{cfg};
  test_support::temp_dir dir;
  actors::running_node node;

  void SetUp() override { ASSERT_NO_FATAL_FAILURE(start(actors::engine_kind::passive)); }

  // Restartable on the same data dir (stop the running one first).
  void start(actors::engine_kind engine) {
    auto fixture = dir.path() / "chain.json";
    std::ofstream(fixture) << R"({"hostChainHeight": 1000, "bitcoinHeight": 850000})";
    actors::node_options options;
    options.data_dir = dir.path() / "data";
    options.chain = chain::backend_config{};
    options.chain->fixture_file = fixture.string();
    options.head.refresh_interval = 50ms;
    options.head.max_age = 400ms;
    options.bridge.reader.breaker.failure_threshold = 2;
    options.bitcoin.breaker.failure_threshold = 2;
    options.bitcoin.breaker.open_backoff = 60s;
    options.sessions.engine = engine;
    auto started = actors::start_node(system, options);
    ASSERT_TRUE(std::holds_alternative<actors::running_node>(started))
      << std::get<std::string>(started);
    node = std::move(std::get<actors::running_node>(started));
  }

  // Two failed outpoint reads: the Bitcoin reader's breaker opens.
  void open_the_bitcoin_breaker() {
    ASSERT_TRUE(node.chain_faults);
    node.chain_faults->set(chain::fault_mode::fail, 0ms, "Bitcoin");
    caf::scoped_actor self{system};
    for (int i = 0; i < 2; ++i)
      self->request(node.bitcoin_reader, 10s, outpoint_atom::value, "0x" + std::string(64, '1'),
                    std::uint32_t{0})
        .receive([](outpoint_reply& o) { EXPECT_EQ(o.code, chain_code::unavailable); },
                 [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
  }

  std::map<std::string, std::string> breaker_states(const readiness& r) {
    std::map<std::string, std::string> states;
    for (const auto& b : r.breakers)
      states[b.source] = b.state;
    return states;
  }

  void TearDown() override { actors::stop_node(system, node); }

  readiness ready() {
    readiness r;
    caf::scoped_actor self{system};
    self->request(node.node, 10s, ready_atom::value)
      .receive([&](readiness& x) { r = std::move(x); },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
    return r;
  }

  bool failing_contains(const readiness& r, const std::string& what) {
    for (const auto& f : r.failing)
      if (f.find(what) != std::string::npos)
        return true;
    return false;
  }
};

} // namespace

TEST_F(NodeChain, ReadyWhenTheChainIsHealthy) {
  std::this_thread::sleep_for(150ms); // the chain head's first refresh
  auto r = ready();
  EXPECT_TRUE(r.ready);
  EXPECT_TRUE(r.failing.empty()) << r.failing.front();
}

TEST_F(NodeChain, NotReadyOnceTheBridgeBreakerOpensOrTheHeadGoesStale) {
  ASSERT_TRUE(node.chain_faults);
  node.chain_faults->set(chain::fault_mode::fail);
  caf::scoped_actor self{system};
  for (int i = 0; i < 3; ++i)
    self->request(node.bridge_reader, 10s, wallet_atom::value, "0x" + std::string(40, '1'))
      .receive([](wallet_reply& w) { EXPECT_EQ(w.code, chain_code::unavailable); },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
  std::this_thread::sleep_for(600ms); // past the head's maximum age
  auto r = ready();
  EXPECT_FALSE(r.ready);
  EXPECT_TRUE(failing_contains(r, "bridge_reader: breaker open")) << ::testing::PrintToString(r.failing);
  EXPECT_TRUE(failing_contains(r, "chain_head: stale")) << ::testing::PrintToString(r.failing);
  // Every reader's breaker is reported (for /metrics); only the Bridge's
  // fails readiness (the registry and the spend-authorization reader
  // degrade: their consumers wait or refuse, naming the cause).
  auto states = breaker_states(r);
  ASSERT_EQ(states.size(), 4u) << ::testing::PrintToString(states);
  EXPECT_EQ(states["Bridge"], "open");
  EXPECT_EQ(states.count("wallet registry"), 1u);
  EXPECT_EQ(states.count("Bitcoin"), 1u);
  EXPECT_EQ(states.count("spend authorization"), 1u);
  EXPECT_FALSE(failing_contains(r, "spend")) << ::testing::PrintToString(r.failing);
}

// The tbtc engine signs nothing without Bitcoin data: its reader's open
// breaker makes the node not ready, named as the Bridge's is.
TEST_F(NodeChain, NotReadyOnceTheBitcoinBreakerOpensUnderTheTbtcEngine) {
  actors::stop_node(system, node);
  ASSERT_NO_FATAL_FAILURE(start(actors::engine_kind::tbtc));
  std::this_thread::sleep_for(150ms); // the chain head's first refresh
  ASSERT_TRUE(ready().ready);
  ASSERT_NO_FATAL_FAILURE(open_the_bitcoin_breaker());
  auto r = ready();
  EXPECT_FALSE(r.ready);
  ASSERT_EQ(r.failing.size(), 1u) << ::testing::PrintToString(r.failing);
  EXPECT_EQ(r.failing[0], "bitcoin_reader: breaker open");
  EXPECT_EQ(breaker_states(r)["Bitcoin"], "open");
}

// The passive engine never reads Bitcoin: the open breaker is reported, and
// the node stays ready.
TEST_F(NodeChain, TheBitcoinBreakerIsOnlyReportedUnderThePassiveEngine) {
  std::this_thread::sleep_for(150ms);
  ASSERT_NO_FATAL_FAILURE(open_the_bitcoin_breaker());
  auto r = ready();
  EXPECT_TRUE(r.ready) << ::testing::PrintToString(r.failing);
  EXPECT_EQ(breaker_states(r)["Bitcoin"], "open");
}

TEST_F(NodeChain, ABadChainConfigurationStartsNothing) {
  actors::node_options options;
  options.data_dir = dir.path() / "other";
  options.chain = chain::backend_config{};
  options.chain->fixture_file = (dir.path() / "missing.json").string();
  auto started = actors::start_node(system, options);
  ASSERT_TRUE(std::holds_alternative<std::string>(started));
  EXPECT_NE(std::get<std::string>(started).find("chain configuration"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(options.data_dir / "covenant-signer-jobs" / ".lock"));
}
