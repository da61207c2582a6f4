// The digest depositors and custodians sign over an artifact approval
// payload (reference §5.3).
//
//   v1 (approvalVersion 1, keep-core G2-G4): the bare EIP-712 struct hash
//     keccak256(typeHash || uint256(version) || keccak(route) ||
//               keccak(scriptTemplateId) || destHash || planHash)
//     with typeHash = keccak256("ArtifactApproval(uint8 approvalVersion,
//     bytes32 route,bytes32 scriptTemplateId,bytes32 destinationCommitmentHash,
//     bytes32 planCommitmentHash)").
//   v2 (approvalVersion 2, G5): keccak256(0x19 0x01 || domainSeparator ||
//     structHash), domain = EIP712Domain(string name,string version,
//     uint256 chainId,bytes32 salt) with name "tBTC Covenant Artifact
//     Approval", version "2". No verifyingContract.
#pragma once

#include "covenant/request.hpp"
#include "crypto/bytes.hpp"

#include <cstdint>
#include <optional>
#include <variant>

namespace covsigner::covenant {

/// The EIP-712 domain of v2 approvals. A default-constructed domain (chain
/// 0, all-zero salt) is what the Go Service uses when built without the
/// EIP-712 option; the node's configuration path maps an empty configured
/// salt to `default_approval_salt()` instead.
struct eip712_domain {
  std::uint64_t chain_id = 0;
  crypto::hash32 salt{};
};

/// keccak256("tBTC Covenant Artifact Approval Domain v2") =
/// 0xb3b7ae87508f1c8bae052350611225940299ec8aecc9b9eda136d2d7e161cf4a.
crypto::hash32 default_approval_salt();

/// Resolves a configured salt: empty -> default salt; otherwise a 0x-prefixed
/// 32-byte hex string (nullopt when malformed).
std::optional<crypto::hash32> resolve_approval_salt(std::string_view configured);

/// EIP-712 struct hash of the payload. Errors (exact 400 texts): the two
/// hashes must be 0x-prefixed 32-byte hex.
std::variant<crypto::hash32, input_error> approval_struct_hash(const approval_payload& payload);

/// The v2 domain separator.
crypto::hash32 approval_domain_separator(const eip712_domain& domain);

/// The digest for the given contract version: 1 -> struct hash,
/// otherwise (2) -> domain-wrapped digest.
std::variant<crypto::hash32, input_error> artifact_approval_digest(
    const approval_payload& payload, const eip712_domain& domain,
    std::uint32_t contract_version = 2);

} // namespace covsigner::covenant
