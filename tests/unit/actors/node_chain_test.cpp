// A node with chain readers (fixture chain, simulated faults): readiness
// follows the Bridge reader's breaker and the freshness of the chain head.
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

  void SetUp() override {
    auto fixture = dir.path() / "chain.json";
    std::ofstream(fixture) << R"({"hostChainHeight": 1000, "bitcoinHeight": 850000})";
    actors::node_options options;
    options.data_dir = dir.path() / "data";
    options.chain = chain::backend_config{};
    options.chain->fixture_file = fixture.string();
    options.head.refresh_interval = 50ms;
    options.head.max_age = 400ms;
    options.bridge.reader.breaker.failure_threshold = 2;
    auto started = actors::start_node(system, options);
    ASSERT_TRUE(std::holds_alternative<actors::running_node>(started))
      << std::get<std::string>(started);
    node = std::move(std::get<actors::running_node>(started));
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
  std::map<std::string, std::string> states;
  for (const auto& b : r.breakers)
    states[b.source] = b.state;
  ASSERT_EQ(states.size(), 3u) << ::testing::PrintToString(states);
  EXPECT_EQ(states["Bridge"], "open");
  EXPECT_EQ(states.count("wallet registry"), 1u);
  EXPECT_EQ(states.count("spend authorization"), 1u);
  EXPECT_FALSE(failing_contains(r, "spend")) << ::testing::PrintToString(r.failing);
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
