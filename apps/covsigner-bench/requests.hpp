// The bodies the bench sends: valid submits (covsignerctl's qc_v1 example,
// signed with the public development keys, or an operator's signed body
// given with --body-template) with a routeRequestId per route key, payload
// variants for the conflict storm, and polls.
//
// Why a template works: the D and C approvals sign the EIP-712 digest of the
// approval payload (route, destination and plan commitments); neither the
// top-level routeRequestId nor request.facadeRequestId is covered. So one
// signed body serves every route key, and changing facadeRequestId changes
// the request digest (a conflicting payload) without invalidating the
// approvals. make() proves both with the node's own pure pipeline.
#pragma once

#include "covenant/approval_digest.hpp"
#include "transport/request_pipeline.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace covsigner::bench {

class request_factory {
public:
  /// Builds the templates and checks them with transport::prepare_submit /
  /// prepare_poll under `policy` (unique ids give distinct route keys, a
  /// facade variant gives a distinct digest). Errors name what failed.
  static std::variant<request_factory, std::string> make(const transport::request_policy& policy);

  /// The dev-key body with a signer approval certificate (valid through
  /// dev_certificate_end_block), for a node with a chain like
  /// examples/dev.ini, which requires one. Not checked here (this process
  /// has no certificate verifier): the startup probe asks the node.
  /// `route`: qc_v1 or self_v1 (the signing scenarios' bodies; both spend
  /// the development fixture chain's funding transactions).
  static std::variant<request_factory, std::string> make_certified(const covenant::eip712_domain& domain,
                                                                   std::string_view route = dev_route);
  /// As examples/requests/*-certified.json (examples/regenerate.sh).
  static constexpr std::uint64_t dev_certificate_end_block = 1000000;

  /// The signed submit body in `path` (--body-template): a JSON object with
  /// routeRequestId and request.{route, facadeRequestId}. Not validated
  /// here (the node's domain, trust roots and chain are not known here): the
  /// startup probe asks the node itself. Errors name the file and field.
  static std::variant<request_factory, std::string> from_template(const std::string& path);

  /// Submit body for `route_request_id` with the canonical payload.
  std::string submit(std::string_view route_request_id) const;
  /// Same route key, payload variant `variant` (0 = the canonical payload).
  std::string submit_variant(std::string_view route_request_id, std::uint64_t variant) const;
  /// Poll body for the job `request_id` created by
  /// submit_variant(route_request_id, variant).
  std::string poll(std::string_view route_request_id, std::string_view request_id,
                   std::uint64_t variant = 0) const;

  /// The route of the dev-key bodies (make()).
  static constexpr std::string_view dev_route = "qc_v1";
  const std::string& route() const { return route_; }
  std::string submit_path() const { return "/v1/" + route_ + "/signer/requests"; }
  std::string poll_path() const { return "/v1/" + route_ + "/signer/requests:poll"; }
  /// "dev-key qc_v1 body" or "template <file>", for the report.
  const std::string& origin() const { return origin_; }

private:
  // Cuts `body` (routeRequestId and request.facadeRequestId replaced by
  // marks) into the submit and poll pieces.
  std::optional<std::string> split_templates(boost::json::object given);

  std::string route_{dev_route};
  std::string origin_;
  std::string facade(std::uint64_t variant) const;

  // Pieces around the placeholders, in body order.
  std::vector<std::string> submit_pieces_; // | rrid | facade |
  std::vector<std::string> poll_pieces_;   // | request id | rrid | facade |
  std::string canonical_facade_;
};

/// The EIP-712 domain the bench signs under and configures in-process
/// nodes with: chainId 0 and the default salt (covsignerd's defaults).
covenant::eip712_domain bench_domain();

} // namespace covsigner::bench
