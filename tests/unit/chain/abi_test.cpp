// ABI codec for Bridge wallets(bytes20) and WalletRegistry getWallet(bytes32).
#include "chain/abi.hpp"

#include <gtest/gtest.h>

namespace covsigner::chain {
namespace {

crypto::hash32 filled32(std::uint8_t b) {
  crypto::hash32 h{};
  h.fill(b);
  return h;
}

TEST(ChainAbi, SelectorsMatchTheGoBindings) {
  // keep-core's abigen bindings: "Wallets is a free data retrieval call
  // binding the contract method 0xe65e19d5" (Bridge) and "GetWallet ...
  // method 0x789d392a" (WalletRegistry getWallet(bytes32)).
  EXPECT_EQ(crypto::to_hex(function_selector("wallets(bytes20)")), "e65e19d5");
  EXPECT_EQ(crypto::to_hex(function_selector("getWallet(bytes32)")), "789d392a");
  // The ERC-20 transfer selector, the best-known published one.
  EXPECT_EQ(crypto::to_hex(function_selector("transfer(address,uint256)")), "a9059cbb");
}

TEST(ChainAbi, EncodesStaticArguments) {
  crypto::hash20 pkh{};
  pkh.fill(0xab);
  auto call = encode_call("wallets(bytes20)", {word_from_bytes20(pkh)});
  ASSERT_EQ(call.size(), 36u);
  // bytes20 is left-aligned in its word, then zero padded.
  std::string ab;
  for (int i = 0; i < 20; ++i)
    ab += "ab";
  EXPECT_EQ(crypto::to_hex(call), "e65e19d5" + ab + std::string(24, '0'));
  auto w = word_from_uint(0x0102030405060708ULL);
  EXPECT_EQ(crypto::to_hex(w), std::string(48, '0') + "0102030405060708");
}

crypto::bytes bridge_return(std::uint64_t created_at, std::uint64_t state) {
  std::vector<abi_word> words = {filled32(0x11),  filled32(0x22),   word_from_uint(123456789),
                                 word_from_uint(created_at), word_from_uint(7),
                                 word_from_uint(8), word_from_uint(9), word_from_uint(state),
                                 filled32(0x33)};
  crypto::bytes out;
  for (auto& w : words)
    out.insert(out.end(), w.begin(), w.end());
  return out;
}

TEST(ChainAbi, DecodesTheBridgeWalletTuple) {
  std::string error;
  auto t = decode_bridge_wallet(bridge_return(1700000000, 2), error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->ecdsa_wallet_id, filled32(0x11));
  EXPECT_EQ(t->main_utxo_hash, filled32(0x22));
  EXPECT_EQ(t->pending_redemptions_value, 123456789u);
  EXPECT_EQ(t->created_at, 1700000000u);
  EXPECT_EQ(t->moving_funds_requested_at, 7u);
  EXPECT_EQ(t->closing_started_at, 8u);
  EXPECT_EQ(t->pending_moved_funds_sweep_requests_count, 9u);
  EXPECT_EQ(t->state, 2u);
  EXPECT_EQ(t->moving_funds_target_wallets_commitment_hash, filled32(0x33));
}

TEST(ChainAbi, RejectsMalformedBridgeData) {
  std::string error;
  auto data = bridge_return(1, 1);
  data.pop_back();
  EXPECT_FALSE(decode_bridge_wallet(data, error));
  EXPECT_EQ(error, "Bridge wallets() returned 287 bytes; expected 288 (9 ABI words)");
  // createdAt is a uint32: a word with bit 32 set is not a valid value.
  EXPECT_FALSE(decode_bridge_wallet(bridge_return(1ULL << 32, 1), error));
  EXPECT_EQ(error, "ABI word 3 (createdAt) is not a valid uint32");
  EXPECT_FALSE(decode_bridge_wallet(bridge_return(1, 256), error));
  EXPECT_EQ(error, "ABI word 7 (state) is not a valid uint8");
}

TEST(ChainAbi, DecodesTheRegistryWalletTuple) {
  crypto::bytes data;
  for (std::uint8_t b : {0x44, 0x55, 0x66}) {
    auto w = filled32(b);
    data.insert(data.end(), w.begin(), w.end());
  }
  std::string error;
  auto t = decode_registry_wallet(data, error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->members_ids_hash, filled32(0x44));
  EXPECT_EQ(t->public_key_x, filled32(0x55));
  EXPECT_EQ(t->public_key_y, filled32(0x66));
  data.resize(64);
  EXPECT_FALSE(decode_registry_wallet(data, error));
  EXPECT_EQ(error, "WalletRegistry getWallet() returned 64 bytes; expected 96 (3 ABI words)");
}

} // namespace
} // namespace covsigner::chain
