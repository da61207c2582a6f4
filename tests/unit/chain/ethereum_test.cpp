// The chain readers over the Ethereum backend against a real local node
// (anvil 1.7.1 from npm) running the committed test contracts: the seed's
// three GetWallet tests, the registry's revert switch, a stopped node, and
// hangs from a loopback fault proxy (simulated).
#include "actors/bridge_reader.hpp"
#include "actors/chain_head.hpp"
#include "actors/registry_reader.hpp"
#include "tests/support/anvil_fault_proxy.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/chain/ethereum_test_support.hpp"

#include <filesystem>

namespace covsigner::actors {
namespace {

using namespace std::chrono_literals;
using namespace messages;
using test_support::ask;

class EthereumReaders : public ::testing::Test {
protected:
  static inline std::unique_ptr<test_support::temp_dir> dir;
  static inline std::unique_ptr<test_support::anvil_node> node;
  static inline std::optional<test_support::test_chain> contracts;

  static void SetUpTestSuite() {
    dir = std::make_unique<test_support::temp_dir>();
    node = std::make_unique<test_support::anvil_node>((dir->path() / "anvil.log").string());
  }
  static void TearDownTestSuite() {
    contracts.reset();
    node.reset(); // stops anvil by PID
    dir.reset();
  }

  void SetUp() override {
    // The peer is required: a missing anvil fails the test, never skips it.
    ASSERT_TRUE(std::filesystem::exists(test_support::anvil_binary()))
      << "anvil missing: run npm install --ignore-scripts in tests/peers";
    ASSERT_TRUE(node->ready()) << "anvil did not start";
    if (!contracts)
      contracts = test_support::deploy_test_chain(*node);
    ASSERT_TRUE(contracts);
  }
  void TearDown() override {
    for (auto* h : {&bridge_handle, &registry_handle})
      if (*h)
        caf::anon_send_exit(*h, caf::exit_reason::user_shutdown);
  }

