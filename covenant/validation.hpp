// Submit and Poll input validation (reference §5.2, §3.4 step 3): every
// rule in the reference's order, returning the FIRST failure with the
// reference's exact text, and on success the normalised request, its
// digest and the depositor ETH identity the job pins. Pure: the caller
// supplies the policy (trust roots, EIP-712 domain, clock, chain height).
//
// Not done here: the engine's cryptographic check of the signer approval
// certificate (VerifySignerApproval, §6.3), which needs wallet chain data;
// a validated Submit reports whether it is still due.
#pragma once

#include "covenant/approval_digest.hpp"
#include "covenant/request.hpp"
#include "covenant/trust_roots.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace covsigner::covenant {

struct validation_policy {
  /// Poll rules: no trust-root pinning, no quote signature/freshness, no
  /// verifier requirement; stop after the certificate expiry check.
  bool poll = false;
  eip712_domain domain;
  /// Normalised trust roots (normalize_trust_roots).
  trust_roots roots;
  /// A signer approval verifier (engine) is configured.
  bool verifier_configured = false;
  /// Quote freshness reference time (Submit only; nullopt = not checked).
  std::optional<std::chrono::system_clock::time_point> now;
  /// Current chain height, if a provider answered.
  std::optional<std::uint64_t> current_height;
  /// Poll only: the stored job's depositorEthAddress (empty = none).
  std::string pinned_depositor_eth_address;
};

enum class validation_error_kind {
  input,              // HTTP 400
  height_unavailable, // HTTP 500
};

struct validation_error {
  validation_error_kind kind = validation_error_kind::input;
  std::string message;
};

inline constexpr std::string_view height_unavailable_message =
    "cannot validate signer approval certificate expiry: no current block height is available";

struct validated_request {
  route_submit_request normalized;
  std::string request_digest;
  /// Lowercased depositor ETH address pinned for this request (Submit: by
  /// trust roots; Poll: the stored one); empty when none.
  std::string depositor_eth_address;
  /// Submit with a certificate and a configured verifier: the caller must
  /// still run the engine's VerifySignerApproval on `normalized`.
  bool signer_approval_verification_due = false;
};

using validation_result = std::variant<validated_request, validation_error>;

/// Validates a submit body for `endpoint_route` under `policy` (poll flag
/// ignored: treated as false).
validation_result validate_submit(const submit_input& input, std::string_view endpoint_route,
                                  const validation_policy& policy);

/// Validates a resent poll body (policy-independent digest; poll flag
/// implied). `requestId is required` comes first.
validation_result validate_poll(const poll_input& input, std::string_view endpoint_route,
                                const validation_policy& policy);

/// The shared rule chain (validateCommonRequest + route rules + certificate
/// expiry) on a bare request; `policy.poll` selects the Poll variant.
validation_result validate_route_request(const route_submit_request& request,
                                         std::string_view endpoint_route,
                                         const validation_policy& policy);

/// Verifies the D/C approval signatures (reference §5.3, Go
/// validateArtifactApprovalAuthenticity) over the v2 EIP-712 digest of
/// `envelope.payload` under `domain`. Pass the envelope AS SENT (not the
/// normalised one): approvals are checked in request order and errors name
/// the request's index `approvals[i]`. `keys` holds the compressed key of
/// each role that has one: D (omitted when `depositor_eth_address` is set)
/// and, for qc_v1, C. With `depositor_eth_address` non-empty the D
/// signature is checked by ecrecover (65 bytes r||s||v, v in {0,1,27,28},
/// low-S) against that address instead.
/// Errors, per approval (name = `request.artifactApprovals.approvals[i].signature`):
///   secp256k1 form: `<name> must be a DER or 64/65-byte secp256k1 signature`,
///   `<name> must be a low-S secp256k1 signature`,
///   `<name> does not verify against the required public key`;
///   ETH form: `<name> must be a 65-byte secp256k1 signature`,
///   `<name> must be a low-S secp256k1 signature`,
///   `<name> has an invalid recovery id`,
///   `<name> does not recover to a valid public key`,
///   `<name> does not verify against the required depositor ETH address`;
///   a C approval without a C key:
///   `request.artifactApprovals.approvals includes unexpected custodian role`;
///   any other role: `request.artifactApprovals.approvals[i].role is not a
///   recognized role`.
struct approval_key {
  std::string role;
  crypto::bytes public_key; // 33-byte compressed
};
std::optional<input_error> verify_approval_signatures(
    const approval_envelope& envelope, const std::vector<approval_key>& keys,
    const eip712_domain& domain, std::string_view depositor_eth_address);

} // namespace covsigner::covenant
