// Helpers shared by the chain reader tests: a fixture chain with one wallet, and latency percentiles.
#pragma once

#include "chain/fixture.hpp"
#include "messages/chain_readers.hpp"
#include "tests/support/actor_system.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace covsigner::test_support {

inline const std::string wallet_pkh = "0x" + std::string(40, 'a');
inline const std::string unknown_pkh = "0x" + std::string(40, 'b');
inline const std::string wallet_id_hex = "0x" + std::string(64, '1');
inline const std::string members_hex = "0x" + std::string(64, '2');
inline const std::string main_utxo_hex = "0x" + std::string(64, '3');
inline const std::string commitment_hex = "0x" + std::string(64, '4');
inline const std::string txid_hex = "0x" + std::string(64, 'c');

/// The wallet every GetWallet test reads (both backends hold the same data).
inline covenant::wallet_chain_data expected_bridge_wallet() {
  covenant::wallet_chain_data w;
  w.ecdsa_wallet_id = *crypto::fixed_from_0x_hex<32>(wallet_id_hex);
  w.main_utxo_hash = *crypto::fixed_from_0x_hex<32>(main_utxo_hex);
  w.pending_redemptions_value = 123456789;
  w.created_at = 1700000000;
  w.moving_funds_requested_at = 1700000100;
  w.closing_started_at = 1700000200;
  w.pending_moved_funds_sweep_requests_count = 3;
  w.state = covenant::wallet_state::moving_funds;
  w.moving_funds_target_wallets_commitment_hash = *crypto::fixed_from_0x_hex<32>(commitment_hex);
  return w;
}

inline std::shared_ptr<const chain::fixture_chain> test_fixture() {
  auto json = R"({"hostChainHeight": 4242, "bitcoinHeight": 850000,
    "wallets": [{"walletPubKeyHash": ")" + wallet_pkh + R"(", "ecdsaWalletID": ")" +
              wallet_id_hex + R"(", "mainUtxoHash": ")" + main_utxo_hex +
              R"(", "pendingRedemptionsValue": 123456789, "createdAt": 1700000000,
      "movingFundsRequestedAt": 1700000100, "closingStartedAt": 1700000200,
      "pendingMovedFundsSweepRequestsCount": 3, "state": 2,
      "movingFundsTargetWalletsCommitmentHash": ")" + commitment_hex +
              R"(", "membersIdsHash": ")" + members_hex + R"("}],
    "transactions": [{"txid": ")" + txid_hex + R"(", "hex": "0200000001", "confirmations": 6}]})";
  std::string error;
  auto chain = chain::parse_fixture(json, error);
  EXPECT_TRUE(chain) << error;
  return std::make_shared<const chain::fixture_chain>(*chain);
}

/// The q-th percentile (0..100) of `samples` in microseconds.
inline double percentile_us(std::vector<double> samples, double q) {
  if (samples.empty())
    return 0;
  std::sort(samples.begin(), samples.end());
  auto index = static_cast<std::size_t>(q / 100.0 * static_cast<double>(samples.size() - 1) + 0.5);
  return samples[std::min(index, samples.size() - 1)];
}

} // namespace covsigner::test_support