  chain::json_rpc_client client(const std::string& url) {
    return chain::json_rpc_client(*chain::parse_http_url(url), {200ms, 200ms, 600ms});
  }
  void start(const std::string& bridge_url, const std::string& registry_url,
             reader_settings registry_settings = {}) {
    auto registry = spawn_registry_reader(
      sys, chain::make_ethereum_registry(client(registry_url), contracts->registry),
      registry_settings);
    auto bridge = spawn_bridge_reader(
      sys, chain::make_ethereum_bridge(client(bridge_url), contracts->bridge), registry);
    registry_handle = caf::actor_cast<caf::actor>(registry);
    bridge_handle = caf::actor_cast<caf::actor>(bridge);
    bridge_ = bridge;
  }
  wallet_reply get_wallet(const std::string& pkh = test_support::wallet_pkh) {
    auto r = ask<wallet_reply>(sys, bridge_, 10s, wallet_atom::value, pkh);
    EXPECT_TRUE(r) << caf::to_string(r.error());
    return r ? *r : wallet_reply{};
  }

  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  bridge_reader_actor bridge_;
  caf::actor bridge_handle, registry_handle;
};

TEST_F(EthereumReaders, GetWalletReturnsFullDataWhenRegistrySucceeds) {
  start(node->url(), node->url());
  auto r = get_wallet();
  ASSERT_EQ(r.code, chain_code::ok) << r.cause;
  auto expected = test_support::expected_bridge_wallet();
  expected.members_ids_hash = *crypto::fixed_from_0x_hex<32>(test_support::members_hex);
  EXPECT_EQ(r.wallet, expected);
}

TEST_F(EthereumReaders, GetWalletReturnsDataWhenRegistryFails) {
  start(node->url(), node->url());
  test_support::set_registry_failing(*node, contracts->registry, true);
  auto r = get_wallet();
  test_support::set_registry_failing(*node, contracts->registry, false);
  ASSERT_EQ(r.code, chain_code::ok) << r.cause;
  EXPECT_FALSE(r.wallet.members_ids_hash.has_value());
  auto prefix = "WalletRegistry.getWallet(" + test_support::wallet_id_hex +
                "): eth_call failed: RPC error ";
  EXPECT_EQ(r.wallet.registry_unavailable_cause.substr(0, prefix.size()), prefix)
    << r.wallet.registry_unavailable_cause;
  EXPECT_NE(r.wallet.registry_unavailable_cause.find("execution reverted"), std::string::npos)
    << r.wallet.registry_unavailable_cause;
  auto expected = test_support::expected_bridge_wallet();
  expected.registry_unavailable_cause = r.wallet.registry_unavailable_cause;
  EXPECT_EQ(r.wallet, expected); // all Bridge fields intact
}

TEST_F(EthereumReaders, GetWalletBridgeFailureStillReturnsError) {
  start(node->url(), node->url());
  auto nf = get_wallet(test_support::unknown_pkh);
  EXPECT_EQ(nf.code, chain_code::not_found);
  EXPECT_EQ(nf.cause, "wallet not found for public key hash [" + test_support::unknown_pkh +
                        "]: Bridge has no wallet " + test_support::unknown_pkh);
  EXPECT_EQ(nf.wallet, covenant::wallet_chain_data{});
}

TEST_F(EthereumReaders, AddressWithoutTheContractIsUnavailableNotNotFound) {
  // A misconfigured Bridge address (no code there) answers eth_call with
  // empty data; that must not read as "no such wallet".
  chain::eth_address nobody{};
  nobody.fill(0x42);
  auto source = chain::make_ethereum_bridge(client(node->url()), nobody);
  auto r = source->wallet(*crypto::fixed_from_0x_hex<20>(test_support::wallet_pkh));
  EXPECT_EQ(r.code, chain::read_code::unavailable);
  EXPECT_EQ(r.cause, "Bridge.wallets(" + test_support::wallet_pkh +
                       "): Bridge wallets() returned 0 bytes; expected 288 (9 ABI words)");
  // The registry contract has no wallets(bytes20) and no fallback: a revert.
  auto wrong = chain::make_ethereum_bridge(client(node->url()), contracts->registry);
  r = wrong->wallet(*crypto::fixed_from_0x_hex<20>(test_support::wallet_pkh));
  EXPECT_EQ(r.code, chain::read_code::unavailable);
  EXPECT_NE(r.cause.find("eth_call failed: RPC error"), std::string::npos) << r.cause;
}

TEST_F(EthereumReaders, StoppedNodeIsAnUnavailableBridgeNotANotFound) {
  test_support::temp_dir own_dir;
  test_support::anvil_node doomed((own_dir.path() / "anvil.log").string());
  ASSERT_TRUE(doomed.ready());
  auto deployed = test_support::deploy_test_chain(doomed);
  ASSERT_TRUE(deployed);
  auto registry = spawn_registry_reader(
    sys, chain::make_ethereum_registry(client(doomed.url()), deployed->registry));
  auto bridge = spawn_bridge_reader(
    sys, chain::make_ethereum_bridge(client(doomed.url()), deployed->bridge), registry);
  auto ok = ask<wallet_reply>(sys, bridge, 10s, wallet_atom::value, test_support::wallet_pkh);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->code, chain_code::ok);
  doomed.stop();
  auto start_at = std::chrono::steady_clock::now();
  auto down = ask<wallet_reply>(sys, bridge, 10s, wallet_atom::value, test_support::wallet_pkh);
  ASSERT_TRUE(down);
  EXPECT_LT(std::chrono::steady_clock::now() - start_at, 2s);
  EXPECT_EQ(down->code, chain_code::unavailable);
  auto prefix = "cannot get wallet for public key hash " + test_support::wallet_pkh +
                ": Bridge.wallets(" + test_support::wallet_pkh + "): eth_call: ";
  EXPECT_EQ(down->cause.substr(0, prefix.size()), prefix) << down->cause;
  caf::anon_send_exit(bridge, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
}

TEST_F(EthereumReaders, HungRegistryBehindTheFaultProxyDegradesWithinItsTimeout) {
  test_support::anvil_fault_proxy proxy("127.0.0.1", node->port());
  reader_settings reg;
  reg.request_timeout = 1500ms; // socket timeouts (200 + 200 + 600 ms) end first
  start(node->url(), proxy.url(), reg);
  EXPECT_TRUE(get_wallet().wallet.members_ids_hash.has_value()); // through the proxy
  proxy.set(test_support::anvil_fault_proxy::mode::hang);
  auto start_at = std::chrono::steady_clock::now();
  auto r = get_wallet();
  auto took = std::chrono::steady_clock::now() - start_at;
  ASSERT_EQ(r.code, chain_code::ok);
  EXPECT_FALSE(r.wallet.members_ids_hash.has_value());
  // The socket read timeout, not the actor timeout, ended the call.
  EXPECT_NE(r.wallet.registry_unavailable_cause.find("eth_call: Read"), std::string::npos)
    << r.wallet.registry_unavailable_cause;
  EXPECT_LT(took, 1500ms);
  proxy.set(test_support::anvil_fault_proxy::mode::pass);
}

TEST_F(EthereumReaders, ChainHeadReadsTheBlockNumber) {
  auto expected = node->client().call("eth_blockNumber", {});
  ASSERT_TRUE(expected.ok());
  auto height = *chain::parse_quantity(std::string(expected.result.as_string()));
  EXPECT_GT(height, 0u); // the deployments mined blocks
  chain_head_settings hs;
  hs.refresh_interval = 100ms;
  auto head = spawn_chain_head(sys, chain::make_ethereum_height(client(node->url())), hs);
  std::this_thread::sleep_for(300ms);
  auto h = ask<chain_height>(sys, head, 5s, height_atom::value);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->fresh) << h->cause;
  EXPECT_GE(h->height, height);
  caf::anon_send_exit(head, caf::exit_reason::user_shutdown);
}

} // namespace
} // namespace covsigner::actors
