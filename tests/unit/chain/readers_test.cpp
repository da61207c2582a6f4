// The chain reader actors over the fixture backend: the seed's three
// GetWallet tests (keep-core pkg/tbtc/get_wallet_fault_isolation_test.go),
// breakers, timeouts, chain_head freshness, the Bitcoin reader, supervision.
#include "actors/bitcoin_reader.hpp"
#include "actors/bridge_reader.hpp"
#include "actors/chain_head.hpp"
#include "actors/registry_reader.hpp"
#include "actors/spend_authorization_reader.hpp"
#include "tests/unit/chain/reader_test_support.hpp"

#include <thread>

namespace covsigner::actors {
namespace {

using namespace std::chrono_literals;
using namespace messages;
using test_support::ask;

struct Readers : ::testing::Test {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<const chain::fixture_chain> fixture = test_support::test_fixture();
  std::shared_ptr<chain::fault_switch> bridge_faults = std::make_shared<chain::fault_switch>(5s);
  std::shared_ptr<chain::fault_switch> registry_faults = std::make_shared<chain::fault_switch>(5s);
  registry_reader_actor registry;
  bridge_reader_actor bridge;

  void start(reader_settings registry_settings = {}, bridge_reader_settings bridge_settings = {},
             restart_budget budget = {}) {
    registry = spawn_registry_reader(sys, chain::make_fixture_registry(fixture, registry_faults),
                                     registry_settings, budget);
    bridge = spawn_bridge_reader(sys, chain::make_fixture_bridge(fixture, bridge_faults), registry,
                                 bridge_settings, budget);
  }
  wallet_reply get_wallet(const std::string& pkh = test_support::wallet_pkh,
                          std::chrono::milliseconds timeout = 10s) {
    auto r = ask<wallet_reply>(sys, bridge, timeout, wallet_atom::value, pkh);
    EXPECT_TRUE(r) << caf::to_string(r.error());
    return r ? *r : wallet_reply{};
  }
  breaker_status status_of(const caf::actor_addr&) = delete;
  template <class Handle>
  breaker_status status(const Handle& h) {
    auto r = ask<breaker_status>(sys, h, 5s, status_atom::value);
    EXPECT_TRUE(r);
    return r ? *r : breaker_status{};
  }
  void TearDown() override {
    // Release hanging fixture calls, then stop the readers.
    bridge_faults->set(chain::fault_mode::none);
    registry_faults->set(chain::fault_mode::none);
    if (bridge)
      caf::anon_send_exit(bridge, caf::exit_reason::user_shutdown);
    if (registry)
      caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
  }
};

TEST_F(Readers, GetWalletReturnsDataWhenRegistryFails) {
  start();
  registry_faults->set(chain::fault_mode::fail);
  auto r = get_wallet();
  ASSERT_EQ(r.code, chain_code::ok) << r.cause;
  auto expected = test_support::expected_bridge_wallet();
  // No members hash, no zero sentinel: an empty optional plus the cause.
  EXPECT_FALSE(r.wallet.members_ids_hash.has_value());
  EXPECT_EQ(r.wallet.registry_unavailable_cause,
            "fixture WalletRegistry failed (simulated fault)");
  expected.registry_unavailable_cause = r.wallet.registry_unavailable_cause;
  EXPECT_EQ(r.wallet, expected); // every Bridge field intact
}

TEST_F(Readers, GetWalletReturnsFullDataWhenRegistrySucceeds) {
  start();
  auto r = get_wallet();
  ASSERT_EQ(r.code, chain_code::ok) << r.cause;
  auto expected = test_support::expected_bridge_wallet();
  expected.members_ids_hash = *crypto::fixed_from_0x_hex<32>(test_support::members_hex);
  EXPECT_EQ(r.wallet, expected);
  EXPECT_EQ(r.wallet.registry_unavailable_cause, "");
}

TEST_F(Readers, GetWalletBridgeFailureStillReturnsError) {
  start();
  auto nf = get_wallet(test_support::unknown_pkh);
  EXPECT_EQ(nf.code, chain_code::not_found);
  EXPECT_EQ(nf.wallet, covenant::wallet_chain_data{});
  EXPECT_EQ(nf.cause, "wallet not found for public key hash [" + test_support::unknown_pkh +
                        "]: fixture Bridge has no wallet " + test_support::unknown_pkh);
  bridge_faults->set(chain::fault_mode::fail);
  auto failed = get_wallet();
  EXPECT_EQ(failed.code, chain_code::unavailable);
  EXPECT_EQ(failed.wallet, covenant::wallet_chain_data{});
  EXPECT_EQ(failed.cause, "cannot get wallet for public key hash " + test_support::wallet_pkh +
                            ": fixture Bridge failed (simulated fault)");
}

TEST_F(Readers, BridgeOnlyReadsAndAMissingRegistryNameTheirCause) {
  start();
  auto r = ask<wallet_reply>(sys, bridge, 5s, bridge_only_atom::value, test_support::wallet_pkh);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->code, chain_code::ok);
  EXPECT_FALSE(r->wallet.members_ids_hash);
  EXPECT_EQ(r->wallet.registry_unavailable_cause, "not requested (Bridge-only read)");
  auto lone = spawn_bridge_reader(sys, chain::make_fixture_bridge(fixture, bridge_faults), {});
  r = ask<wallet_reply>(sys, lone, 5s, wallet_atom::value, test_support::wallet_pkh);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->code, chain_code::ok);
  EXPECT_FALSE(r->wallet.members_ids_hash);
  EXPECT_EQ(r->wallet.registry_unavailable_cause, "no wallet registry reader is configured");
  caf::anon_send_exit(lone, caf::exit_reason::user_shutdown);
}

