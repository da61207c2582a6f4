// The tBTC signing engine's decisions (reference §6.2, §6.5-§6.7), as pure
// functions over plain values. The signing_session actor runs them in order
// and does the I/O between the steps (Bitcoin read, durable SIGNING, audit
// line, signer):
//
//   prepare_spend      gate, route, template, signer key, "controlled by
//                      this node", witness script, active txid
//   resolve_active_outpoint   the funding transaction: found, final
//                      (confirmations), output index, script, value, scriptHash
//   plan_spend         output values, the unsigned spend and its sighash
//   finish_spend       the signer's signature checked, the witness verified
//                      by our interpreter, the READY transition
//
// Every refusal is a FAILED job_transition with the reference's reason and
// exact detail (keep-core pkg/tbtc/covenant_signer.go); no step throws.
#pragma once

#include "bitcoin/transaction.hpp"
#include "covenant/job.hpp"
#include "covenant/output_spend.hpp"
#include "covenant/request.hpp"
#include "crypto/bytes.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace covsigner::covenant {

/// The engine's configuration (reference §6.2, §7.1).
struct engine_settings {
  /// `bridgeCovenantFraudDefenseConfirmed`: false (the default) refuses to
  /// sign anything.
  bool fraud_defense_confirmed = false;
  /// `minActiveOutpointConfirmations`; 0 means the default, 6.
  std::uint64_t min_confirmations = 6;
};

inline constexpr std::uint64_t default_min_confirmations = 6;

/// Detail of the gate's refusal (FAILED / POLICY_REJECTED).
inline constexpr std::string_view fraud_defense_disabled_detail =
    "covenant signing is disabled until the tBTC Bridge covenant fraud-defense path is "
    "confirmed deployed; a covenant signature would otherwise expose the wallet to an "
    "undefeatable fraud challenge";

/// Detail of the durable SIGNING state (ours: the reference never persists
/// SIGNING). A client polling meanwhile sees PENDING with this detail.
inline constexpr std::string_view signing_detail = "signing covenant transaction";

inline constexpr std::string_view self_v1_ready_detail = "self_v1 artifact ready";
inline constexpr std::string_view self_v1_presign_ready_detail = "self_v1 presign artifact ready";
inline constexpr std::string_view qc_v1_ready_detail =
    "qc_v1 signer handoff ready for custodian coordination";
inline constexpr std::string_view not_controlled_detail = "wallet is not controlled by this node";

/// A FAILED transition with `reason` and `detail`.
job_transition failed_transition(std::string_view reason, std::string detail);

/// What prepare_spend established for a job.
struct spend_preparation {
  std::string request_id;
  std::string route; // self_v1 | qc_v1
  route_submit_request request;
  crypto::bytes witness_script;
  crypto::bytes signer_public_key;   // compressed, 33 bytes
  crypto::hash20 wallet_public_key_hash{}; // HASH160(signer_public_key)
  crypto::hash32 active_txid{};      // internal byte order
  std::string active_txid_display;   // 0x + 64 hex, display order (what readers take)
};

/// Step 1, before any chain read. `signer_public_key` is the configured
/// signer's key (33 or 65 bytes), nullopt when the node has no signer.
/// In the reference's order:
///   gate off                -> FAILED/POLICY_REJECTED fraud_defense_disabled_detail
///   route not qc_v1/self_v1 -> FAILED/INVALID_INPUT "unsupported covenant route"
///   stored request unreadable -> FAILED/INVALID_INPUT "cannot decode stored request: ..."
///   template                -> FAILED/INVALID_INPUT "cannot decode <route> template: ..."
///   template signer key     -> FAILED/INVALID_INPUT "invalid <route> signer public key"
///   no signer               -> FAILED/PROVIDER_FAILED "cannot resolve signing executor: no signer is configured"
///   other key               -> FAILED/POLICY_REJECTED "wallet is not controlled by this node"
///   witness script          -> FAILED/INVALID_INPUT "maturity height must be greater than
///                              zero" | "maturity height exceeds bitcoin locktime range" |
///                              "qc_v1 beta must be below maturity height" |
///                              "<route> delta2 overflows bitcoin locktime range" |
///                              "invalid <route> depositor|custodian public key"
///   active txid             -> FAILED/INVALID_INPUT "active outpoint txid is invalid"
std::variant<spend_preparation, job_transition>
prepare_spend(const job& j, const engine_settings& settings,
              std::optional<std::span<const std::uint8_t>> signer_public_key);

