#include "covenant/certificate.hpp"

#include "covenant/canonical_json.hpp"
#include "covenant/hashing.hpp"
#include "covenant/hex_rules.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <set>

namespace covsigner::covenant {

namespace {

// Go: normalizeSignerApprovalMemberIndexes. Nil/empty -> nullopt.
std::variant<std::optional<std::vector<std::uint32_t>>, input_error> normalize_members(
    std::string_view name, const std::optional<std::vector<std::uint32_t>>& values) {
  if (!values || values->empty())
    return std::optional<std::vector<std::uint32_t>>{};
  std::set<std::uint32_t> seen;
  for (std::size_t i = 0; i < values->size(); ++i) {
    std::uint32_t v = (*values)[i];
    if (v == 0)
      return input_error{std::string(name) + "[" + std::to_string(i) +
                         "] must be greater than zero"};
    if (!seen.insert(v).second)
      return input_error{std::string(name) + "[" + std::to_string(i) + "] duplicates member " +
                         std::to_string(v)};
  }
  std::vector<std::uint32_t> sorted = *values;
  std::sort(sorted.begin(), sorted.end());
  return std::optional<std::vector<std::uint32_t>>{std::move(sorted)};
}

} // namespace

std::variant<std::optional<signer_approval_certificate>, input_error>
normalize_signer_approval(const route_submit_request& request, const eip712_domain& domain,
                          std::uint32_t contract_version) {
  if (!request.signer_approval)
    return std::optional<signer_approval_certificate>{};
  if (!request.artifact_approvals)
    return input_error{
        "request.artifactApprovals is required when request.signerApproval is present"};
  const auto& c = *request.signer_approval;
  if (c.certificate_version != certificate_version_v2)
    return input_error{"request.signerApproval.certificateVersion must equal 2"};
  if (c.signature_algorithm != certificate_signature_algorithm)
    return input_error{"request.signerApproval.signatureAlgorithm must equal tecdsa-secp256k1"};
  if (auto e = check_bytes32("request.signerApproval.approvalDigest", c.approval_digest))
    return *e;
  if (auto e = check_hex("request.signerApproval.walletPublicKey", c.wallet_public_key))
    return *e;
  std::string wallet_key = lower_hex(c.wallet_public_key);
  if (c.wallet_public_key.size() != 132 || wallet_key.substr(0, 4) != "0x04")
    return input_error{"request.signerApproval.walletPublicKey must be a 65-byte uncompressed "
                       "secp256k1 public key"};
  if (auto e = check_bytes32("request.signerApproval.signerSetHash", c.signer_set_hash))
    return *e;
  if (auto e = check_hex("request.signerApproval.signature", c.signature))
    return *e;

  auto expected = artifact_approval_digest(request.artifact_approvals->payload, domain,
                                           contract_version);
  if (auto* e = std::get_if<input_error>(&expected))
    return *e;
  std::string digest = lower_hex(c.approval_digest);
  if (digest != crypto::to_0x_hex(std::get<crypto::hash32>(expected)))
    return input_error{"request.signerApproval.approvalDigest must match the canonical "
                       "artifactApprovals payload digest"};

  signer_approval_certificate out;
  out.certificate_version = certificate_version_v2;
  out.signature_algorithm = std::string(certificate_signature_algorithm);
  out.approval_digest = digest;
  out.wallet_public_key = wallet_key;
  out.signer_set_hash = lower_hex(c.signer_set_hash);
  out.signature = lower_hex(c.signature);

  auto active = normalize_members("request.signerApproval.activeMembers", c.active_members);
  if (auto* e = std::get_if<input_error>(&active))
    return *e;
  out.active_members = std::get<0>(std::move(active));
  auto inactive = normalize_members("request.signerApproval.inactiveMembers", c.inactive_members);
  if (auto* e = std::get_if<input_error>(&inactive))
    return *e;
  out.inactive_members = std::get<0>(std::move(inactive));
  if (out.active_members && out.inactive_members) {
    for (auto v : *out.inactive_members)
      if (std::binary_search(out.active_members->begin(), out.active_members->end(), v))
        return input_error{"request.signerApproval.activeMembers and "
                           "request.signerApproval.inactiveMembers must not overlap"};
  }
  // A missing endBlock fails closed rather than meaning "never expires".
  if (!c.end_block)
    return input_error{"request.signerApproval.endBlock is required"};
  out.end_block = c.end_block;
  return std::optional<signer_approval_certificate>{std::move(out)};
}

crypto::hash32 certificate_signing_digest_v2(const crypto::hash32& approval_digest,
                                             std::uint64_t end_block) {
  std::string preimage = "covenant-signer-approval-certificate-v2:";
  preimage.append(reinterpret_cast<const char*>(approval_digest.data()), approval_digest.size());
  for (int i = 7; i >= 0; --i)
    preimage.push_back(static_cast<char>(static_cast<std::uint8_t>(end_block >> (8 * i))));
  return sha256_of(preimage);
}

std::string signer_set_hash(const crypto::hash32& wallet_id,
                            const crypto::bytes& uncompressed_wallet_public_key,
                            const crypto::hash32& members_ids_hash,
                            std::uint64_t honest_threshold) {
  boost::json::object o;
  o["walletId"] = crypto::to_0x_hex(wallet_id);
  o["walletPublicKey"] = crypto::to_0x_hex(uncompressed_wallet_public_key);
  o["membersIdsHash"] = crypto::to_0x_hex(members_ids_hash);
  o["honestThreshold"] = honest_threshold;
  return crypto::to_0x_hex(sha256_of("covenant-signer-set-v1:" + canonical_json(o)));
}

} // namespace covsigner::covenant
