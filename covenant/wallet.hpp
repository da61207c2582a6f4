// tBTC wallet data as the node reads it from the host chain (reference §6.1).
#pragma once

#include "crypto/bytes.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace covsigner::covenant {

/// Bridge wallet states (Bridge enum order).
enum class wallet_state : std::uint8_t {
  unknown = 0,
  live = 1,
  moving_funds = 2,
  closing = 3,
  closed = 4,
  terminated = 5,
};

/// GetWallet's result: the Bridge's `wallets(pkh)` fields plus the Wallet
/// Registry's members-IDs hash. The registry read is best effort, so the hash
/// is optional and never a zero sentinel: when it is absent,
/// `registry_unavailable_cause` says why, and every consumer that needs it
/// must refuse, naming that cause.
struct wallet_chain_data {
  crypto::hash32 ecdsa_wallet_id{};
  std::optional<crypto::hash32> members_ids_hash;
  std::string registry_unavailable_cause; // set iff members_ids_hash is empty
  crypto::hash32 main_utxo_hash{};
  std::uint64_t pending_redemptions_value = 0;
  std::uint64_t created_at = 0; // unix seconds; 0 = not a wallet
  std::uint64_t moving_funds_requested_at = 0;
  std::uint64_t closing_started_at = 0;
  std::uint32_t pending_moved_funds_sweep_requests_count = 0;
  wallet_state state = wallet_state::unknown;
  crypto::hash32 moving_funds_target_wallets_commitment_hash{};

  friend bool operator==(const wallet_chain_data&, const wallet_chain_data&) = default;
};

} // namespace covsigner::covenant
