// The pure half of submit and poll, run on the HTTP worker (or an embedder's
// thread) before anything reaches an actor: strict decode, the path/body
// requestId rule, then covenant validation (reference §5.2: envelope,
// request rules, approval signatures, trust roots, certificate expiry),
// which yields the normalised request and its digest.
#pragma once

#include "covenant/validation.hpp"
#include "messages/node.hpp"
#include "messages/published_jobs.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace covsigner::transport {

/// An answer decided before the node is asked: HTTP status + plain text.
struct http_error {
  int status = 400;
  std::string message;    // without the trailing newline
  std::string log_detail; // what the decoder or validator said (logged, never sent)
};

/// What the node was configured with that the pure checks need: EIP-712
/// domain, trust roots, whether a signer-approval verifier exists. The
/// time and chain height fields are filled per request by the pipeline's
/// callers (see prepare_submit).
struct request_policy {
  covenant::validation_policy validation;
};

/// Body of a submit to `route` -> the node's submit command, or the error
/// (400 with the reference's text; 500 `internal server error` when the
/// certificate expiry cannot be checked for lack of a chain height).
/// `now` is the plan-quote freshness reference.
std::variant<messages::submit_command, http_error>
prepare_submit(std::string_view body, std::string_view route, const request_policy& policy,
               std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

/// Body of a poll to `route`; `path_request_id` is set for the path form
/// (reference §1.2: a differing non-empty body requestId is a 400, then the
/// path id wins). `stored`: the node's published jobs; when the polled job
/// is there with this route and routeRequestId, its depositorEthAddress is
/// the ETH identity the D approval is verified against (reference §3.4
/// step 2), so ETH-signed jobs stay pollable after trust roots change.
std::variant<messages::poll_command, http_error>
prepare_poll(std::string_view body, std::string_view route,
             const std::optional<std::string>& path_request_id, const request_policy& policy,
             const messages::published_jobs* stored = nullptr);

} // namespace covsigner::transport
