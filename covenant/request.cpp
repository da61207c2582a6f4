#include "covenant/request.hpp"

#include "covenant/canonical_json.hpp"
#include "covenant/request_wire.hpp"

#include <boost/json.hpp>

namespace covsigner::covenant {

namespace sj = strict_json;
namespace ws = wire_struct;

namespace {

// Parses `text` and decodes it into a T; HTTP body rule for trailing
// content.
template <class T>
std::variant<T, input_error> decode_body(std::string_view text) {
  auto parsed = sj::parse(text, sj::trailing_policy::whitespace_only);
  if (auto* err = std::get_if<sj::decode_error>(&parsed))
    return input_error{std::string(malformed_request_body), err->message};
  sj::context ctx;
  T out{};
  ws::decode_struct(ctx, std::get<sj::node>(parsed), out);
  if (ctx.failed())
    return input_error{std::string(malformed_request_body), *ctx.error()};
  return out;
}

// The reference's strictUnmarshal over a RawMessage.
template <class T>
std::variant<T, sj::decode_error> strict_unmarshal(const std::optional<sj::node>& raw) {
  if (!raw)
    return sj::decode_error{"EOF"}; // Go: decoding an empty RawMessage
  sj::context ctx;
  T out{};
  ws::decode_struct(ctx, *raw, out);
  if (ctx.failed())
    return sj::decode_error{*ctx.error()};
  return out;
}

} // namespace

boost::json::value to_canonical_value(const transaction_plan& plan) {
  return ws::encode_struct(plan);
}

boost::json::value to_canonical_value(const signer_approval_certificate& certificate) {
  return ws::encode_struct(certificate);
}

boost::json::value to_canonical_value(const route_submit_request& request) {
  return ws::encode_struct(request);
}

std::string canonical_request_json(const route_submit_request& request) {
  return canonical_json(to_canonical_value(request));
}

std::variant<submit_input, input_error> decode_submit_input(std::string_view body) {
  return decode_body<submit_input>(body);
}

std::variant<poll_input, input_error> decode_poll_input(std::string_view body) {
  return decode_body<poll_input>(body);
}

std::variant<route_submit_request, input_error> decode_route_submit_request(
    std::string_view json) {
  return decode_body<route_submit_request>(json);
}

std::variant<self_v1_template, strict_json::decode_error> parse_self_v1_template(
    const std::optional<strict_json::node>& raw) {
  return strict_unmarshal<self_v1_template>(raw);
}

std::variant<qc_v1_template, strict_json::decode_error> parse_qc_v1_template(
    const std::optional<strict_json::node>& raw) {
  return strict_unmarshal<qc_v1_template>(raw);
}

} // namespace covsigner::covenant
