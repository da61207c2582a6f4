#include "apps/covsigner-bench/requests.hpp"

#include "apps/covsignerctl/example_request.hpp"
#include "covenant/request.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <optional>
#include <vector>

namespace covsigner::bench {

namespace {

constexpr std::string_view rrid_mark = "@@RRID@@";
constexpr std::string_view facade_mark = "@@FACADE@@";
constexpr std::string_view request_id_mark = "@@REQUESTID@@";

// Splits `text` at `marks` (each must occur exactly once, in this order):
// marks.size() + 1 pieces.
std::optional<std::vector<std::string>> split_at(const std::string& text,
                                                 std::initializer_list<std::string_view> marks) {
  std::vector<std::string> pieces;
  std::size_t from = 0;
  for (auto m : marks) {
    auto at = text.find(m, from);
    if (at == std::string::npos || text.find(m, at + 1) != std::string::npos)
      return std::nullopt;
    pieces.push_back(text.substr(from, at - from));
    from = at + m.size();
  }
  pieces.push_back(text.substr(from));
  return pieces;
}

// pieces[0] values[0] pieces[1] ... values[n-1] pieces[n]. The values the
// bench puts in (its route request ids, request ids, facade suffixes) are
// [A-Za-z0-9_-]: no JSON escaping.
std::string join(const std::vector<std::string>& pieces, std::initializer_list<std::string_view> values) {
  std::size_t n = 0;
  for (const auto& p : pieces)
    n += p.size();
  std::string out;
  out.reserve(n + 96);
  auto v = values.begin();
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    out += pieces[i];
    if (v != values.end())
      out += *v++;
  }
  return out;
}

std::string digest_of(const messages::submit_command& c) { return c.draft.request_digest; }

} // namespace

covenant::eip712_domain bench_domain() {
  return {0, covenant::default_approval_salt()};
}

std::optional<std::string> request_factory::split_templates(boost::json::object given) {
  // routeRequestId first, so its mark precedes the facade mark in the text
  // whatever order a template file has.
  boost::json::object body;
  body["routeRequestId"] = std::string(rrid_mark);
  for (auto& field : given)
    if (field.key() != "routeRequestId")
      body[field.key()] = std::move(field.value());
  auto& request = body.at("request").as_object();
  canonical_facade_ = std::string(request.at("facadeRequestId").as_string());
  request["facadeRequestId"] = std::string(facade_mark);
  auto submit = split_at(boost::json::serialize(body), {rrid_mark, facade_mark});
  if (!submit)
    return "submit template: placeholders not found once each";
  boost::json::object poll;
  poll["requestId"] = std::string(request_id_mark);
  poll["routeRequestId"] = std::string(rrid_mark);
  if (auto* stage = body.if_contains("stage"))
    poll["stage"] = *stage;
  poll["request"] = request;
  auto polled = split_at(boost::json::serialize(poll), {request_id_mark, rrid_mark, facade_mark});
  if (!polled)
    return "poll template: placeholders not found once each";
  submit_pieces_ = std::move(*submit);
  poll_pieces_ = std::move(*polled);
  return std::nullopt;
}

std::string request_factory::facade(std::uint64_t variant) const {
  // "<canonical>" or "<canonical>_v<n>": a different digest, same approvals.
  return variant == 0 ? canonical_facade_ : canonical_facade_ + "_v" + std::to_string(variant);
}

std::variant<request_factory, std::string> request_factory::from_template(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return "cannot read --body-template [" + path + "]";
  std::string text((std::istreambuf_iterator<char>(in)), {});
  boost::system::error_code ec;
  auto parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_object())
    return "--body-template [" + path + "] is not a JSON object";
  auto& body = parsed.as_object();
  auto* request = body.if_contains("request");
  auto string_at = [](const boost::json::value* v) { return v && v->is_string(); };
  if (!string_at(body.if_contains("routeRequestId")) || !request || !request->is_object() ||
      !string_at(request->as_object().if_contains("facadeRequestId")) ||
      !string_at(request->as_object().if_contains("route")))
    return "--body-template [" + path +
           "] needs routeRequestId, request.route and request.facadeRequestId (strings)";
  request_factory f;
  f.route_ = std::string(request->as_object().at("route").as_string());
  f.origin_ = "template " + path;
  if (auto err = f.split_templates(std::move(body)))
    return "--body-template [" + path + "]: " + *err;
  return f;
}

