#include "apps/covsigner-bench/remote_target.hpp"

#include "transport/auth.hpp"
#include "transport/token_source.hpp"

#include <openssl/rand.h>

#include <charconv>

namespace covsigner::bench {

namespace {

std::optional<int> parse_port(std::string_view s) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || v < 1 || v > 65535)
    return std::nullopt;
  return v;
}

std::string refusal_of_remote(const target_url& u) {
  return "refusing to load-test [" + u.host +
         "]: it is not a loopback address, and covsigner-bench is a load test (thousands of "
         "submits, as many jobs left in that node's store); pass --allow-remote if the node is "
         "yours to load";
}

// A fresh routeRequestId for the probe, so it never dedupes on an old job.
std::string probe_rrid() {
  std::array<std::uint8_t, 6> b{};
  RAND_bytes(b.data(), static_cast<int>(b.size()));
  static const char* hex = "0123456789abcdef";
  std::string out = "bench-probe-";
  for (auto x : b) {
    out += hex[x >> 4];
    out += hex[x & 15];
  }
  return out;
}

} // namespace

std::variant<target_url, std::string> parse_target_url(const std::string& url) {
  auto bad = [&](const std::string& why) { return "invalid --url [" + url + "]: " + why; };
  target_url u;
  std::string_view rest = url;
  if (rest.starts_with("http://")) {
    u.scheme = "http";
  } else if (rest.starts_with("https://")) {
    u.scheme = "https";
  } else {
    return bad("expected http://host:port or https://host:port");
  }
  rest.remove_prefix(u.scheme.size() + 3);
  if (rest.ends_with("/"))
    rest.remove_suffix(1);
  if (rest.find_first_of("/?#@") != std::string_view::npos)
    return bad("no path, query or user part: the bench knows the node's routes");
  std::string_view port;
  if (rest.starts_with("[")) {
    auto close = rest.find(']');
    if (close == std::string_view::npos)
      return bad("unclosed [");
    u.host = rest.substr(0, close + 1);
    rest.remove_prefix(close + 1);
    if (!rest.empty() && !rest.starts_with(":"))
      return bad("junk after ]");
    if (!rest.empty())
      port = rest.substr(1);
  } else {
    auto colon = rest.find(':');
    u.host = rest.substr(0, colon);
    if (colon != std::string_view::npos)
      port = rest.substr(colon + 1);
  }
  if (u.host.empty() || u.host == "[]")
    return bad("no host");
  if (port.empty()) {
    u.port = u.scheme == "https" ? 443 : 80;
  } else if (auto p = parse_port(port)) {
    u.port = *p;
  } else {
    return bad("port must be 1-65535");
  }
  return u;
}

std::string remote_target::describe() const {
  std::string out;
  for (const auto& u : urls)
    out += (out.empty() ? "" : ", ") + u.base();
  return out;
}

std::variant<remote_target, std::string> make_target(const bench_options& o,
                                                     const request_factory& rq) {
  remote_target t;
  for (const auto& url : o.urls) {
    auto parsed = parse_target_url(url);
    if (auto* err = std::get_if<std::string>(&parsed))
      return *err;
    auto& u = std::get<target_url>(parsed);
    // Names are not resolved: only a loopback literal or localhost is loopback.
    if (!o.allow_remote && !transport::is_loopback_address(u.host))
      return refusal_of_remote(u);
    t.urls.push_back(u);
  }
  std::string token;
  if (!o.auth_token_file.empty()) {
    auto tokens = transport::load_tokens("", "", o.auth_token_file);
    if (auto* err = std::get_if<std::string>(&tokens))
      return "--auth-token-file: " + *err;
    auto& list = std::get<std::vector<std::string>>(tokens);
    if (list.empty())
      return "--auth-token-file [" + o.auth_token_file + "] holds no token";
    token = list.front();
  }
  for (const auto& u : t.urls) {
    http_endpoint e;
    e.base_url = u.base();
    e.bearer_token = token;
    e.ca_file = o.ca_file;
    e.connect_timeout_s = o.connect_timeout_s;
    e.submit_path = rq.submit_path();
    e.poll_path = rq.poll_path();
    t.endpoints.push_back(std::move(e));
  }
  t.authenticated = !token.empty();
  return t;
}

std::optional<std::string> probe_target(const remote_target& target, const request_factory& rq) {
  for (const auto& e : target.endpoints) {
    auto client = http_clients(std::vector<http_endpoint>{e})->make_client();
    auto answer = client->submit(rq.submit(probe_rrid()));
    if (answer.error == error_kind::none)
      continue;
    if (answer.status == 0)
      return e.base_url + " did not answer the bench's probe submit: " + answer.detail +
             (answer.detail.starts_with("SSL") ? " (is its certificate signed by --ca-file?)" : "");
    return e.base_url + " refused the bench's submit body (" + rq.origin() + "): HTTP " +
           std::to_string(answer.status) + " " + answer.detail;
  }
  return std::nullopt;
}

} // namespace covsigner::bench
