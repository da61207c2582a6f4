// The check of every job a signing scenario (sign, sign-mixed) signed,
// on the stopped node's data dir.
//
// Check (after the node stopped), for every acknowledged request id:
//   * the job on disk is READY (ARTIFACT_READY for self_v1, HANDOFF_READY
//     for qc_v1), not merely created or deduped;
//   * the audit log has exactly one line for it, naming the sighash and
//     txid of the spend the engine's pure steps derive from the stored
//     request and the fixture chain's funding transaction;
//   * our interpreter (bitcoin::verify_input, covenant flags) accepts the
//     witness: self_v1's signed transaction as stored; qc_v1's handoff
//     completed with the PUBLIC custodian dev key's signature, as a
//     custodian would;
// and the audit log names no other request id.
#pragma once

#include "apps/covsigner-bench/correctness.hpp"
#include "crypto/bytes.hpp"
#include "crypto/secp256k1.hpp"

#include <filesystem>
#include <optional>
#include <set>
#include <string>

namespace covsigner::bench {

/// What check_signed_jobs needs to re-derive each spend.
struct signed_check_inputs {
  std::filesystem::path data_dir;
  std::filesystem::path chain_file;
  crypto::bytes signer_public_key;
  /// Completes qc_v1 handoffs so the interpreter can run; nullopt: qc_v1
  /// jobs are checked up to the signer's signature only.
  std::optional<crypto::private_key> custodian_key;
  std::set<std::string> signed_request_ids; // every request id the clients saw READY
};

/// The checks above; fills r.signed_* fields and appends problems, and
/// clears r.passed on any failure. The node must be stopped.
void check_signed_jobs(const signed_check_inputs& in, correctness_report& r);

} // namespace covsigner::bench