TEST_F(Readers, InvalidKeyIsATypedError) {
  start();
  auto r = ask<wallet_reply>(sys, bridge, 5s, wallet_atom::value, std::string("0x12"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), caf::sec::invalid_argument);
}

TEST_F(Readers, HungRegistryIsBoundedByItsTimeoutThenTheBreakerFailsFast) {
  reader_settings reg;
  reg.request_timeout = 300ms;
  reg.breaker = {2, 10000ms, 60000ms};
  start(reg);
  registry_faults->set(chain::fault_mode::hang);
  for (int i = 0; i < 2; ++i) {
    auto start_at = std::chrono::steady_clock::now();
    auto r = get_wallet();
    auto took = std::chrono::steady_clock::now() - start_at;
    ASSERT_EQ(r.code, chain_code::ok);
    EXPECT_EQ(r.wallet.registry_unavailable_cause,
              "wallet registry did not answer within 300 ms");
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 1500ms);
  }
  EXPECT_EQ(status(registry).state, "open");
  auto start_at = std::chrono::steady_clock::now();
  auto r = get_wallet();
  EXPECT_LT(std::chrono::steady_clock::now() - start_at, 100ms);
  EXPECT_EQ(r.wallet.registry_unavailable_cause,
            "wallet registry circuit breaker is open (fast fail)");
  auto st = status(registry);
  EXPECT_EQ(st.failures, 2u);
  EXPECT_EQ(st.rejected, 1u);
}

TEST_F(Readers, BreakerRecoversThroughOneHalfOpenProbe) {
  bridge_reader_settings br;
  br.reader.breaker = {3, 10000ms, 200ms};
  start({}, br);
  bridge_faults->set(chain::fault_mode::fail);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(get_wallet().code, chain_code::unavailable);
  EXPECT_EQ(status(bridge).state, "open");
  bridge_faults->set(chain::fault_mode::none);
  auto fast = get_wallet(); // still inside the backoff: refused without a call
  EXPECT_EQ(fast.cause, "cannot get wallet for public key hash " + test_support::wallet_pkh +
                          ": Bridge circuit breaker is open (fast fail)");
  std::this_thread::sleep_for(250ms);
  EXPECT_EQ(get_wallet().code, chain_code::ok); // the probe
  EXPECT_EQ(status(bridge).state, "closed");
}

TEST_F(Readers, TwoHungRegistryCallsDoNotSlowBridgeReads) {
  reader_settings reg;
  reg.request_timeout = 3000ms;
  reg.threads = 2;
  start(reg);
  registry_faults->set(chain::fault_mode::hang);
  // Two GetWallets whose registry calls hang, in flight from other threads.
  std::vector<std::thread> hung;
  for (int i = 0; i < 2; ++i)
    hung.emplace_back([this] { get_wallet(); });
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(status(registry).in_flight, 2u);
  // A read stuck behind the hung calls would take their full 3 s; bounds
  // leave room for a loaded 2-core machine.
  std::vector<double> us;
  for (int i = 0; i < 50; ++i) {
    auto start_at = std::chrono::steady_clock::now();
    auto r = ask<wallet_reply>(sys, bridge, 5s, bridge_only_atom::value, test_support::wallet_pkh);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, chain_code::ok);
    auto took = std::chrono::steady_clock::now() - start_at;
    EXPECT_LT(took, 1000ms);
    us.push_back(std::chrono::duration<double, std::micro>(took).count());
  }
  EXPECT_LT(test_support::percentile_us(us, 50), 20000.0);
  EXPECT_EQ(status(registry).in_flight, 2u); // still hung meanwhile
  registry_faults->set(chain::fault_mode::none);
  for (auto& t : hung)
    t.join();
}

