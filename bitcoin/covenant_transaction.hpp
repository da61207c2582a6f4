// The covenant spend (reference §6.7): transaction layout, the sighash the
// signer signs, the self_v1 witness and psbtHash, and the qc_v1 handoff's
// unsigned transaction and selector items.
#pragma once

#include "bitcoin/transaction.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace covsigner::bitcoin {

/// Which destination the spend pays (request `action`).
enum class covenant_action { migration, redeem, renew };

/// Value of the anchor output, satoshis.
inline constexpr std::int64_t anchor_value_sats = 330;

/// Transaction version of every covenant spend.
inline constexpr std::uint32_t covenant_transaction_version = 1;

/// What a covenant spend is built from (request + migrationTransactionPlan).
struct covenant_spend_plan {
  outpoint active_outpoint;         ///< txid in internal byte order
  std::uint32_t input_sequence = 0; ///< plan inputSequence (0xFFFFFFFD)
  std::uint32_t lock_time = 0;      ///< plan lockTime
  covenant_action action = covenant_action::migration;
  /// MIGRATION: the depositScript (wrapped as P2WSH here); REDEEM: the
  /// outputScript; RENEW: the nextCovenantScript (both used verbatim).
  bytes destination_script;
  std::uint64_t destination_value_sats = 0;
};

/// Output 0's scriptPubKey for `action` (MIGRATION -> P2WSH(script);
/// REDEEM and RENEW -> script verbatim).
bytes destination_script_pubkey(covenant_action action, std::span<const std::uint8_t> script);

/// The unsigned spend, or why it cannot be built.
struct covenant_spend_result {
  std::optional<transaction> tx;
  std::string error; ///< empty when tx is set
};

/// Builds the unsigned spend: version 1; one input (active outpoint, empty
/// scriptSig, input_sequence, no witness); output 0 = destination, output 1
/// = 330-sat anchor P2WSH(OP_TRUE); locktime = lock_time. Fails with
/// "destination value exceeds int64" when the value does not fit int64.
covenant_spend_result build_covenant_spend(const covenant_spend_plan& plan);

/// The BIP143 SIGHASH_ALL digest of input 0 with scriptCode = the witness
/// script and amount = the active UTXO's value: what the wallet signs.
/// Precondition: tx has at least one input.
hash32 covenant_sighash(const transaction& tx, std::span<const std::uint8_t> witness_script,
                        std::int64_t input_value_sats);

/// self_v1 "signer after maturity" witness: [sig, 0x01, <empty>, script],
/// `signature` being DER + sighash byte.
std::vector<bytes> self_v1_signer_witness(std::span<const std::uint8_t> signature,
                                          std::span<const std::uint8_t> witness_script);

/// The selector items that pick a branch: [0x01, <empty>] (inner IF true,
/// outer IF false). Shared by the self_v1 signer branch and the qc_v1
/// migration branch; the handoff reports them as ["0x01","0x"].
std::vector<bytes> maturity_branch_selector();

/// qc_v1 migration (signer + custodian 2-of-2) witness as the custodian
/// completes it: [<empty dummy>, sigS, sigC, 0x01, <empty>, script].
std::vector<bytes> qc_v1_migration_witness(std::span<const std::uint8_t> signer_signature,
                                           std::span<const std::uint8_t> custodian_signature,
                                           std::span<const std::uint8_t> witness_script);

/// `tx` with input 0's witness set to `witness`. Precondition: one input.
transaction with_input_witness(transaction tx, std::vector<bytes> witness);

/// The self_v1 psbtHash: double SHA-256 of the full witness serialization
/// in internal (non-reversed) byte order, i.e. the wtxid bytes.
hash32 self_v1_psbt_hash(const transaction& signed_tx);

/// The qc_v1 handoff's unsignedTransactionHex bytes: the legacy (non-witness)
/// serialization.
bytes qc_v1_unsigned_transaction(const transaction& tx);

} // namespace covsigner::bitcoin
