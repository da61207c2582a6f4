// Example submit bodies for client developers and demos: a complete,
// valid request for a route and action, with consistent destination and
// plan commitments and D (and for qc_v1, C) approvals signed by the
// public development keys (dev_keys.hpp). Its active outpoint is output 1
// of the route's SIMULATED development funding transaction (below), which
// `covsignerctl example-chain` puts on the development fixture chain, so a
// node on that chain with the signer dev key can sign it. No plan quote
// (only required when quote trust roots are configured); a signerApproval
// certificate only on request (a node without a certificate verifier
// refuses one).
#pragma once

#include "bitcoin/transaction.hpp"
#include "covenant/approval_digest.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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
  /// When set, the body carries a v2 signerApproval certificate valid
  /// through this host-chain block: signed by the signer dev key for the
  /// development wallet (dev_keys.hpp: wallet id, members-IDs hash; tBTC's
  /// honest threshold 51), and artifactSignatures ends with its signature.
  /// Must be non-zero.
  std::optional<std::uint64_t> signer_approval_end_block;
};

/// The output of the funding transaction that every example of a route
/// spends (activeOutpoint.vout).
inline constexpr std::uint32_t example_active_vout = 1;

/// The SIMULATED development funding transaction of `route`'s examples
/// (qc_v1 or self_v1; precondition): version 2, one input spending a
/// made-up outpoint with no signature, output 0 a change output to the
/// depositor dev key's P2WPKH, output `example_active_vout` paying the
/// plan's input value to P2WSH(the route's example witness script). It
/// exists only on the development fixture chain.
bitcoin::transaction dev_funding_transaction(std::string_view route);

/// The submit body {routeRequestId, stage, request}, request fields in Go
/// order. Errors (one line): unsupported route or action, an invalid
/// routeRequestId, an endBlock of 0. The body is checked with
/// covenant::validate_submit (and a certificate with the node's signer
/// approval verification against the development wallet) before it is
/// returned (an error then is a bug, reported as such).
std::variant<boost::json::object, std::string> make_example_submit(const example_options& options);

} // namespace covsigner::ctl
