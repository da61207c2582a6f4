#include "covenant/handoff.hpp"

#include "covenant/canonical_json.hpp"
#include "covenant/hashing.hpp"

#include <boost/json.hpp>

namespace covsigner::covenant {

std::string handoff_payload_json(const handoff_payload& p) {
  // Inserted in sorted key order (Go sorts map keys when encoding).
  boost::json::object o;
  o["destinationCommitmentHash"] = p.destination_commitment_hash;
  o["kind"] = handoff_kind_qc_v1;
  o["requiresDummy"] = true;
  o["selectorWitnessItems"] = boost::json::array{"0x01", "0x"};
  o["sighashType"] = 1;
  o["signerSignature"] = p.signer_signature;
  o["unsignedTransactionHex"] = p.unsigned_transaction_hex;
  o["witnessScript"] = p.witness_script;
  return canonical_json(o);
}

std::string handoff_payload_hash(const handoff_payload& payload) {
  return crypto::to_0x_hex(sha256_of(handoff_payload_json(payload)));
}

} // namespace covsigner::covenant
