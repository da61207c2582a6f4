// Request normalisation (reference §5.9, §5.3): the form that is stored on
// the job and digested. Differences that normalisation erases (hex letter
// case, approval order, member order, whitespace around reservationId and
// network) never change the request digest.
#pragma once

#include "covenant/approval_digest.hpp"
#include "covenant/request.hpp"

#include <cstdint>
#include <variant>

namespace covsigner::covenant {

struct normalize_options {
  /// The EIP-712 domain approvals are digested under (must match what
  /// Submit, Poll and the stored job used).
  eip712_domain domain;
  /// The artifact-approval contract: 2 (current, EIP-712 domain-wrapped)
  /// or 1 (keep-core G2-G4: bare struct hash, approvalVersion 1).
  std::uint32_t approval_contract_version = 2;
};

/// Normalises `request` the way the Go node does before digesting/storing.
/// Runs the policy-independent structural checks it depends on and returns
/// their first error (exact 400 text). Policy checks (trust roots, quote
/// signatures, freshness, verifier) are validation's, not this function's.
/// Callers validate first; the result is what request_digest expects.
std::variant<route_submit_request, input_error> normalize_request(
    const route_submit_request& request, const normalize_options& options);

/// Parses the raw template for `route` strictly and re-serialises it with
/// lowercased keys, in the template struct's field order. Error text:
/// `request.scriptTemplate is invalid for <route>: <decoder message>`, or
/// `unsupported request.route`.
std::variant<strict_json::node, input_error> normalize_script_template(
    std::string_view route, const std::optional<strict_json::node>& raw);

/// normalize_request then request_digest.
std::variant<std::string, input_error> normalized_request_digest(
    const route_submit_request& request, const normalize_options& options);

} // namespace covsigner::covenant
