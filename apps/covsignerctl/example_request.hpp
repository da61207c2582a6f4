// Example submit bodies for client developers and demos: a complete,
// valid request for a route and action, with consistent destination and
// plan commitments and D (and for qc_v1, C) approvals signed by the
// public development keys (dev_keys.hpp). No signerApproval certificate
// (a node without a certificate verifier refuses one) and no plan quote
// (only required when quote trust roots are configured).
#pragma once

#include "covenant/approval_digest.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <variant>

namespace covsigner::ctl {

struct example_options {
  std::string route = "qc_v1"; // qc_v1 | self_v1
  /// MIGRATION | REDEEM | RENEW; empty = MIGRATION with `action` omitted
  /// from the body (the wire default).
  std::string action;
  /// Default (empty): "ors_demo_<route>".
  std::string route_request_id;
  /// The domain the approvals are signed under; must match the node's
  /// eip712-chain-id / eip712-salt.
  covenant::eip712_domain domain;
};

/// The submit body {routeRequestId, stage, request}, request fields in Go
/// order. Errors (one line): unsupported route or action, an invalid
/// routeRequestId. The body is checked with covenant::validate_submit
/// before it is returned (an error then is a bug, reported as such).
std::variant<boost::json::object, std::string> make_example_submit(const example_options& options);

} // namespace covsigner::ctl
