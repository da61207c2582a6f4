#include "transport/request_pipeline.hpp"

#include "covenant/request.hpp"

namespace covsigner::transport {

using namespace messages;

namespace {

constexpr std::string_view signer_coordination = "SIGNER_COORDINATION";

http_error bad_request(std::string message, std::string detail = {}) {
  return {400, std::move(message), std::move(detail)};
}

// Envelope checks shared by submit and poll, in the reference's order
// (§5.2): routeRequestId, stage, then the request's own route.
std::optional<http_error> check_envelope(const std::string& route_request_id,
                                         const std::string& stage,
                                         const covenant::route_submit_request& request,
                                         std::string_view route) {
  if (route_request_id.empty())
    return bad_request("routeRequestId is required");
  if (stage != signer_coordination)
    return bad_request("stage must be SIGNER_COORDINATION");
  if (request.route != route)
    return bad_request("request.route does not match endpoint route");
  return std::nullopt;
}

} // namespace

std::variant<submit_command, http_error>
prepare_submit(std::string_view body, std::string_view route, const request_policy& policy) {
  auto decoded = covenant::decode_submit_input(body);
  if (auto* err = std::get_if<covenant::input_error>(&decoded))
    return bad_request(std::string{covenant::malformed_request_body}, err->detail);
  auto& input = std::get<covenant::submit_input>(decoded);
  if (auto err = check_envelope(input.route_request_id, input.stage, input.request, route))
    return *err;
  auto normalized = covenant::normalize_request(input.request, policy.normalize);
  if (auto* err = std::get_if<covenant::input_error>(&normalized))
    return bad_request(err->message);
  auto& request = std::get<covenant::route_submit_request>(normalized);
  submit_command cmd;
  auto& draft = cmd.draft;
  draft.route = std::string{route};
  draft.route_request_id = input.route_request_id;
  draft.idempotency_key = request.idempotency_key;
  draft.facade_request_id = request.facade_request_id;
  draft.request_json = covenant::canonical_request_json(request);
  draft.request_digest = covenant::request_digest(request);
  return cmd;
}

std::variant<poll_command, http_error>
prepare_poll(std::string_view body, std::string_view route,
             const std::optional<std::string>& path_request_id, const request_policy& policy) {
  auto decoded = covenant::decode_poll_input(body);
  if (auto* err = std::get_if<covenant::input_error>(&decoded))
    return bad_request(std::string{covenant::malformed_request_body}, err->detail);
  auto& input = std::get<covenant::poll_input>(decoded);
  if (path_request_id) {
    if (!input.request_id.empty() && input.request_id != *path_request_id)
      return bad_request("requestId in body does not match path");
    input.request_id = *path_request_id;
  }
  if (input.request_id.empty())
    return bad_request("requestId is required");
  if (auto err = check_envelope(input.route_request_id, input.stage, input.request, route))
    return *err;
  auto digest = covenant::normalized_request_digest(input.request, policy.normalize);
  if (auto* err = std::get_if<covenant::input_error>(&digest))
    return bad_request(err->message);
  poll_command cmd;
  cmd.route = std::string{route};
  cmd.request_id = input.request_id;
  cmd.route_request_id = input.route_request_id;
  cmd.request_digest = std::get<std::string>(digest);
  return cmd;
}

} // namespace covsigner::transport
