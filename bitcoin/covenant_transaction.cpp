#include "bitcoin/covenant_transaction.hpp"

#include "bitcoin/script.hpp"
#include "bitcoin/sighash.hpp"

#include <limits>

namespace covsigner::bitcoin {

bytes destination_script_pubkey(covenant_action action, std::span<const std::uint8_t> script) {
  // The Bridge recomputes a migration's funding output as P2WSH of the
  // deposit script, so MIGRATION wraps it; the others are already locking
  // scripts.
  if (action == covenant_action::migration)
    return p2wsh_script_pubkey(script);
  return bytes(script.begin(), script.end());
}

covenant_spend_result build_covenant_spend(const covenant_spend_plan& plan) {
  if (plan.destination_value_sats >
      static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return {std::nullopt, "destination value exceeds int64"};
  transaction tx;
  tx.version = covenant_transaction_version;
  tx_input in;
  in.prevout = plan.active_outpoint;
  in.sequence = plan.input_sequence;
  tx.inputs.push_back(std::move(in));
  tx.outputs.push_back(tx_output{static_cast<std::int64_t>(plan.destination_value_sats),
                                 destination_script_pubkey(plan.action, plan.destination_script)});
  tx.outputs.push_back(tx_output{anchor_value_sats, anchor_script_pubkey()});
  tx.locktime = plan.lock_time;
  return {std::move(tx), {}};
}

hash32 covenant_sighash(const transaction& tx, std::span<const std::uint8_t> witness_script,
                        std::int64_t input_value_sats) {
  return segwit_v0_sighash(tx, 0, witness_script, input_value_sats, SIGHASH_ALL);
}

std::vector<bytes> maturity_branch_selector() { return {bytes{0x01}, bytes{}}; }

std::vector<bytes> self_v1_signer_witness(std::span<const std::uint8_t> signature,
                                          std::span<const std::uint8_t> witness_script) {
  std::vector<bytes> witness;
  witness.emplace_back(signature.begin(), signature.end());
  for (auto& item : maturity_branch_selector())
    witness.push_back(std::move(item));
  witness.emplace_back(witness_script.begin(), witness_script.end());
  return witness;
}

std::vector<bytes> qc_v1_migration_witness(std::span<const std::uint8_t> signer_signature,
                                           std::span<const std::uint8_t> custodian_signature,
                                           std::span<const std::uint8_t> witness_script) {
  std::vector<bytes> witness;
  witness.emplace_back(); // CHECKMULTISIG's extra pop; must be empty (NULLDUMMY)
  witness.emplace_back(signer_signature.begin(), signer_signature.end());
  witness.emplace_back(custodian_signature.begin(), custodian_signature.end());
  for (auto& item : maturity_branch_selector())
    witness.push_back(std::move(item));
  witness.emplace_back(witness_script.begin(), witness_script.end());
  return witness;
}

transaction with_input_witness(transaction tx, std::vector<bytes> witness) {
  tx.inputs[0].witness = std::move(witness);
  return tx;
}

hash32 self_v1_psbt_hash(const transaction& signed_tx) { return wtxid(signed_tx); }

bytes qc_v1_unsigned_transaction(const transaction& tx) { return serialize_without_witness(tx); }

} // namespace covsigner::bitcoin
