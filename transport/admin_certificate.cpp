#include "transport/admin_certificate.hpp"

#include "covenant/hex_rules.hpp"

namespace covsigner::transport {

std::variant<covenant::certificate_issue_input, http_error>
decode_issue_body(std::string_view body) {
  auto decoded = covenant::decode_certificate_issue_input(body);
  if (auto* err = std::get_if<covenant::input_error>(&decoded))
    return http_error{400, err->message, err->detail};
  return std::move(std::get<covenant::certificate_issue_input>(decoded));
}

std::variant<messages::certificate_issue, http_error>
prepare_issue(const covenant::certificate_issue_input& input, const request_policy& policy) {
  if (auto err = covenant::check_certificate_issue_input(input))
    return http_error{400, err->message, {}};
  auto digest = covenant::derive_issuance_approval_digest(input, policy.validation.roots,
                                                          policy.validation.domain);
  if (auto* err = std::get_if<covenant::input_error>(&digest))
    return http_error{400, err->message, {}};
  return messages::certificate_issue{covenant::lower_hex(input.wallet_public_key_hash),
                                     crypto::to_0x_hex(std::get<crypto::hash32>(digest)),
                                     input.end_block};
}

std::variant<std::string, http_error> issue_answer(messages::certificate_issue_reply reply) {
  switch (reply.code) {
    case messages::issue_code::ok:
      return std::move(reply.certificate_json) + "\n";
    case messages::issue_code::bad_request:
      return http_error{400, std::move(reply.message), {}};
    case messages::issue_code::unavailable:
      return http_error{503, std::move(reply.message), {}};
    case messages::issue_code::internal:
      break;
  }
  return http_error{500, "internal server error", std::move(reply.message)};
}

} // namespace covsigner::transport