TEST_F(Readers, CrashedReaderIsRestartedWithinItsBudgetThenReportedFailed) {
  start({}, {}, restart_budget{2, 60000ms});
  bridge_faults->set(chain::fault_mode::crash);
  auto crashed = get_wallet();
  EXPECT_EQ(crashed.code, chain_code::unavailable);
  EXPECT_EQ(crashed.cause, "cannot get wallet for public key hash " + test_support::wallet_pkh +
                             ": Bridge reader crashed: fixture Bridge crashed (simulated fault)");
  bridge_faults->set(chain::fault_mode::none);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(get_wallet().code, chain_code::ok); // restarted
  EXPECT_EQ(status(bridge).restarts, 1u);
  bridge_faults->set(chain::fault_mode::crash);
  get_wallet();
  std::this_thread::sleep_for(50ms);
  get_wallet(); // third crash: past the budget of two restarts
  std::this_thread::sleep_for(50ms);
  bridge_faults->set(chain::fault_mode::none);
  auto st = status(bridge);
  EXPECT_EQ(st.state, "failed");
  EXPECT_EQ(st.restarts, 2u);
  EXPECT_NE(st.cause.find("Bridge reader crashed more than 2 times in 60000 ms; not restarting"),
            std::string::npos)
    << st.cause;
  auto refused = get_wallet();
  EXPECT_EQ(refused.code, chain_code::unavailable);
  EXPECT_EQ(refused.cause, st.cause);
}

TEST_F(Readers, ChainHeadServesAFreshHeightAndFailsClosedWhenStale) {
  chain_head_settings hs;
  hs.refresh_interval = 50ms;
  hs.max_age = 300ms;
  hs.reader.request_timeout = 200ms;
  hs.reader.breaker = {5, 10000ms, 100ms};
  auto head = spawn_chain_head(sys, chain::make_fixture_height(fixture, registry_faults), hs);
  std::this_thread::sleep_for(100ms);
  auto h = ask<chain_height>(sys, head, 5s, height_atom::value);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->fresh) << h->cause;
  EXPECT_EQ(h->height, 4242u);
  registry_faults->set(chain::fault_mode::fail);
  std::this_thread::sleep_for(500ms);
  h = ask<chain_height>(sys, head, 5s, height_atom::value);
  ASSERT_TRUE(h);
  EXPECT_FALSE(h->fresh);
  EXPECT_EQ(h->height, 4242u);
  EXPECT_GT(h->age_ms, 300u);
  EXPECT_NE(h->cause.find("host chain height 4242 is stale: refreshed "), std::string::npos);
  EXPECT_NE(h->cause.find(" ms ago, maximum age 300 ms; last error: "), std::string::npos)
    << h->cause;
  registry_faults->set(chain::fault_mode::none);
  std::this_thread::sleep_for(400ms); // breaker backoff, then the probe refreshes
  h = ask<chain_height>(sys, head, 5s, height_atom::value);
  EXPECT_TRUE(h && h->fresh);
  caf::anon_send_exit(head, caf::exit_reason::user_shutdown);
}

TEST_F(Readers, ChainHeadWithoutAnyHeightIsNotFresh) {
  registry_faults->set(chain::fault_mode::fail);
  chain_head_settings hs;
  hs.refresh_interval = 50ms;
  auto head = spawn_chain_head(sys, chain::make_fixture_height(fixture, registry_faults), hs);
  std::this_thread::sleep_for(100ms);
  auto h = ask<chain_height>(sys, head, 5s, height_atom::value);
  ASSERT_TRUE(h);
  EXPECT_FALSE(h->fresh);
  EXPECT_EQ(h->cause, "host chain height is not known yet; last error: fixture host chain failed "
                      "(simulated fault)");
  caf::anon_send_exit(head, caf::exit_reason::user_shutdown);
}

