#include "transport/auth.hpp"

#include "crypto/constant_time.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace covsigner::transport {

namespace {

constexpr std::string_view bearer_prefix = "Bearer ";
constexpr std::string_view admin_prefix = "/v1/admin/";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

} // namespace

auth_scope scope_of(std::string_view method, std::string_view path) {
  if (path == "/healthz" && (method == "GET" || method == "HEAD"))
    return auth_scope::open;
  if (path.starts_with(admin_prefix))
    return auth_scope::admin;
  return auth_scope::client;
}

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

auth_result check_bearer(std::string_view authorization, const std::vector<std::string>& tokens) {
  auth_result result;
  if (tokens.empty())
    return result;
  if (!authorization.starts_with(bearer_prefix)) {
    result.failure = auth_failure{"missing bearer token"};
    return result;
  }
  auto presented = trim_space(authorization.substr(bearer_prefix.size()));
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    // No early exit: every configured token is compared.
    if (crypto::constant_time_equal(presented, tokens[i]) && !result.matched)
      result.matched = i;
  }
  if (!result.matched)
    result.failure = auth_failure{"invalid bearer token"};
  return result;
}

bool is_loopback_address(std::string_view listen_address) {
  auto host = trim_space(listen_address);
  if (host.empty() || iequals(host, "localhost"))
    return true;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string literal{host};
  in_addr v4{};
  if (inet_pton(AF_INET, literal.c_str(), &v4) == 1)
    return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, literal.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6))
      return true;
    // An IPv4-mapped loopback (::ffff:127.x.y.z) is loopback for Go too.
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

std::optional<std::string> check_listen_tokens(std::string_view listen_address,
                                               bool have_client_token, bool have_admin_token) {
  if (is_loopback_address(listen_address))
    return std::nullopt;
  std::string address{trim_space(listen_address)};
  if (!have_client_token)
    return "covenant signer authToken is required for non-loopback listenAddress [" + address + "]";
  if (!have_admin_token)
    return "covenant signer adminAuthToken is required for non-loopback listenAddress [" +
           address + "]";
  return std::nullopt;
}

std::vector<std::string> parse_token_lines(std::string_view text) {
  std::vector<std::string> tokens;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = trim_space(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (line.empty() || line.front() == '#')
      continue;
    tokens.emplace_back(line);
  }
  return tokens;
}

} // namespace covsigner::transport
