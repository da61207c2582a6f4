// Chaos: 30 s of mixed reads (GetWallet and Bridge-only) while the registry
// backend flips between up, failing and hanging every 2 s (a loopback fault
// proxy in front of anvil: simulated faults, real node). Checks: no crash,
// every request answered within its timeout, and the p99 latency of
// Bridge-only reads during the chaos at most 2x their p99 without it
// (baseline measured in the same run, before and after the chaos).
#include "actors/bridge_reader.hpp"
#include "actors/registry_reader.hpp"
#include "tests/support/anvil_fault_proxy.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/chain/ethereum_test_support.hpp"

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

namespace covsigner::actors {
namespace {

using namespace std::chrono_literals;
using namespace messages;
using proxy_mode = test_support::anvil_fault_proxy::mode;

struct load_figures {
  std::vector<double> bridge_only_us;
  std::uint64_t get_wallets = 0;
  std::uint64_t with_members = 0;
  std::uint64_t degraded = 0;
  std::uint64_t unanswered = 0;  // request timed out or errored
  std::uint64_t bridge_failed = 0;
};

// Runs `clients` threads of alternating GetWallet / Bridge-only reads for
// `duration`, each with its own scoped_actor and a pause between requests.
load_figures run_load(caf::actor_system& sys, const bridge_reader_actor& bridge,
                      std::chrono::milliseconds duration, int clients) {
  load_figures total;
  std::mutex merge;
  std::vector<std::thread> threads;
  auto until = std::chrono::steady_clock::now() + duration;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      load_figures mine;
      caf::scoped_actor self{sys};
      for (std::uint64_t i = c; std::chrono::steady_clock::now() < until; ++i) {
        bool bridge_only = i % 2 == 0;
        auto start = std::chrono::steady_clock::now();
        auto timeout = bridge_only ? 3s : 5s; // GetWallet: Bridge 2 s + registry 1.5 s
        auto handle = [&](wallet_reply& r) {
          auto us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                      .count();
          if (r.code != chain_code::ok) {
            ++mine.bridge_failed;
            return;
          }
          if (bridge_only) {
            mine.bridge_only_us.push_back(us);
            return;
          }
          ++mine.get_wallets;
          if (r.wallet.members_ids_hash)
            ++mine.with_members;
          else
            ++mine.degraded;
        };
        auto fail = [&](caf::error&) { ++mine.unanswered; };
        if (bridge_only)
          self->request(bridge, timeout, bridge_only_atom::value, test_support::wallet_pkh)
            .receive(handle, fail);
        else
          self->request(bridge, timeout, wallet_atom::value, test_support::wallet_pkh)
            .receive(handle, fail);
        std::this_thread::sleep_for(5ms);
      }
      std::lock_guard lock(merge);
      total.bridge_only_us.insert(total.bridge_only_us.end(), mine.bridge_only_us.begin(),
                                  mine.bridge_only_us.end());
      total.get_wallets += mine.get_wallets;
      total.with_members += mine.with_members;
      total.degraded += mine.degraded;
      total.unanswered += mine.unanswered;
      total.bridge_failed += mine.bridge_failed;
    });
  }
  for (auto& t : threads)
    t.join();
  return total;
}