TEST_F(Readers, BitcoinReaderResolvesTransactions) {
  auto btc = spawn_bitcoin_reader(sys, chain::make_fixture_bitcoin(fixture, nullptr));
  auto r = ask<outpoint_reply>(sys, btc, 5s, outpoint_atom::value, test_support::txid_hex,
                               std::uint32_t{0});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, chain_code::ok);
  EXPECT_EQ(r->transaction_hex, "0200000001");
  EXPECT_EQ(r->confirmations, 6u);
  EXPECT_EQ(r->output, covenant::output_spend::unspent);
  auto missing = "0x" + std::string(64, 'd');
  r = ask<outpoint_reply>(sys, btc, 5s, outpoint_atom::value, missing, std::uint32_t{0});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, chain_code::not_found);
  EXPECT_EQ(r->cause, "fixture Bitcoin has no transaction " + missing);
  // No transaction: its output is not asked about.
  EXPECT_EQ(r->output, covenant::output_spend::unknown);
  caf::anon_send_exit(btc, caf::exit_reason::user_shutdown);
}

TEST_F(Readers, SpendAuthorizationAnswersAreCountedAcrossARestart) {
  // One authorized tuple; the same outpoint with other outputs is not.
  covenant::spend_authorization yes;
  yes.utxo_key.fill(0x11);
  yes.wallet_pkh.fill(0x22);
  yes.value = 1000000;
  yes.outputs_hash.fill(0x33);
  auto other = yes;
  other.outputs_hash.fill(0x44);
  auto chain = std::make_shared<chain::fixture_chain>(*fixture);
  chain->spend_authorizations.emplace(yes.utxo_key, yes.wallet_pkh, yes.value, yes.outputs_hash);
  auto faults = std::make_shared<chain::fault_switch>(5s);
  auto reader = spawn_spend_authorization_reader(
    sys, chain::make_fixture_spend_authorization(chain, faults), {}, restart_budget{2, 60000ms});
  auto check = [&](const covenant::spend_authorization& tuple) {
    auto r = ask<spend_authorization_reply>(sys, reader, 5s, tuple);
    EXPECT_TRUE(r) << caf::to_string(r.error());
    return r ? r->code : authorization_code::authorized;
  };
  EXPECT_EQ(check(yes), authorization_code::authorized);
  EXPECT_EQ(check(other), authorization_code::not_authorized);
  faults->set(chain::fault_mode::fail);
  EXPECT_EQ(check(yes), authorization_code::unavailable);
  faults->set(chain::fault_mode::crash);
  EXPECT_EQ(check(yes), authorization_code::unavailable); // the worker crashed
  faults->set(chain::fault_mode::none);
  for (int i = 0; i < 100 && status(reader).restarts == 0; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(check(other), authorization_code::not_authorized); // the restarted worker
  EXPECT_EQ(status(reader).restarts, 1u);
  auto answers = ask<authorization_answers>(sys, reader, 5s, answers_atom::value);
  ASSERT_TRUE(answers);
  EXPECT_EQ(answers->authorized, 1u);
  EXPECT_EQ(answers->not_authorized, 2u);
  EXPECT_EQ(answers->unavailable, 2u);
  caf::anon_send_exit(reader, caf::exit_reason::user_shutdown);
}

} // namespace
} // namespace covsigner::actors

namespace covsigner::actors {
namespace {

using namespace std::chrono_literals;

TEST(ReaderShutdown, AHungBackendCallDoesNotBlockShutdown) {
  auto fixture = test_support::test_fixture();
  auto faults = std::make_shared<chain::fault_switch>(30s);
  faults->set(chain::fault_mode::hang);
  auto start_at = std::chrono::steady_clock::now();
  {
    caf::actor_system_config cfg;
    caf::actor_system sys{cfg};
    reader_settings rs;
    rs.request_timeout = 200ms;
    auto reader = spawn_registry_reader(sys, chain::make_fixture_registry(fixture, faults), rs);
    auto r = test_support::ask<messages::registry_reply>(sys, reader, 5s, messages::wallet_atom::value,
                                                         test_support::wallet_id_hex);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, messages::chain_code::unavailable);
    EXPECT_EQ(r->cause, "wallet registry did not answer within 200 ms");
    caf::anon_send_exit(reader, caf::exit_reason::user_shutdown);
  } // the actor system ends while the backend call still hangs on its thread
  EXPECT_LT(std::chrono::steady_clock::now() - start_at, 5s);
  faults->set(chain::fault_mode::none); // lets the detached thread finish
}

} // namespace
} // namespace covsigner::actors
