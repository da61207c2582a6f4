// The reference's URL space (§1.2) as a pure function: which endpoint a
// method and path reach, or which error the Go mux would answer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace covsigner::transport {

enum class endpoint {
  healthz,   // GET|HEAD /healthz
  readyz,    // GET|HEAD /readyz
  metrics,   // GET /metrics
  submit,    // POST /v1/{route}/signer/requests
  poll_body, // POST /v1/{route}/signer/requests:poll
  poll_path, // POST /v1/{route}/signer/requests/{requestId}:poll
  admin_certificate, // POST /v1/admin/signer-approval-certificates
  rejected,  // `status`, `allow` and `body` say how to answer
};

struct routed {
  endpoint kind = endpoint::rejected;
  std::string route;      // qc_v1 | self_v1
  std::string request_id; // poll_path only, unescaped
  int status = 404;
  std::string allow;      // Allow header for 405
  std::string body;       // plain-text error body, without the trailing newline
};

/// Routes `method` + `path` (already percent-decoded once, as Go's mux sees
/// it). self_v1 routes exist only when `self_v1_enabled`.
routed route_request(std::string_view method, std::string_view path, bool self_v1_enabled);

/// Go's url.PathUnescape: %XX sequences decoded; a malformed escape is an
/// error (nullopt); '+' stays '+'.
std::optional<std::string> path_unescape(std::string_view s);

} // namespace covsigner::transport
