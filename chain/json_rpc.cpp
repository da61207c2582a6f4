#include "chain/json_rpc.hpp"

#include <boost/json.hpp>
#include <httplib.h>

#include <atomic>
#include <charconv>

namespace covsigner::chain {

namespace json = boost::json;

std::optional<rpc_endpoint> parse_http_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (url.substr(0, scheme.size()) != scheme)
    return std::nullopt;
  url.remove_prefix(scheme.size());
  rpc_endpoint ep;
  auto slash = url.find('/');
  auto authority = url.substr(0, slash);
  ep.path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    auto userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    auto colon = userinfo.find(':');
    ep.user = std::string(userinfo.substr(0, colon));
    if (colon != std::string_view::npos)
      ep.password = std::string(userinfo.substr(colon + 1));
    if (ep.user.empty())
      return std::nullopt;
  }
  auto colon = authority.rfind(':');
  ep.port = 80;
  if (colon != std::string_view::npos) {
    auto port = authority.substr(colon + 1);
    int value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value <= 0 || value > 65535)
      return std::nullopt;
    ep.port = value;
    authority = authority.substr(0, colon);
  }
  if (authority.empty())
    return std::nullopt;
  ep.host = std::string(authority);
  return ep;
}

std::string check_timeouts(const rpc_timeouts& t, std::chrono::milliseconds request_timeout) {
  if (t.connect.count() <= 0 || t.read.count() <= 0 || t.write.count() <= 0)
    return "socket timeouts must be positive";
  if (t.total() >= request_timeout)
    return "socket timeouts (connect " + std::to_string(t.connect.count()) + " ms + write " +
           std::to_string(t.write.count()) + " ms + read " + std::to_string(t.read.count()) +
           " ms) must end a call before the request timeout (" +
           std::to_string(request_timeout.count()) + " ms)";
  return {};
}

std::string build_rpc_request(std::uint64_t id, std::string_view method,
                              const json::array& params) {
  json::object req;
  req["jsonrpc"] = "2.0";
  req["id"] = id;
  req["method"] = json::string_view(method.data(), method.size());
  req["params"] = params;
  return json::serialize(req);
}

rpc_outcome parse_rpc_response(std::string_view body, std::uint64_t expected_id,
                               std::string_view method) {
  rpc_outcome out;
  auto name = std::string(method);
  json::error_code ec;
  auto v = json::parse(json::string_view(body.data(), body.size()), ec);
  const json::object* obj = ec ? nullptr : v.if_object();
  if (!obj) {
    out.failure = rpc_failure::malformed;
    out.message = name + ": response is not a JSON object";
    return out;
  }
  auto id = obj->find("id");
  bool id_ok = id != obj->end() &&
               ((id->value().is_uint64() && id->value().as_uint64() == expected_id) ||
                (id->value().is_int64() && id->value().as_int64() >= 0 &&
                 static_cast<std::uint64_t>(id->value().as_int64()) == expected_id));
  auto error = obj->find("error");
  if (error != obj->end() && !error->value().is_null()) {
    out.failure = rpc_failure::rpc_error;
    const auto* e = error->value().if_object();
    std::string message = "(no message)";
    if (e) {
      if (auto c = e->find("code"); c != e->end() && c->value().is_int64())
        out.error_code = c->value().as_int64();
      if (auto m = e->find("message"); m != e->end() && m->value().is_string())
        message = std::string(m->value().as_string());
    }
    out.message = name + " failed: RPC error " + std::to_string(out.error_code) + ": " + message;
    return out;
  }
  if (!id_ok) {
    out.failure = rpc_failure::malformed;
    out.message = name + ": response id does not match the request";
    return out;
  }
  auto result = obj->find("result");
  if (result == obj->end()) {
    out.failure = rpc_failure::malformed;
    out.message = name + ": response has neither result nor error";
    return out;
  }
  out.result = result->value();
  return out;
}

json_rpc_client::json_rpc_client(rpc_endpoint endpoint, rpc_timeouts timeouts)
  : endpoint_(std::move(endpoint)), timeouts_(timeouts) {}

rpc_outcome json_rpc_client::call(std::string_view method, const json::array& params) const {
  static std::atomic<std::uint64_t> next_id{1};
  auto id = next_id.fetch_add(1, std::memory_order_relaxed);
  httplib::Client client(endpoint_.host, endpoint_.port);
  client.set_connection_timeout(timeouts_.connect);
  client.set_write_timeout(timeouts_.write);
  client.set_read_timeout(timeouts_.read);
  client.set_keep_alive(false);
  if (!endpoint_.user.empty())
    client.set_basic_auth(endpoint_.user, endpoint_.password);
  auto body = build_rpc_request(id, method, params);
  auto res = client.Post(endpoint_.path, body, "application/json");
  if (!res) {
    rpc_outcome out;
    out.failure = rpc_failure::transport;
    out.message = std::string(method) + ": " + httplib::to_string(res.error()) + " (" +
                  endpoint_.host + ":" + std::to_string(endpoint_.port) + ")";
    return out;
  }
  auto out = parse_rpc_response(res->body, id, method);
  if (res->status != 200 && out.failure == rpc_failure::malformed) {
    out.failure = rpc_failure::http_status;
    out.message = std::string(method) + ": HTTP " + std::to_string(res->status);
  }
  return out;
}

} // namespace covsigner::chain
