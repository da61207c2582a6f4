// Solidity ABI encoding and decoding for the two calls the node makes:
// Bridge `wallets(bytes20)` and WalletRegistry `getWallet(bytes32)`, plus the
// word helpers tests use to build setter calls. Only static types occur, so
// every value is one 32-byte word and tuples are encoded inline.
#pragma once

#include "crypto/bytes.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace covsigner::chain {

using abi_word = std::array<std::uint8_t, 32>;
using selector = std::array<std::uint8_t, 4>;

/// First four bytes of keccak256(signature), e.g. "wallets(bytes20)".
selector function_selector(std::string_view signature);

/// uintN / uint8 (enum) word: big-endian, left-padded with zeros.
abi_word word_from_uint(std::uint64_t value);
/// bytesN word: the bytes left-aligned, right-padded with zeros.
abi_word word_from_bytes20(const crypto::hash20& value);
abi_word word_from_bytes32(const crypto::hash32& value);

/// selector(signature) followed by the argument words.
crypto::bytes encode_call(std::string_view signature, const std::vector<abi_word>& args);

/// Reads word `index` of `data` as an unsigned integer of `bits` bits.
/// nullopt when the word is out of range or has bits set above `bits`
/// (a well-formed ABI value never does; a node that sends one is broken).
std::optional<std::uint64_t> decode_uint(const crypto::bytes& data, std::size_t index,
                                         unsigned bits);
/// Reads word `index` of `data` as bytes32. nullopt when out of range.
std::optional<crypto::hash32> decode_bytes32(const crypto::bytes& data, std::size_t index);

/// Bridge `wallets(bytes20)` return tuple, in declaration order of
/// Wallets.Wallet in keep-network/tbtc-v2 (solidity/contracts/bridge/
/// Wallets.sol; threshold-network docs "Solidity API / Wallets"):
/// (bytes32 ecdsaWalletID, bytes32 mainUtxoHash, uint64
/// pendingRedemptionsValue, uint32 createdAt, uint32 movingFundsRequestedAt,
/// uint32 closingStartedAt, uint32 pendingMovedFundsSweepRequestsCount,
/// WalletState(uint8) state, bytes32 movingFundsTargetWalletsCommitmentHash).
struct bridge_wallet_tuple {
  crypto::hash32 ecdsa_wallet_id{};
  crypto::hash32 main_utxo_hash{};
  std::uint64_t pending_redemptions_value = 0;
  std::uint32_t created_at = 0;
  std::uint32_t moving_funds_requested_at = 0;
  std::uint32_t closing_started_at = 0;
  std::uint32_t pending_moved_funds_sweep_requests_count = 0;
  std::uint8_t state = 0;
  crypto::hash32 moving_funds_target_wallets_commitment_hash{};
};

/// WalletRegistry `getWallet(bytes32)` return tuple (keep-core
/// solidity/ecdsa Wallets.Wallet): (bytes32 membersIdsHash, bytes32
/// publicKeyX, bytes32 publicKeyY). An unknown ID returns all zeros.
struct registry_wallet_tuple {
  crypto::hash32 members_ids_hash{};
  crypto::hash32 public_key_x{};
  crypto::hash32 public_key_y{};
};

inline constexpr std::string_view bridge_wallets_signature = "wallets(bytes20)";
inline constexpr std::string_view registry_get_wallet_signature = "getWallet(bytes32)";
/// tbtc-v2 CovenantSpendAuthorization (PR #1003).
inline constexpr std::string_view spend_authorization_is_authorized_signature =
    "isAuthorized(uint256,bytes20,uint64,bytes32)";

/// Decodes the return data of `wallets(bytes20)`. Errors: wrong length
/// (must be exactly 9 words) or an out-of-range integer word; `error` names it.
std::optional<bridge_wallet_tuple> decode_bridge_wallet(const crypto::bytes& data,
                                                        std::string& error);
/// Decodes a `bool` return (exactly one word, 0 or 1).
std::optional<bool> decode_bool(const crypto::bytes& data, std::string& error);

/// Decodes the return data of `getWallet(bytes32)` (exactly 3 words).
std::optional<registry_wallet_tuple> decode_registry_wallet(const crypto::bytes& data,
                                                            std::string& error);

} // namespace covsigner::chain
