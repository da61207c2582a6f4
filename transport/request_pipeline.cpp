#include "transport/request_pipeline.hpp"

#include "covenant/request.hpp"

namespace covsigner::transport {

using namespace messages;

namespace {

http_error bad_request(std::string message, std::string detail = {}) {
  return {400, std::move(message), std::move(detail)};
}

// The validator's failure as HTTP: input errors are 400 with their text;
// a missing chain height is the reference's 500 (message logged only).
http_error from_validation(const covenant::validation_error& err) {
  if (err.kind == covenant::validation_error_kind::input)
    return bad_request(err.message);
  return {500, "internal server error", err.message};
}

} // namespace

std::variant<submit_command, http_error>
prepare_submit(std::string_view body, std::string_view route, const request_policy& policy,
               std::chrono::system_clock::time_point now) {
  auto decoded = covenant::decode_submit_input(body);
  if (auto* err = std::get_if<covenant::input_error>(&decoded))
    return bad_request(std::string{covenant::malformed_request_body}, err->detail);
  auto& input = std::get<covenant::submit_input>(decoded);
  auto submit_policy = policy.validation;
  submit_policy.now = now;
  auto validated = covenant::validate_submit(input, route, submit_policy);
  if (auto* err = std::get_if<covenant::validation_error>(&validated))
    return from_validation(*err);
  auto& v = std::get<covenant::validated_request>(validated);
  submit_command cmd;
  // The engine's certificate check (reference §6.3) needs wallet chain data:
  // the node runs it before any job exists.
  cmd.verify_signer_approval = v.signer_approval_verification_due;
  auto& draft = cmd.draft;
  draft.route = std::string{route};
  draft.route_request_id = input.route_request_id;
  draft.idempotency_key = v.normalized.idempotency_key;
  draft.facade_request_id = v.normalized.facade_request_id;
  draft.depositor_eth_address = v.depositor_eth_address;
  draft.request_json = covenant::canonical_request_json(v.normalized);
  draft.request_digest = std::move(v.request_digest);
  return cmd;
}

std::variant<poll_command, http_error>
prepare_poll(std::string_view body, std::string_view route,
             const std::optional<std::string>& path_request_id, const request_policy& policy,
             const published_jobs* stored) {
  auto decoded = covenant::decode_poll_input(body);
  if (auto* err = std::get_if<covenant::input_error>(&decoded))
    return bad_request(std::string{covenant::malformed_request_body}, err->detail);
  auto& input = std::get<covenant::poll_input>(decoded);
  if (path_request_id) {
    if (!input.request_id.empty() && input.request_id != *path_request_id)
      return bad_request("requestId in body does not match path");
    input.request_id = *path_request_id;
  }
  auto poll_policy = policy.validation;
  if (stored)
    if (auto job = stored->answer(input.request_id);
        job && job->route == route && job->route_request_id == input.route_request_id)
      poll_policy.pinned_depositor_eth_address = job->depositor_eth_address;
  auto validated = covenant::validate_poll(input, route, poll_policy);
  if (auto* err = std::get_if<covenant::validation_error>(&validated))
    return from_validation(*err);
  auto& v = std::get<covenant::validated_request>(validated);
  poll_command cmd;
  cmd.route = std::string{route};
  cmd.request_id = input.request_id;
  cmd.route_request_id = input.route_request_id;
  cmd.request_digest = std::move(v.request_digest);
  return cmd;
}

} // namespace covsigner::transport
