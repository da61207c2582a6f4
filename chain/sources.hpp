// The chain sources a reader actor can own. Each call blocks (it runs
// on the reader's call_pool, never on a CAF thread) and returns errors as
// values; an exception escaping a call is a bug, and the reader treats it as
// a crash (its supervisor restarts it). Implementations must be thread-safe:
// a reader runs several calls at once, one per pool thread.
#pragma once

#include "chain/read_result.hpp"
#include "covenant/output_spend.hpp"
#include "covenant/spend_authorization.hpp"
#include "covenant/wallet.hpp"
#include "crypto/bytes.hpp"

#include <cstdint>
#include <string>

namespace covsigner::chain {

/// Bridge `wallets(walletPubKeyHash)`. ok: every Bridge field of the
/// wallet (members_ids_hash left empty: that is the registry's).
/// not_found: createdAt == 0. unavailable: the source failed.
class bridge_source {
public:
  virtual ~bridge_source() = default;
  virtual read_result<covenant::wallet_chain_data> wallet(const crypto::hash20& wallet_pkh) = 0;
};

/// WalletRegistry `getWallet(ecdsaWalletID)`. ok: the members-IDs hash.
/// not_found: the registry returns the zero tuple for that ID.
class registry_source {
public:
  virtual ~registry_source() = default;
  virtual read_result<crypto::hash32> members_ids_hash(const crypto::hash32& wallet_id) = 0;
};

/// The host chain's current block number.
class height_source {
public:
  virtual ~height_source() = default;
  virtual read_result<std::uint64_t> block_height() = 0;
};

struct bitcoin_transaction {
  std::string hex;                 // raw transaction, lowercase hex
  std::uint64_t confirmations = 0; // 0: in the mempool
};

/// A Bitcoin transaction by txid (display byte order), whether one of its
/// outputs is unspent, and the tip height.
class bitcoin_source {
public:
  virtual ~bitcoin_source() = default;
  virtual read_result<bitcoin_transaction> transaction(const crypto::hash32& txid) = 0;
  /// Output `vout` of `txid` (display byte order), counting spends in the
  /// node's mempool. ok: unspent | spent (never unknown); an unknown txid or
  /// index answers spent, as Bitcoin Core's gettxout does. unavailable: the
  /// source failed or answered something else.
  virtual read_result<covenant::output_spend> output_spend(const crypto::hash32& txid,
                                                           std::uint32_t vout) = 0;
  virtual read_result<std::uint64_t> block_count() = 0;
};

/// CovenantSpendAuthorization `isAuthorized(utxoKey, walletPKH, value,
/// outputsHash)`, read deep enough to count as confirmed. ok(true): the
/// registry authorized exactly this tuple; ok(false): it did not (or not
/// yet deeply enough), cause says which; unavailable: the source failed.
class spend_authorization_source {
public:
  virtual ~spend_authorization_source() = default;
  virtual read_result<bool> authorized(const covenant::spend_authorization& tuple) = 0;
};

/// Whether the Bridge's state byte is a WalletState the node knows (0..5);
/// the reference refuses a wallet in any other state.
inline bool valid_wallet_state(std::uint8_t state) { return state <= 5; }

} // namespace covsigner::chain
