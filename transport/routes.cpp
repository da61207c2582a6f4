#include "transport/routes.hpp"

#include "crypto/bytes.hpp"

namespace covsigner::transport {

namespace {

constexpr std::string_view not_found_body = "404 page not found";
constexpr std::string_view v1_prefix = "/v1/";
constexpr std::string_view requests_suffix = "/signer/requests";
constexpr std::string_view poll_suffix = ":poll";
constexpr std::string_view admin_certificates_path = "/v1/admin/signer-approval-certificates";

routed reject(int status, std::string_view body, std::string allow = {}) {
  routed r;
  r.kind = endpoint::rejected;
  r.status = status;
  r.body = std::string{body};
  r.allow = std::move(allow);
  return r;
}

routed accept(endpoint kind, std::string route = {}, std::string request_id = {}) {
  routed r;
  r.kind = kind;
  r.status = 200;
  r.route = std::move(route);
  r.request_id = std::move(request_id);
  return r;
}

bool is_get_or_head(std::string_view method) {
  return method == "GET" || method == "HEAD";
}

} // namespace

std::optional<std::string> path_unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size())
      return std::nullopt;
    int hi = crypto::hex_digit_value(s[i + 1]);
    int lo = crypto::hex_digit_value(s[i + 2]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out += static_cast<char>(hi << 4 | lo);
    i += 2;
  }
  return out;
}

routed route_request(std::string_view method, std::string_view path, bool self_v1_enabled) {
  if (path == "/healthz" || path == "/readyz") {
    if (!is_get_or_head(method))
      return reject(405, "Method Not Allowed", "GET, HEAD");
    return accept(path == "/healthz" ? endpoint::healthz : endpoint::readyz);
  }
  if (path == "/metrics") {
    if (!is_get_or_head(method))
      return reject(405, "Method Not Allowed", "GET, HEAD");
    return accept(endpoint::metrics);
  }
  if (path == admin_certificates_path) {
    if (method != "POST")
      return reject(405, "Method Not Allowed", "POST");
    return accept(endpoint::admin_certificate);
  }
  if (!path.starts_with(v1_prefix))
    return reject(404, not_found_body);
  auto rest = path.substr(v1_prefix.size());
  auto slash = rest.find('/');
  if (slash == std::string_view::npos)
    return reject(404, not_found_body);
  std::string route{rest.substr(0, slash)};
  if (route != "qc_v1" && !(route == "self_v1" && self_v1_enabled))
    return reject(404, not_found_body);
  rest = rest.substr(slash);
  if (!rest.starts_with(requests_suffix))
    return reject(404, not_found_body);
  rest = rest.substr(requests_suffix.size());
  if (rest.empty() || rest == poll_suffix) {
    if (method != "POST")
      return reject(405, "Method Not Allowed", "POST");
    return accept(rest.empty() ? endpoint::submit : endpoint::poll_body, route);
  }
  if (!rest.starts_with("/"))
    return reject(404, not_found_body);
  // The path-poll subtree: every method reaches the handler, which answers
  // 405 itself before looking at the path (reference §1.2).
  if (method != "POST")
    return reject(405, "method not allowed", "POST");
  auto tail = rest.substr(1);
  if (!tail.ends_with(poll_suffix))
    return reject(404, not_found_body);
  auto id = path_unescape(tail.substr(0, tail.size() - poll_suffix.size()));
  if (!id || id->empty() || id->find('/') != std::string::npos)
    return reject(404, not_found_body);
  return accept(endpoint::poll_path, route, *id);
}

} // namespace covsigner::transport
