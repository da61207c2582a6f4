// The pure half of submit and poll, run on the HTTP worker (or an embedder's
// thread) before anything reaches an actor: strict decode, the reference's
// envelope checks, normalisation and the request digest.
#pragma once

#include "covenant/normalize.hpp"
#include "messages/node.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace covsigner::transport {

/// An answer decided before the node is asked: HTTP status + plain text.
struct http_error {
  int status = 400;
  std::string message; // without the trailing newline
  std::string log_detail; // what the decoder said (logged, never sent)
};

/// What the node was configured with that the pure checks need.
struct request_policy {
  covenant::normalize_options normalize; // EIP-712 domain of approvals
};

/// Body of a submit to `route` -> the node's submit command, or the 400.
std::variant<messages::submit_command, http_error>
prepare_submit(std::string_view body, std::string_view route, const request_policy& policy);

/// Body of a poll to `route`; `path_request_id` is set for the path form
/// (reference §1.2: a differing non-empty body requestId is a 400, then the
/// path id wins).
std::variant<messages::poll_command, http_error>
prepare_poll(std::string_view body, std::string_view route,
             const std::optional<std::string>& path_request_id, const request_policy& policy);

} // namespace covsigner::transport
