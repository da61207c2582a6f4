// The qc_v1 signer handoff bundle's payload hash (reference §5.10, §6.7).
#pragma once

#include <string>
#include <string_view>

namespace covsigner::covenant {

inline constexpr std::string_view handoff_kind_qc_v1 = "qc_v1_signer_handoff_v1";

struct handoff_payload {
  std::string destination_commitment_hash; // as in the (normalised) request
  std::string signer_signature;            // 0x + DER + 0x01
  std::string unsigned_transaction_hex;    // 0x + non-witness serialisation
  std::string witness_script;              // 0x + script
};

/// The canonical JSON the hash covers: a Go map, so keys sorted byte-wise:
/// destinationCommitmentHash, kind, requiresDummy (true),
/// selectorWitnessItems (["0x01","0x"]), sighashType (1), signerSignature,
/// unsignedTransactionHex, witnessScript.
std::string handoff_payload_json(const handoff_payload& payload);

/// "0x" + hex(SHA-256(handoff_payload_json)), no domain prefix. Also the
/// bundle id.
std::string handoff_payload_hash(const handoff_payload& payload);

} // namespace covsigner::covenant