/// The Bitcoin reader's answer for the active txid, as plain values.
struct outpoint_lookup {
  enum class outcome { found, not_found, unavailable };
  outcome result = outcome::unavailable;
  std::string transaction_hex; // found: raw transaction, hex (with or without 0x)
  std::uint64_t confirmations = 0;
  std::string cause; // not_found / unavailable
  /// found: whether the active output is unspent; unknown (the default)
  /// refuses, with `output_cause` saying why it is unknown.
  output_spend output = output_spend::unknown;
  std::string output_cause;
};

/// The covenant output being spent.
struct active_utxo {
  bitcoin::outpoint prevout;
  std::int64_t value = 0;
  crypto::bytes script_pubkey; // P2WSH(witness script)
};

/// Step 2 (§6.6). All failures FAILED/INVALID_INPUT:
///   not found, or the reader's transaction is unparsable or has another txid
///                        -> "active outpoint transaction not found"
///   reader unavailable   -> "cannot determine active outpoint transaction confirmations: <cause>"
///   too few confirmations-> "active outpoint transaction must have at least N confirmations"
///   vout out of range    -> "active outpoint output index is out of range"
///   spent state unknown  -> "cannot determine whether active outpoint 0x<txid>:<vout> is
///                           unspent: <output_cause>"   (ours, not the reference's)
///   output spent         -> "active outpoint 0x<txid>:<vout> is already spent (not in the
///                           Bitcoin node's unspent outputs)"   (ours: the reference
///                           signs it, and the network refuses the spend)
///   script mismatch      -> "active outpoint script does not match <route> template"
///   value <= 0           -> "active outpoint value must be greater than zero"
///   value != plan input  -> "active outpoint value does not match migration transaction plan"
///   scriptHash mismatch  -> "active outpoint script hash does not match <route> template"
std::variant<active_utxo, job_transition>
resolve_active_outpoint(const spend_preparation& prep, const outpoint_lookup& lookup,
                        const engine_settings& settings);

/// The unsigned spend and what the signer signs.
struct planned_spend {
  bitcoin::transaction unsigned_tx;
  crypto::hash32 sighash{};
  std::string txid_display; // hex, display order (no prefix)
};

/// Step 3 (§6.7):
///   values beyond int64 -> FAILED/INVALID_INPUT "migration destination value exceeds bitcoin
///                          output value range" | "migration anchor value exceeds ..."
///   destination script  -> FAILED/PROVIDER_FAILED "migration destination deposit script is
///                          invalid" | "... must not be empty" | "redeem destination output
///                          script is invalid" | "renew destination next covenant script is
///                          invalid" | "<action> destination is required" | ...
///   relay policy        -> FAILED/INVALID_INPUT "covenant destination output of N sats is
///                          dust ..." | "covenant transaction fee of N sats is below the
///                          minimum relay fee ..." (ours, not the reference's: the network
///                          would not relay the spend; bitcoin/relay_policy.hpp)
std::variant<planned_spend, job_transition> plan_spend(const spend_preparation& prep,
                                                       const active_utxo& utxo);

/// The transition for a signer that answered: it refused or failed (a
/// signer that was asked and did not answer may have signed: the session
/// records "interrupted; may have been signed" instead):
/// FAILED/PROVIDER_FAILED "cannot sign covenant transaction: <cause>".
job_transition signing_failed(std::string_view cause);

/// Step 4: checks the signer's DER signature (0x-hex, no sighash byte:
/// strict DER, low S, valid for the signer key over the sighash), builds
/// the result and, for self_v1, verifies the finished witness with
/// bitcoin::verify_input under the covenant flags. Success:
///   self_v1 -> ARTIFACT_READY, "self_v1 artifact ready" (or "self_v1 presign
///              artifact ready"), transactionHex, psbtHash
///   qc_v1   -> HANDOFF_READY, qc_v1_ready_detail, the handoff object
/// Failure: FAILED/PROVIDER_FAILED "cannot sign covenant transaction: ..."
/// naming what was wrong with the signature, or "produced covenant witness
/// does not verify: <script error>".
job_transition finish_spend(const spend_preparation& prep, const active_utxo& utxo,
                            const planned_spend& spend, std::string_view der_signature_hex);

/// The qc_v1 handoff object (canonical JSON text; a Go map, so keys sorted):
/// bundleId, destinationCommitmentHash, kind, payloadHash, requiresDummy,
/// selectorWitnessItems, sighashType, signerRequestId, signerSignature,
/// unsignedTransactionHex, witnessScript.
std::string qc_v1_handoff_json(std::string_view request_id,
                               std::string_view destination_commitment_hash,
                               const bitcoin::transaction& unsigned_tx,
                               std::span<const std::uint8_t> witness_script,
                               std::span<const std::uint8_t> signature_with_hashtype);

} // namespace covsigner::covenant
