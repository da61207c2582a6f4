// A JSON-RPC 2.0 client over plain HTTP (cpp-httplib), for Ethereum nodes
// and Bitcoin Core. Blocking: call it only from a reader's call_pool. Every
// socket operation has a timeout, and their sum must stay below the reader's
// request timeout (check_timeouts), so a hung peer frees the thread before
// the actor has given up on it.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace covsigner::chain {

struct rpc_endpoint {
  std::string host;
  int port = 0;
  std::string path = "/";
  std::string user;     // HTTP basic auth (Bitcoin Core); empty: none
  std::string password;
};

/// Parses "http://[user:password@]host[:port][/path]". nullopt for any
/// other scheme or a malformed URL (https is not supported: the RPC peer
/// is expected on loopback or a private network).
std::optional<rpc_endpoint> parse_http_url(std::string_view url);

struct rpc_timeouts {
  std::chrono::milliseconds connect{300};
  std::chrono::milliseconds write{300};
  std::chrono::milliseconds read{1000};
  /// The longest one call can block.
  std::chrono::milliseconds total() const { return connect + write + read; }
};

/// Empty when the socket timeouts end a call before `request_timeout`; else
/// says why the configuration is refused.
std::string check_timeouts(const rpc_timeouts& t, std::chrono::milliseconds request_timeout);

enum class rpc_failure : std::uint8_t {
  none,
  transport,   // connect/read/write failed or timed out
  http_status, // a non-200 status without a JSON-RPC body
  malformed,   // not a JSON-RPC response
  rpc_error,   // the peer answered with an "error" object (e.g. a revert)
};

struct rpc_outcome {
  rpc_failure failure = rpc_failure::none;
  boost::json::value result;  // valid iff failure == none
  std::int64_t error_code = 0; // rpc_error: the error object's code
  std::string message;         // why it failed (names the method)
  bool ok() const { return failure == rpc_failure::none; }
};

/// The request body for `method(params)` with `id`.
std::string build_rpc_request(std::uint64_t id, std::string_view method,
                              const boost::json::array& params);

/// Interprets a response body. Checks the id and the result/error shape.
/// Bitcoin Core answers errors with HTTP 500 and a JSON-RPC body; pass the
/// body whatever the status.
rpc_outcome parse_rpc_response(std::string_view body, std::uint64_t expected_id,
                               std::string_view method);

class json_rpc_client {
public:
  json_rpc_client(rpc_endpoint endpoint, rpc_timeouts timeouts);
  /// One call. Thread-safe: each call uses its own connection.
  rpc_outcome call(std::string_view method, const boost::json::array& params) const;
  const rpc_timeouts& timeouts() const { return timeouts_; }

private:
  rpc_endpoint endpoint_;
  rpc_timeouts timeouts_;
};

} // namespace covsigner::chain
