#include "covenant/certificate_issuance.hpp"

#include "covenant/certificate.hpp"
#include "crypto/hash160.hpp"
#include "crypto/secp256k1.hpp"

namespace covsigner::covenant {

namespace {

signer_approval_error error(signer_approval_error_kind kind, std::string message) {
  return {kind, std::move(message)};
}

signer_approval_error input(std::string message) {
  return error(signer_approval_error_kind::input, std::move(message));
}

signer_approval_error internal(std::string message) {
  return error(signer_approval_error_kind::internal, std::move(message));
}

} // namespace

std::optional<signer_approval_error>
check_issuance_request(const issuance_request& request,
                       std::optional<std::span<const std::uint8_t>> signer_public_key) {
  if (request.approval_digest.size() != 32)
    return input("approvalDigest must be exactly 32 bytes");
  std::optional<crypto::public_key> key;
  if (signer_public_key)
    key = crypto::parse_public_key(signer_public_key->data(), signer_public_key->size());
  if (!key || crypto::hash160(crypto::serialize_compressed(*key)) != request.wallet_public_key_hash)
    return input("walletPublicKeyHash does not resolve to a wallet controlled by this node");
  return std::nullopt;
}

std::variant<issuance_plan, signer_approval_error>
plan_certificate_issuance(const issuance_request& request,
                          std::span<const std::uint8_t> signer_public_key,
                          const wallet_lookup& lookup, std::optional<std::uint64_t> height,
                          std::string_view height_cause, std::uint64_t honest_threshold) {
  using outcome = wallet_lookup::outcome;
  if (lookup.result == outcome::not_found)
    return input("walletPublicKeyHash must resolve to a registered on-chain wallet");
  if (lookup.result == outcome::unavailable)
    return error(signer_approval_error_kind::bridge_unavailable,
                 "cannot resolve on-chain wallet for signer approval certificate: " + lookup.cause);
  const auto& wallet = lookup.wallet;
  if (!wallet.members_ids_hash)
    return error(signer_approval_error_kind::registry_unavailable,
                 "wallet registry data unavailable for wallet " +
                   crypto::to_0x_hex(wallet.ecdsa_wallet_id) + ": " +
                   (wallet.registry_unavailable_cause.empty() ? std::string("no cause reported")
                                                              : wallet.registry_unavailable_cause));
  if (wallet.state != wallet_state::live)
    return input("walletPublicKeyHash resolves to a wallet in state [" +
                 std::string(wallet_state_name(wallet.state)) +
                 "] that is not eligible for covenant signing");
  if (wallet.ecdsa_wallet_id == crypto::hash32{})
    return internal("cannot compute signer approval signer set hash: wallet chain data has no "
                    "ECDSA wallet id");
  if (!height)
    return internal("cannot get current host-chain block for signer approval certificate: " +
                    std::string{height_cause});
  if (request.end_block <= *height)
    return input("endBlock [" + std::to_string(request.end_block) +
                 "] must be greater than the current host-chain block [" +
                 std::to_string(*height) + "]");
  auto key = crypto::parse_public_key(signer_public_key.data(), signer_public_key.size());
  if (!key)
    return internal("the signer's public key is invalid");
  issuance_plan plan;
  std::copy(request.approval_digest.begin(), request.approval_digest.end(),
            plan.approval_digest.begin());
  plan.end_block = request.end_block;
  plan.signing_digest = certificate_signing_digest_v2(plan.approval_digest, request.end_block);
  plan.wallet_public_key = crypto::serialize_uncompressed(*key);
  plan.signer_set_hash = signer_set_hash(wallet.ecdsa_wallet_id, plan.wallet_public_key,
                                         *wallet.members_ids_hash, honest_threshold);
  return plan;
}

std::variant<signer_approval_certificate, signer_approval_error>
finish_certificate(const issuance_plan& plan, std::string_view der_signature_hex,
                   std::uint64_t completion_height) {
  auto der = crypto::from_0x_hex(der_signature_hex);
  if (!der)
    return internal("the signer returned a signature that is not 0x-hex");
  auto parsed = crypto::parse_der_signature(*der);
  if (auto* e = std::get_if<crypto::signature_parse_error>(&parsed))
    return internal(*e == crypto::signature_parse_error::high_s
                      ? "the signer returned a high-S signature"
                      : "the signer returned a signature that is not strict DER");
  auto key = crypto::parse_public_key(plan.wallet_public_key);
  if (!key || !crypto::verify(*key, plan.signing_digest, std::get<crypto::ecdsa_signature>(parsed)))
    return internal("the signer's signature does not verify under the wallet key");
  if (completion_height > plan.end_block)
    return internal("signing completed at block " + std::to_string(completion_height) +
                    ", after the requested certificate expiration block " +
                    std::to_string(plan.end_block));
  signer_approval_certificate c;
  c.certificate_version = 2;
  c.signature_algorithm = "tecdsa-secp256k1";
  c.wallet_public_key = crypto::to_0x_hex(plan.wallet_public_key);
  c.signer_set_hash = plan.signer_set_hash;
  c.approval_digest = crypto::to_0x_hex(plan.approval_digest);
  c.signature = crypto::to_0x_hex(*der);
  c.end_block = plan.end_block;
  // A single local key has no signing group: no member activity to report.
  return c;
}

} // namespace covsigner::covenant
