// Starts anvil, deploys TestBridge and TestWalletRegistry and stores the
// GetWallet test wallet in both (the same data as the fixture backend's).
#pragma once

#include "tests/support/anvil.hpp"
#include "tests/unit/chain/reader_test_support.hpp"

#include <gtest/gtest.h>

namespace covsigner::test_support {

struct test_chain {
  chain::eth_address bridge{};
  chain::eth_address registry{};
};

inline std::string bridge_set_wallet_signature() {
  return "setWallet(bytes20,(bytes32,bytes32,uint64,uint32,uint32,uint32,uint32,uint8,bytes32))";
}

/// Deploys both contracts and stores the test wallet. Failures are reported
/// through gtest (a missing peer fails, it never skips).
inline std::optional<test_chain> deploy_test_chain(anvil_node& node) {
  std::string error;
  test_chain c;
  auto bridge = node.deploy("TestBridge", error);
  EXPECT_TRUE(bridge) << error;
  auto registry = node.deploy("TestWalletRegistry", error);
  EXPECT_TRUE(registry) << error;
  if (!bridge || !registry)
    return std::nullopt;
  c.bridge = *bridge;
  c.registry = *registry;
  auto w = expected_bridge_wallet();
  auto pkh = *crypto::fixed_from_0x_hex<20>(wallet_pkh);
  using namespace chain;
  auto set_wallet = encode_call(
    bridge_set_wallet_signature(),
    {word_from_bytes20(pkh), word_from_bytes32(w.ecdsa_wallet_id), word_from_bytes32(w.main_utxo_hash),
     word_from_uint(w.pending_redemptions_value), word_from_uint(w.created_at),
     word_from_uint(w.moving_funds_requested_at), word_from_uint(w.closing_started_at),
     word_from_uint(w.pending_moved_funds_sweep_requests_count),
     word_from_uint(static_cast<std::uint8_t>(w.state)),
     word_from_bytes32(w.moving_funds_target_wallets_commitment_hash)});
  EXPECT_TRUE(node.transact(c.bridge, set_wallet, error)) << error;
  crypto::hash32 x{}, y{};
  x.fill(0x55);
  y.fill(0x66);
  auto set_registry = encode_call("setWallet(bytes32,bytes32,bytes32,bytes32)",
                                  {word_from_bytes32(w.ecdsa_wallet_id),
                                   word_from_bytes32(*crypto::fixed_from_0x_hex<32>(members_hex)),
                                   word_from_bytes32(x), word_from_bytes32(y)});
  EXPECT_TRUE(node.transact(c.registry, set_registry, error)) << error;
  return c;
}

/// Flips TestWalletRegistry's revert switch.
inline void set_registry_failing(anvil_node& node, const chain::eth_address& registry, bool on) {
  std::string error;
  EXPECT_TRUE(node.transact(registry, chain::encode_call("setFailing(bool)", {chain::word_from_uint(on)}),
                            error))
    << error;
}

} // namespace covsigner::test_support
