// The admin issuer route's input (reference §1.7 "Admin issuer body", §6.4;
// keep-core G6 IssueSignerApprovalCertificateInput): its strict decoding and
// the authentication of the artifact approvals it carries, which yields the
// approval digest the node signs a certificate over.
//
// The caller never names the digest: the node derives it from a payload
// whose D (and, for qc_v1, C) approvals verify against the identities the
// node's OWN trust roots pin for (route, reserve, network). An input whose
// approvals were signed by anyone else is refused before anything is signed
// (keep-core deriveIssuanceApprovalDigest).
//
// Pure code: no I/O, no actors.
#pragma once

#include "covenant/approval_digest.hpp"
#include "covenant/request.hpp"
#include "covenant/trust_roots.hpp"
#include "crypto/bytes.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace covsigner::covenant {

struct certificate_issue_input {
  std::string wallet_public_key_hash; // 20-byte 0x-hex, checked by check_certificate_issue_input
  std::string route;                  // qc_v1 | self_v1 (the approvals' route)
  std::string reserve;                // trust-root scope
  std::string network;                // trust-root scope (trimmed, lowercased for the lookup)
  approval_envelope artifact_approvals;
  std::uint64_t end_block = 0;        // inclusive expiry height (host chain), non-zero
};

/// Decodes an issuer body with the submit bodies' strict Go rules
/// (strict_json: unknown keys rejected at every level, keys matched
/// case-insensitively, last duplicate wins, integral in-range numbers only,
/// nothing but whitespace after the object). `artifactApprovals` is decoded
/// by the very decoder submit requests use for their envelope. An absent or
/// `null` envelope stays the zero envelope (Go value field), which the
/// checks below refuse. Error: `malformed request body` (400) with the
/// decoder's text in `detail` (for logs only).
std::variant<certificate_issue_input, input_error> decode_certificate_issue_input(
    std::string_view body);

/// The checks on the plain fields, before any signature work (400 texts):
///   `walletPublicKeyHash must be a 0x-prefixed even-length hex string` /
///   `walletPublicKeyHash must be valid hex` /
///   `walletPublicKeyHash must be a 20-byte 0x-prefixed hex string`;
///   `endBlock is required` (end_block == 0).
/// The first two texts are the reference's hex rule (check_hex); the third
/// is ours (the stored reference does not pin it), worded as check_bytes32.
std::optional<input_error> check_certificate_issue_input(const certificate_issue_input& input);

/// keep-core deriveIssuanceApprovalDigest, in its order: the route's role
/// set (`unsupported request.route`); payload version 2, route and
/// scriptTemplateId equal to `input.route`, both hashes bytes32
/// (`artifactApprovals.payload.approvalVersion must equal 2`,
/// `artifactApprovals.payload.route must match route`,
/// `artifactApprovals.payload.scriptTemplateId must match route`,
/// `artifactApprovals.payload.<hash> must be a 32-byte 0x-prefixed hex string`);
/// exactly the required roles, each once, signatures hex
/// (`artifactApprovals.approvals must include exactly the roles required for route`,
/// `artifactApprovals.approvals[i].role is not allowed for route`,
/// `artifactApprovals.approvals[i].role duplicates role R`,
/// `artifactApprovals.approvals[i].signature must be ...`); the trust roots
/// for (route, reserve, network)
/// (`no depositorTrustRoots entry is configured for the requested
/// route/reserve/network; certificate issuance requires a pinned depositor
/// identity`, the same for custodianTrustRoots and qc_v1); then every
/// signature against the pinned identity (verify_approval_signatures: the
/// D key, or the pinned depositor ETH address by ecrecover; the C key), and
/// finally the v2 EIP-712 digest of the payload under `domain`.
/// `roots`: normalised (normalize_trust_roots).
std::variant<crypto::hash32, input_error> derive_issuance_approval_digest(
    const certificate_issue_input& input, const trust_roots& roots, const eip712_domain& domain);

} // namespace covsigner::covenant