std::variant<request_factory, std::string> request_factory::make_certified(
  const covenant::eip712_domain& domain, std::string_view route) {
  ctl::example_options ex;
  ex.route = std::string(route);
  ex.route_request_id = "bench-template";
  ex.domain = domain;
  ex.signer_approval_end_block = dev_certificate_end_block;
  auto made = ctl::make_example_submit(ex);
  if (auto* err = std::get_if<std::string>(&made))
    return "example request: " + *err;
  request_factory f;
  f.route_ = std::string(route);
  f.origin_ = "dev-key " + std::string(route) + " body with a signer approval certificate";
  if (auto err = f.split_templates(std::get<boost::json::object>(made)))
    return *err;
  return f;
}

std::variant<request_factory, std::string> request_factory::make(const transport::request_policy& policy) {
  ctl::example_options ex;
  ex.route = std::string(dev_route);
  ex.route_request_id = "bench-template";
  ex.domain = policy.validation.domain;
  auto made = ctl::make_example_submit(ex);
  if (auto* err = std::get_if<std::string>(&made))
    return "example request: " + *err;
  request_factory f;
  f.origin_ = "dev-key " + std::string(dev_route) + " body";
  if (auto err = f.split_templates(std::get<boost::json::object>(made)))
    return *err;
  const auto route = dev_route;

  // Self-check with the node's own pure pipeline.
  auto check = [&](const std::string& b) -> std::variant<messages::submit_command, std::string> {
    auto prepared = transport::prepare_submit(b, route, policy);
    if (auto* e = std::get_if<transport::http_error>(&prepared))
      return "a templated submit does not validate: " + e->message + " (" + e->log_detail + ")";
    return std::get<messages::submit_command>(prepared);
  };
  auto a = check(f.submit("bench-check-a"));
  auto b = check(f.submit("bench-check-b"));
  auto c = check(f.submit_variant("bench-check-a", 7));
  for (auto* r : {&a, &b, &c})
    if (auto* e = std::get_if<std::string>(r))
      return *e;
  auto& ca = std::get<messages::submit_command>(a);
  auto& cb = std::get<messages::submit_command>(b);
  auto& cc = std::get<messages::submit_command>(c);
  if (ca.draft.route_key() == cb.draft.route_key())
    return "two routeRequestIds gave one route key";
  if (digest_of(ca) != digest_of(cb))
    return "the routeRequestId changed the request digest (the template assumption is wrong)";
  if (digest_of(ca) == digest_of(cc))
    return "a payload variant kept the request digest (the conflict storm would not conflict)";
  auto polled = transport::prepare_poll(f.poll("bench-check-a", "kcs_qc_0123456789abcdef"), route,
                                        std::nullopt, policy);
  if (auto* e = std::get_if<transport::http_error>(&polled))
    return "a templated poll does not validate: " + e->message + " (" + e->log_detail + ")";
  if (std::get<messages::poll_command>(polled).request_digest != digest_of(ca))
    return "the poll's digest differs from its submit's";
  return f;
}

std::string request_factory::submit(std::string_view route_request_id) const {
  return submit_variant(route_request_id, 0);
}

std::string request_factory::submit_variant(std::string_view route_request_id,
                                            std::uint64_t variant) const {
  return join(submit_pieces_, {route_request_id, facade(variant)});
}

std::string request_factory::poll(std::string_view route_request_id, std::string_view request_id,
                                  std::uint64_t variant) const {
  return join(poll_pieces_, {request_id, route_request_id, facade(variant)});
}

} // namespace covsigner::bench
