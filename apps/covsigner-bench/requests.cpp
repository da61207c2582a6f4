#include "apps/covsigner-bench/requests.hpp"

#include "apps/covsignerctl/example_request.hpp"
#include "covenant/request.hpp"

#include <boost/json.hpp>

namespace covsigner::bench {

namespace {

constexpr std::string_view rrid_mark = "@@RRID@@";
constexpr std::string_view facade_mark = "@@FACADE@@";
constexpr std::string_view request_id_mark = "@@REQUESTID@@";

// Splits `text` at the two marks (each must occur exactly once, in order).
bool split3(const std::string& text, std::string_view a, std::string_view b, std::string& head,
            std::string& mid, std::string& tail) {
  auto pa = text.find(a);
  auto pb = text.find(b);
  if (pa == std::string::npos || pb == std::string::npos || pb < pa ||
      text.find(a, pa + 1) != std::string::npos || text.find(b, pb + 1) != std::string::npos)
    return false;
  head = text.substr(0, pa);
  mid = text.substr(pa + a.size(), pb - pa - a.size());
  tail = text.substr(pb + b.size());
  return true;
}

std::string digest_of(const messages::submit_command& c) { return c.draft.request_digest; }

} // namespace

covenant::eip712_domain bench_domain() {
  return {0, covenant::default_approval_salt()};
}

std::variant<request_factory, std::string> request_factory::make(const transport::request_policy& policy) {
  ctl::example_options ex;
  ex.route = std::string(route);
  ex.route_request_id = std::string(rrid_mark);
  ex.domain = policy.validation.domain;
  auto made = ctl::make_example_submit(ex);
  if (auto* err = std::get_if<std::string>(&made))
    return "example request: " + *err;
  auto body = std::get<boost::json::object>(made);
  auto& request = body.at("request").as_object();
  request_factory f;
  f.canonical_facade_suffix_ = std::string(request.at("facadeRequestId").as_string());
  // The facade id becomes "<canonical>" or "<canonical>_v<n>".
  request["facadeRequestId"] = std::string(facade_mark);
  if (!split3(boost::json::serialize(body), rrid_mark, facade_mark, f.submit_head_, f.submit_mid_,
              f.submit_tail_))
    return "submit template: placeholders not found once each";
  boost::json::object poll;
  poll["requestId"] = std::string(request_id_mark);
  poll["routeRequestId"] = std::string(rrid_mark);
  poll["stage"] = body.at("stage");
  request["facadeRequestId"] = f.canonical_facade_suffix_;
  poll["request"] = request;
  // The poll template has the request id first, then the route request id.
  if (!split3(boost::json::serialize(poll), request_id_mark, rrid_mark, f.poll_head_, f.poll_mid_,
              f.poll_tail_))
    return "poll template: placeholders not found once each";

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
  // Route request ids the bench makes are [A-Za-z0-9-]: no JSON escaping.
  std::string out;
  out.reserve(submit_head_.size() + submit_mid_.size() + submit_tail_.size() + 64);
  out += submit_head_;
  out += route_request_id;
  out += submit_mid_;
  out += canonical_facade_suffix_;
  if (variant != 0) {
    out += "_v";
    out += std::to_string(variant);
  }
  out += submit_tail_;
  return out;
}

std::string request_factory::poll(std::string_view route_request_id,
                                  std::string_view request_id) const {
  std::string out;
  out.reserve(poll_head_.size() + poll_mid_.size() + poll_tail_.size() + 64);
  out += poll_head_;
  out += request_id;
  out += poll_mid_;
  out += route_request_id;
  out += poll_tail_;
  return out;
}

} // namespace covsigner::bench
