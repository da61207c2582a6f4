// The signer approval certificate (reference §5.8, §6.3, §3.7): its
// structural normalisation inside a request, the v2 signing digest, the
// signer-set hash and the expiry rule. Cryptographic verification against
// the wallet (which needs chain data) is the caller's.
#pragma once

#include "covenant/approval_digest.hpp"
#include "covenant/request.hpp"
#include "crypto/bytes.hpp"

#include <cstdint>
#include <optional>
#include <variant>

namespace covsigner::covenant {

inline constexpr std::uint32_t certificate_version_v2 = 2;
inline constexpr std::string_view certificate_signature_algorithm = "tecdsa-secp256k1";

/// Normalises `request.signer_approval` (nullopt when absent): version 2,
/// algorithm, approvalDigest bytes32 and equal to the artifact approval
/// digest of `request.artifact_approvals->payload` under `domain`
/// (`contract_version` 1 or 2), 65-byte uncompressed wallet key, signer set
/// hash bytes32, signature hex, member lists (no zero, no duplicate, sorted,
/// disjoint), endBlock required. Exact 400 texts in the reference's order.
std::variant<std::optional<signer_approval_certificate>, input_error>
normalize_signer_approval(const route_submit_request& request, const eip712_domain& domain,
                          std::uint32_t contract_version);

/// SHA-256("covenant-signer-approval-certificate-v2:" || approvalDigest ||
/// uint64_be(endBlock)): what the wallet threshold-signs for a v2 certificate.
crypto::hash32 certificate_signing_digest_v2(const crypto::hash32& approval_digest,
                                             std::uint64_t end_block);

/// "0x" + hex(SHA-256("covenant-signer-set-v1:" || canonicalJSON({"walletId",
/// "walletPublicKey", "membersIdsHash", "honestThreshold"}))) with hex values
/// "0x"-prefixed lowercase and the wallet key uncompressed (65 bytes).
std::string signer_set_hash(const crypto::hash32& wallet_id,
                            const crypto::bytes& uncompressed_wallet_public_key,
                            const crypto::hash32& members_ids_hash, std::uint64_t honest_threshold);

/// Expired = current height > endBlock (endBlock is inclusive).
constexpr bool certificate_expired(std::uint64_t current_height, std::uint64_t end_block) {
  return current_height > end_block;
}

} // namespace covsigner::covenant
