// The client baseline with --url: wrk (a C load generator with an epoll
// loop per thread) on the same URL, body, token and connection count as the
// bench's dedupe scenario, run right after it. bench/wrk near 1 says the
// bench's own client (a thread and a cpp-httplib connection per client) is
// not what limits the numbers. wrk does not verify TLS certificates; for an
// https:// node that only matters to wrk's own connections.
#pragma once

#include "apps/covsigner-bench/transports.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

namespace covsigner::bench {

struct wrk_result {
  std::string error;  // empty: wrk ran and its output was read
  std::string url;
  std::size_t threads = 0, connections = 0;
  double seconds = 0;
  std::uint64_t requests = 0;
  std::uint64_t non_2xx = 0;
  double requests_per_s = 0;
  double p50_us = 0, p99_us = 0;
  std::string socket_errors; // wrk's line, when it printed one
  /// 2xx answers per second (wrk's rate less its non-2xx share).
  double ok_per_s() const {
    if (requests == 0)
      return 0;
    return requests_per_s * static_cast<double>(requests - std::min(requests, non_2xx)) /
           static_cast<double>(requests);
  }
};

/// Runs wrk for `seconds` (whole seconds, at least 1) with `connections`
/// keep-alive connections, POSTing `body` to endpoint.base_url +
/// endpoint.submit_path. Bounded: wrk is SIGKILLed by PID if it overruns.
wrk_result run_wrk(const http_endpoint& endpoint, const std::string& body, std::size_t connections,
                   double seconds);

} // namespace covsigner::bench
