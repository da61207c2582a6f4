#include "covenant/signer_approval.hpp"

#include "covenant/certificate.hpp"
#include "covenant/hex_rules.hpp"
#include "crypto/hash160.hpp"
#include "crypto/secp256k1.hpp"

#include <algorithm>

namespace covsigner::covenant {

namespace {

signer_approval_error input(std::string message) {
  return {signer_approval_error_kind::input, std::move(message)};
}

signer_approval_error invalid_certificate(const std::string& reason) {
  return input("request.signerApproval is invalid: " + reason);
}

// The template's signerPublicKey text for the request's route.
std::variant<std::string, signer_approval_error> template_signer_key(
    const route_submit_request& r) {
  auto invalid = [&](const std::string& m) {
    return input("request.scriptTemplate is invalid for " + r.route + ": " + m);
  };
  if (r.route == route_self_v1) {
    auto t = parse_self_v1_template(r.script_template);
    if (auto* e = std::get_if<strict_json::decode_error>(&t))
      return invalid(e->message);
    return std::get<self_v1_template>(t).signer_public_key;
  }
  if (r.route == route_qc_v1) {
    auto t = parse_qc_v1_template(r.script_template);
    if (auto* e = std::get_if<strict_json::decode_error>(&t))
      return invalid(e->message);
    return std::get<qc_v1_template>(t).signer_public_key;
  }
  return input("unsupported covenant route");
}

// The Go decodeSignerApprovalCertificateHex rule: surrounding whitespace
// trimmed, "0x" required, exact length when `size` is non-zero. The error
// is the reason embedded in "invalid <what>: <reason>".
std::variant<crypto::bytes, std::string> certificate_hex(std::string_view value,
                                                         std::size_t size) {
  auto trimmed = trim_space(value);
  if (!trimmed.starts_with("0x"))
    return std::string("value must be 0x-prefixed");
  auto decoded = crypto::from_hex(std::string_view(trimmed).substr(2));
  if (!decoded)
    return std::string("value is not valid hex");
  if (size > 0 && decoded->size() != size)
    return "value must be exactly " + std::to_string(size) + " bytes, got " +
           std::to_string(decoded->size());
  return std::move(*decoded);
}

// verifySignerApprovalCertificate: the certificate against the expected
// signer-set hash. The reason (nullopt: valid).
std::optional<std::string> certificate_failure(const signer_approval_certificate& c,
                                               const std::string& expected_signer_set_hash) {
  if (c.certificate_version != certificate_version_v2)
    return "unsupported certificate version: " + std::to_string(c.certificate_version);
  if (c.signature_algorithm != certificate_signature_algorithm)
    return "unsupported signature algorithm: " + c.signature_algorithm;
  if (lower_hex(expected_signer_set_hash) != lower_hex(c.signer_set_hash))
    return std::string("signer set hash does not match the expected signer set");
  // v2 binds endBlock into the signed digest: without it there is nothing
  // to verify against, so it fails closed.
  if (!c.end_block)
    return std::string("certificate is missing the required expiration block");

  auto digest = certificate_hex(c.approval_digest, 32);
  if (auto* reason = std::get_if<std::string>(&digest))
    return "invalid approval digest: " + *reason;
  crypto::hash32 approval{};
  std::copy_n(std::get<crypto::bytes>(digest).begin(), 32, approval.begin());
  const auto signed_digest = certificate_signing_digest_v2(approval, *c.end_block);

  auto signature = certificate_hex(c.signature, 0);
  if (auto* reason = std::get_if<std::string>(&signature))
    return "invalid threshold signature: " + *reason;
  auto key_bytes = certificate_hex(c.wallet_public_key, 0);
  if (auto* reason = std::get_if<std::string>(&key_bytes))
    return "invalid wallet public key: " + *reason;
  const auto& key_raw = std::get<crypto::bytes>(key_bytes);
  std::optional<crypto::public_key> key;
  if (key_raw.size() == 65 && key_raw[0] == 0x04)
    key = crypto::parse_public_key(key_raw);
  if (!key)
    return std::string("wallet public key is not a valid uncompressed secp256k1 key");

  auto parsed = crypto::parse_der_signature(std::get<crypto::bytes>(signature));
  if (auto* e = std::get_if<crypto::signature_parse_error>(&parsed)) {
    if (*e == crypto::signature_parse_error::high_s)
      return std::string("threshold signature S value is not low-S normalized");
    return std::string("cannot parse threshold signature: malformed DER signature");
  }
  if (!crypto::verify(*key, signed_digest, std::get<crypto::ecdsa_signature>(parsed)))
    return std::string("threshold signature does not verify against wallet public key");
  return std::nullopt;
}

} // namespace

std::variant<signer_approval_subject, signer_approval_error>
resolve_signer_approval_subject(const route_submit_request& r, const eip712_domain& domain) {
  if (!r.signer_approval)
    return input("request.signerApproval is required for signer approval verification");
  if (!r.artifact_approvals)
    return input("request.artifactApprovals is required for signer approval verification");

  auto expected = artifact_approval_digest(r.artifact_approvals->payload, domain);
  if (auto* e = std::get_if<input_error>(&expected))
    return input("request.artifactApprovals.payload is invalid for signer approval "
                 "verification: " +
                 e->message);
  if (lower_hex(r.signer_approval->approval_digest) !=
      crypto::to_0x_hex(std::get<crypto::hash32>(expected)))
    return input(
      "request.signerApproval.approvalDigest must match request.artifactApprovals.payload");

  auto key_text = template_signer_key(r);
  if (auto* e = std::get_if<signer_approval_error>(&key_text))
    return *e;
  std::optional<crypto::public_key> key;
  if (auto raw = crypto::from_0x_hex(lower_hex(std::get<std::string>(key_text))))
    key = crypto::parse_compressed_public_key(*raw);
  if (!key)
    return input("request.scriptTemplate.signerPublicKey must be a compressed secp256k1 "
                 "public key");

  signer_approval_subject subject;
  subject.wallet_public_key = crypto::serialize_uncompressed(*key);
  if (lower_hex(r.signer_approval->wallet_public_key) !=
      crypto::to_0x_hex(subject.wallet_public_key))
    return input(
      "request.signerApproval.walletPublicKey must match request.scriptTemplate.signerPublicKey");
  subject.wallet_public_key_hash = crypto::hash160(crypto::serialize_compressed(*key));
  return subject;
}

std::optional<signer_approval_error>
verify_signer_approval(const route_submit_request& r, const signer_approval_subject& subject,
                       const wallet_chain_data& wallet, std::uint64_t honest_threshold) {
  if (!r.signer_approval)
    return input("request.signerApproval is required for signer approval verification");
  // The members hash is optional by type: an outage can never pass as an
  // all-zero hash (the Go node's sentinel) into the signer-set hash.
  if (!wallet.members_ids_hash)
    return signer_approval_error{
      signer_approval_error_kind::registry_unavailable,
      "wallet registry data unavailable for wallet " + crypto::to_0x_hex(wallet.ecdsa_wallet_id) +
        ": " +
        (wallet.registry_unavailable_cause.empty() ? std::string("no cause reported")
                                                   : wallet.registry_unavailable_cause)};
  // A certificate binds identity, members and threshold, none of which
  // change when a wallet winds down: only Live wallets may have one honoured,
  // or a closed wallet's old certificate would keep verifying.
  if (wallet.state != wallet_state::live)
    return input("request.signerApproval.walletPublicKey resolves to a wallet in state [" +
                 std::string(wallet_state_name(wallet.state)) +
                 "] that is not eligible for covenant signing");
  if (wallet.ecdsa_wallet_id == crypto::hash32{})
    return signer_approval_error{signer_approval_error_kind::internal,
                                 "cannot compute signer approval signer set hash: wallet chain "
                                 "data must include wallet ID"};

  auto expected = signer_set_hash(wallet.ecdsa_wallet_id, subject.wallet_public_key,
                                  *wallet.members_ids_hash, honest_threshold);
  if (auto reason = certificate_failure(*r.signer_approval, expected))
    return invalid_certificate(*reason);
  return std::nullopt;
}

signer_approval_error wallet_not_registered() {
  return input("request.signerApproval.walletPublicKey must resolve to a registered on-chain "
               "wallet");
}

signer_approval_error bridge_unavailable(std::string_view cause) {
  return {signer_approval_error_kind::bridge_unavailable,
          "cannot resolve on-chain wallet for signer approval verification: Bridge unavailable: " +
            std::string(cause)};
}

std::string_view wallet_state_name(wallet_state state) {
  switch (state) {
    case wallet_state::unknown: return "Unknown";
    case wallet_state::live: return "Live";
    case wallet_state::moving_funds: return "MovingFunds";
    case wallet_state::closing: return "Closing";
    case wallet_state::closed: return "Closed";
    case wallet_state::terminated: return "Terminated";
  }
  return "Unknown";
}

std::string stale_chain_height_message(std::string_view cause) {
  return "cannot validate signer approval certificate expiry: chain_head has no fresh host chain "
         "height: " +
         std::string(cause);
}

} // namespace covsigner::covenant
