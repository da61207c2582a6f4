// Vector requests that pass validation: the pinned v2 approval vectors
// (tests/vectors/covenant_recovery_approval_vectors_v2.json) carry
// dummy D/C signatures (0xd0d0 / 0xc0c0) and placeholder template keys.
// Here the template keys become the reference tests' development keys
// (depositor scalar 0x11..11, signer 0x22..22, custodian 0x33..33, from
// keep-core covenantsigner_test.go), the signer approval certificate is
// dropped (no verifier is configured), and the D/C approvals are signed
// over the v2 EIP-712 digest (RFC 6979, low-S DER) through crypto/ and
// covenant/ — so bodies are deterministic.
#pragma once

#include "covenant/approval_digest.hpp"
#include "covenant/certificate.hpp"
#include "covenant/request.hpp"
#include "crypto/bytes.hpp"
#include "crypto/hash160.hpp"
#include "crypto/secp256k1.hpp"

#include <boost/json.hpp>

#include <array>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace covsigner::test_support {

inline crypto::private_key dev_key(std::uint8_t fill) {
  std::array<std::uint8_t, 32> scalar;
  scalar.fill(fill);
  return *crypto::parse_private_key(scalar);
}

inline std::string dev_public_key_hex(std::uint8_t fill) {
  return crypto::to_0x_hex(crypto::serialize_compressed(crypto::derive_public_key(dev_key(fill))));
}

/// Re-signs `request` (a RouteSubmitRequest JSON object) in place: D with
/// the depositor dev key, C with the custodian dev key, under `domain`;
/// artifactSignatures becomes the derived legacy list.
inline void sign_approvals(boost::json::object& request, const covenant::eip712_domain& domain) {
  auto decoded = covenant::decode_route_submit_request(boost::json::serialize(request));
  if (!std::holds_alternative<covenant::route_submit_request>(decoded))
    throw std::runtime_error("request does not decode");
  const auto& payload = std::get<covenant::route_submit_request>(decoded).artifact_approvals->payload;
  auto digest = covenant::artifact_approval_digest(payload, domain);
  if (!std::holds_alternative<crypto::hash32>(digest))
    throw std::runtime_error("approval payload has no digest");
  boost::json::array legacy;
  for (auto& a : request.at("artifactApprovals").at("approvals").as_array()) {
    auto& approval = a.as_object();
    auto key = dev_key(approval.at("role").as_string() == "D" ? 0x11 : 0x33);
    approval["signature"] =
      crypto::to_0x_hex(crypto::sign_der(key, std::get<crypto::hash32>(digest)));
    legacy.push_back(approval["signature"]);
  }
  request["artifactSignatures"] = std::move(legacy);
}

/// The canonicalSubmitRequest of vector `name` (qc_v1, self_v1,
/// self_v1_presign) made valid under `domain` (default: the zero domain
/// the vectors were made under).
inline boost::json::object signed_vector_request(const std::string& name,
                                                 const covenant::eip712_domain& domain = {}) {
  std::ifstream in(std::string{COVSIGNER_VECTORS_DIR} +
                   "/covenant_recovery_approval_vectors_v2.json");
  if (!in)
    throw std::runtime_error("cannot read the v2 approval vectors");
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = boost::json::parse(ss.str());
  auto request = doc.at("vectors").at(name).at("canonicalSubmitRequest").as_object();
  auto& t = request["scriptTemplate"].as_object();
  t["depositorPublicKey"] = dev_public_key_hex(0x11);
  t["signerPublicKey"] = dev_public_key_hex(0x22);
  if (t.contains("custodianPublicKey"))
    t["custodianPublicKey"] = dev_public_key_hex(0x33);
  request.erase("signerApproval");
  sign_approvals(request, domain);
  return request;
}

// --- Signer approval certificates (reference §6.3) -------------------------
// The development wallet of the signer dev key (0x22): the Bridge knows it
// under HASH160(compressed key) with these (made-up, development-only)
// ECDSA wallet id and members-IDs hash; examples/chain/dev-chain.json
// carries the same values.

inline crypto::hash32 dev_wallet_id() {
  crypto::hash32 id;
  id.fill(0xa1);
  return id;
}

inline crypto::hash32 dev_members_ids_hash() {
  crypto::hash32 members;
  members.fill(0xb2);
  return members;
}

/// HASH160 of the compressed public key of dev key `fill`.
inline crypto::hash20 dev_wallet_public_key_hash(std::uint8_t fill = 0x22) {
  return crypto::hash160(crypto::serialize_compressed(crypto::derive_public_key(dev_key(fill))));
}

struct certificate_options {
  std::uint64_t end_block = 2000;
  std::uint8_t signer_fill = 0x22; // the key that threshold-signs (the wallet's)
  crypto::hash32 wallet_id = dev_wallet_id();
  crypto::hash32 members_ids_hash = dev_members_ids_hash();
  std::uint64_t honest_threshold = 51;
};

/// Adds a v2 signerApproval to `request` (a RouteSubmitRequest JSON object
/// whose artifact approvals are final): approvalDigest of its payload under
/// `domain`, the signer key's uncompressed form as walletPublicKey, the
/// signer-set hash of (wallet id, key, members hash, threshold), and a DER
/// low-S signature over certificate_signing_digest_v2(approvalDigest,
/// endBlock) by `options.signer_fill`'s key; artifactSignatures gains it.
inline void add_signer_approval(boost::json::object& request, const covenant::eip712_domain& domain,
                                const certificate_options& options = {}) {
  auto decoded = covenant::decode_route_submit_request(boost::json::serialize(request));
  if (!std::holds_alternative<covenant::route_submit_request>(decoded))
    throw std::runtime_error("request does not decode");
  const auto& payload = std::get<covenant::route_submit_request>(decoded).artifact_approvals->payload;
  auto digest = covenant::artifact_approval_digest(payload, domain);
  if (!std::holds_alternative<crypto::hash32>(digest))
    throw std::runtime_error("approval payload has no digest");
  const auto& approval = std::get<crypto::hash32>(digest);
  auto key = dev_key(options.signer_fill);
  auto wallet_key = crypto::serialize_uncompressed(crypto::derive_public_key(key));
  boost::json::object cert;
  cert["certificateVersion"] = 2;
  cert["signatureAlgorithm"] = "tecdsa-secp256k1";
  cert["approvalDigest"] = crypto::to_0x_hex(approval);
  cert["walletPublicKey"] = crypto::to_0x_hex(wallet_key);
  cert["signerSetHash"] = covenant::signer_set_hash(options.wallet_id, wallet_key,
                                                    options.members_ids_hash,
                                                    options.honest_threshold);
  cert["signature"] = crypto::to_0x_hex(
    crypto::sign_der(key, covenant::certificate_signing_digest_v2(approval, options.end_block)));
  cert["endBlock"] = options.end_block;
  // The legacy list ends with the certificate's signature (reference §5.3).
  auto& legacy = request["artifactSignatures"].as_array();
  legacy.push_back(cert["signature"]);
  request["signerApproval"] = std::move(cert);
}

/// signed_vector_request(name, domain) with a signer approval certificate.
inline boost::json::object certified_vector_request(const std::string& name,
                                                    const covenant::eip712_domain& domain = {},
                                                    const certificate_options& options = {}) {
  auto request = signed_vector_request(name, domain);
  add_signer_approval(request, domain, options);
  return request;
}

} // namespace covsigner::test_support
