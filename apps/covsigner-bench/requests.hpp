// The bodies the bench sends: valid qc_v1 submits (covsignerctl's example,
// signed with the public development keys) with a routeRequestId per route
// key, payload variants for the conflict storm, and polls.
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

#include <string>
#include <string_view>
#include <variant>

namespace covsigner::bench {

class request_factory {
public:
  /// Builds the templates and checks them with transport::prepare_submit /
  /// prepare_poll under `policy` (unique ids give distinct route keys, a
  /// facade variant gives a distinct digest). Errors name what failed.
  static std::variant<request_factory, std::string> make(const transport::request_policy& policy);

  /// Submit body for `route_request_id` with the canonical payload.
  std::string submit(std::string_view route_request_id) const;
  /// Same route key, payload variant `variant` (0 = the canonical payload).
  std::string submit_variant(std::string_view route_request_id, std::uint64_t variant) const;
  /// Poll body for the job `request_id` created by submit(route_request_id).
  std::string poll(std::string_view route_request_id, std::string_view request_id) const;

  static constexpr std::string_view route = "qc_v1";
  static std::string submit_path() { return "/v1/qc_v1/signer/requests"; }
  static std::string poll_path() { return "/v1/qc_v1/signer/requests:poll"; }

private:
  // Pieces around the placeholders, in body order.
  std::string submit_head_, submit_mid_, submit_tail_; // rrid, facade suffix
  std::string poll_head_, poll_mid_, poll_tail_;       // rrid, request id
  std::string canonical_facade_suffix_;
};

/// The EIP-712 domain the bench signs under and configures in-process
/// nodes with: chainId 0 and the default salt (covsignerd's defaults).
covenant::eip712_domain bench_domain();

} // namespace covsigner::bench