TEST(ChainChaos, RegistryFlappingDoesNotSlowBridgeReads) {
  ASSERT_TRUE(std::filesystem::exists(test_support::anvil_binary()))
    << "anvil missing: run npm install --ignore-scripts in tests/peers";
  test_support::temp_dir dir;
  test_support::anvil_node node((dir.path() / "anvil.log").string());
  ASSERT_TRUE(node.ready());
  auto contracts = test_support::deploy_test_chain(node);
  ASSERT_TRUE(contracts);
  test_support::anvil_fault_proxy proxy("127.0.0.1", node.port());

  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  reader_settings reg;
  reg.request_timeout = 1000ms;
  reg.breaker = {3, 2000ms, 500ms};
  reg.threads = 2;
  chain::rpc_timeouts reg_sockets{150ms, 150ms, 400ms};
  ASSERT_EQ(chain::check_timeouts(reg_sockets, reg.request_timeout), "");
  auto registry = spawn_registry_reader(
    sys,
    chain::make_ethereum_registry(chain::json_rpc_client(*chain::parse_http_url(proxy.url()),
                                                         reg_sockets),
                                  contracts->registry),
    reg);
  bridge_reader_settings br;
  br.reader.request_timeout = 2000ms;
  br.reader.threads = 4;
  br.registry_timeout = 1500ms;
  chain::rpc_timeouts bridge_sockets{300ms, 300ms, 1000ms};
  ASSERT_EQ(chain::check_timeouts(bridge_sockets, br.reader.request_timeout), "");
  auto bridge = spawn_bridge_reader(
    sys,
    chain::make_ethereum_bridge(chain::json_rpc_client(*chain::parse_http_url(node.url()),
                                                       bridge_sockets),
                                contracts->bridge),
    registry, br);

  constexpr int clients = 3;
  auto before = run_load(sys, bridge, 8s, clients);

  std::atomic<bool> chaos{true};
  std::thread flipper([&] {
    const proxy_mode cycle[] = {proxy_mode::pass, proxy_mode::fail, proxy_mode::hang};
    for (int i = 0; chaos; ++i) {
      proxy.set(cycle[i % 3]);
      for (int t = 0; t < 20 && chaos; ++t)
        std::this_thread::sleep_for(100ms);
    }
    proxy.set(proxy_mode::pass);
  });
  auto during = run_load(sys, bridge, 30s, clients);
  chaos = false;
  flipper.join();
  std::this_thread::sleep_for(1500ms); // let the registry breaker close again
  auto after = run_load(sys, bridge, 8s, clients);

  auto baseline = before.bridge_only_us;
  baseline.insert(baseline.end(), after.bridge_only_us.begin(), after.bridge_only_us.end());
  double p50_base = test_support::percentile_us(baseline, 50);
  double p99_base = test_support::percentile_us(baseline, 99);
  double p50_chaos = test_support::percentile_us(during.bridge_only_us, 50);
  double p99_chaos = test_support::percentile_us(during.bridge_only_us, 99);
  auto registry_status = test_support::ask<breaker_status>(sys, registry, 5s, status_atom::value);
  std::printf("[chaos] Bridge-only reads without chaos: n=%zu p50=%.0f us p99=%.0f us\n",
              baseline.size(), p50_base, p99_base);
  std::printf("[chaos] Bridge-only reads during chaos:  n=%zu p50=%.0f us p99=%.0f us (%.2fx)\n",
              during.bridge_only_us.size(), p50_chaos, p99_chaos, p99_chaos / p99_base);
  std::printf("[chaos] GetWallet without chaos: %llu (degraded %llu)\n",
              static_cast<unsigned long long>(before.get_wallets + after.get_wallets),
              static_cast<unsigned long long>(before.degraded + after.degraded));
  std::printf("[chaos] GetWallet during chaos: %llu (with members %llu, degraded %llu); "
              "unanswered %llu; Bridge failures %llu; registry failures %llu, fast fails %llu\n",
              static_cast<unsigned long long>(during.get_wallets),
              static_cast<unsigned long long>(during.with_members),
              static_cast<unsigned long long>(during.degraded),
              static_cast<unsigned long long>(during.unanswered + before.unanswered + after.unanswered),
              static_cast<unsigned long long>(during.bridge_failed),
              static_cast<unsigned long long>(registry_status ? registry_status->failures : 0),
              static_cast<unsigned long long>(registry_status ? registry_status->rejected : 0));

  // Every request got an answer within its timeout, and the Bridge never failed.
  EXPECT_EQ(before.unanswered + during.unanswered + after.unanswered, 0u);
  EXPECT_EQ(before.bridge_failed + during.bridge_failed + after.bridge_failed, 0u);
  // The chaos really happened: some GetWallets were degraded, some were full.
  EXPECT_GT(during.degraded, 0u);
  EXPECT_GT(during.with_members, 0u);
  // With the registry up, degradation is rare (a socket read timeout of
  // 400 ms can still fire on a loaded 2-core machine).
  EXPECT_LE(before.degraded * 100, before.get_wallets);
  ASSERT_GT(baseline.size(), 100u);
  ASSERT_GT(during.bridge_only_us.size(), 100u);
  EXPECT_LE(p99_chaos, 2 * p99_base);
  // No crash: both readers are alive and were never restarted.
  auto bs = test_support::ask<breaker_status>(sys, bridge, 5s, status_atom::value);
  ASSERT_TRUE(bs && registry_status);
  EXPECT_EQ(bs->restarts + registry_status->restarts, 0u);
  EXPECT_EQ(bs->state, "closed");
  caf::anon_send_exit(bridge, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
}

} // namespace
} // namespace covsigner::actors
