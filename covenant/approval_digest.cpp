#include "covenant/approval_digest.hpp"

#include "covenant/hashing.hpp"
#include "covenant/hex_rules.hpp"

#include <cstring>

namespace covsigner::covenant {

namespace {

// Big-endian uint256 word holding a value that fits in 64 bits.
void put_word(std::uint8_t* out, std::uint64_t value) {
  std::memset(out, 0, 32);
  for (int i = 0; i < 8; ++i)
    out[31 - i] = static_cast<std::uint8_t>(value >> (8 * i));
}

void put_hash(std::uint8_t* out, const crypto::hash32& h) { std::memcpy(out, h.data(), 32); }

} // namespace

crypto::hash32 default_approval_salt() {
  return keccak256_of("tBTC Covenant Artifact Approval Domain v2");
}

std::optional<crypto::hash32> resolve_approval_salt(std::string_view configured) {
  if (configured.empty())
    return default_approval_salt();
  return crypto::fixed_from_0x_hex<32>(configured);
}

std::variant<crypto::hash32, input_error> approval_struct_hash(const approval_payload& payload) {
  static constexpr std::string_view dest_name =
      "request.artifactApprovals.payload.destinationCommitmentHash";
  static constexpr std::string_view plan_name =
      "request.artifactApprovals.payload.planCommitmentHash";
  if (auto e = check_bytes32(dest_name, payload.destination_commitment_hash))
    return *e;
  if (auto e = check_bytes32(plan_name, payload.plan_commitment_hash))
    return *e;
  auto dest = *crypto::fixed_from_0x_hex<32>(payload.destination_commitment_hash);
  auto plan = *crypto::fixed_from_0x_hex<32>(payload.plan_commitment_hash);

  std::uint8_t encoded[32 * 6];
  put_hash(encoded, keccak256_of("ArtifactApproval(uint8 approvalVersion,bytes32 route,"
                                 "bytes32 scriptTemplateId,bytes32 destinationCommitmentHash,"
                                 "bytes32 planCommitmentHash)"));
  put_word(encoded + 32, payload.approval_version);
  put_hash(encoded + 64, keccak256_of(payload.route));
  put_hash(encoded + 96, keccak256_of(payload.script_template_id));
  put_hash(encoded + 128, dest);
  put_hash(encoded + 160, plan);
  return keccak256_of(encoded, sizeof encoded);
}

crypto::hash32 approval_domain_separator(const eip712_domain& domain) {
  std::uint8_t encoded[32 * 5];
  put_hash(encoded,
           keccak256_of("EIP712Domain(string name,string version,uint256 chainId,bytes32 salt)"));
  put_hash(encoded + 32, keccak256_of("tBTC Covenant Artifact Approval"));
  put_hash(encoded + 64, keccak256_of("2"));
  put_word(encoded + 96, domain.chain_id);
  put_hash(encoded + 128, domain.salt);
  return keccak256_of(encoded, sizeof encoded);
}

std::variant<crypto::hash32, input_error> artifact_approval_digest(
    const approval_payload& payload, const eip712_domain& domain,
    std::uint32_t contract_version) {
  auto struct_hash = approval_struct_hash(payload);
  if (contract_version == 1 || std::holds_alternative<input_error>(struct_hash))
    return struct_hash;
  std::uint8_t prefixed[2 + 32 + 32];
  prefixed[0] = 0x19;
  prefixed[1] = 0x01;
  put_hash(prefixed + 2, approval_domain_separator(domain));
  put_hash(prefixed + 34, std::get<crypto::hash32>(struct_hash));
  return keccak256_of(prefixed, sizeof prefixed);
}

} // namespace covsigner::covenant
