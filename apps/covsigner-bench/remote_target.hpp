// A node the bench did not start (--url): where it is (one or several
// URLs, clients spread round-robin), how to reach it (bearer token, CA
// bundle, connect timeout), and the startup probe that sends it one body and
// stops the bench with the node's own answer if that body is not accepted.
//
// Loopback targets only unless --allow-remote: a benchmark is a load test
// (thousands of submits, as many jobs left in that node's store), so a typo
// in a URL must not aim it at somebody's production node.
#pragma once

#include "apps/covsigner-bench/options.hpp"
#include "apps/covsigner-bench/requests.hpp"
#include "apps/covsigner-bench/transports.hpp"

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace covsigner::bench {

/// One --url, split.
struct target_url {
  std::string scheme; // http | https
  std::string host;   // as written ([v6] keeps its brackets)
  int port = 0;
  std::string base() const { return scheme + "://" + host + ":" + std::to_string(port); }
};

/// Parses "http(s)://host[:port][/]"; the error names the URL.
std::variant<target_url, std::string> parse_target_url(const std::string& url);

struct remote_target {
  std::vector<target_url> urls;
  std::vector<http_endpoint> endpoints; // one per URL, same order
  bool authenticated = false;           // a bearer token is sent

  /// Clients spread round-robin over the endpoints.
  std::unique_ptr<client_factory> clients() const { return http_clients(endpoints); }
  /// "http://127.0.0.1:8640, https://10.0.0.2:8640"
  std::string describe() const;
};

/// Parses --url(s), refuses non-loopback hosts without --allow-remote, reads
/// the token file; endpoint paths are `rq`'s route.
std::variant<remote_target, std::string> make_target(const bench_options& o,
                                                     const request_factory& rq);

/// Submits one body (a fresh routeRequestId) to every endpoint; the error
/// quotes the node: "http://127.0.0.1:8640 refused the bench's submit body:
/// HTTP 401 invalid bearer token".
std::optional<std::string> probe_target(const remote_target& target, const request_factory& rq);

} // namespace covsigner::bench
