// How a bench client reaches the node: in-process (the pure submit/poll
// pipeline on the client's thread, then the node actor's typed API through
// transport::node_client) or HTTP(S) (one cpp-httplib keep-alive connection
// per client, to 127.0.0.1 or to the --url targets round-robin). Both answer
// with the same small outcome.
#pragma once

#include "apps/covsigner-bench/requests.hpp"
#include "transport/node_client.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace covsigner::bench {

/// Why a request did not succeed; `none` is a 200.
enum class error_kind : std::uint8_t {
  none,
  bad_request, // 400 (conflict, invalid)
  not_found,   // 404
  unavailable, // 503 (outage, refused, overload)
  internal,    // 500
  other_status,
  connection, // refused, reset, closed
  timeout,
  rate_limited, // 429: a tokened node's per-token budgets (rate-limit.*)
};
inline constexpr std::size_t error_kind_count = 9;
std::string to_string(error_kind k);

struct outcome {
  error_kind error = error_kind::none;
  int status = 0;
  std::string request_id; // from a 200 answer
  std::string job_status; // PENDING | READY | FAILED
  /// Not a 200: the node's answer text (trimmed, bounded) or the client's
  /// error, so a refusal can be shown as the node worded it.
  std::string detail;
};

/// One client: used by one load thread at a time.
class bench_client {
public:
  virtual ~bench_client() = default;
  virtual outcome submit(const std::string& body) = 0;
  virtual outcome poll(const std::string& body) = 0;
  /// The same on another route's endpoints (the sign-mixed scenario sends
  /// qc_v1 and self_v1 over one client).
  virtual outcome submit_on(std::string_view route, const std::string& body) = 0;
  virtual outcome poll_on(std::string_view route, const std::string& body) = 0;
};

/// Makes one client per load thread.
class client_factory {
public:
  virtual ~client_factory() = default;
  virtual std::unique_ptr<bench_client> make_client() = 0;
};

/// Where an HTTP client connects and how.
struct http_endpoint {
  std::string base_url;     // "http://127.0.0.1:8640" or "https://host:port"
  std::string bearer_token; // "" = no Authorization header
  std::string ca_file;      // https: CA bundle; "" = the system's
  double connect_timeout_s = 30;
  double timeout_s = 30;    // read and write
  std::string submit_path = "/v1/qc_v1/signer/requests";
  std::string poll_path = "/v1/qc_v1/signer/requests:poll";
};

/// HTTP/1.1 keep-alive to 127.0.0.1:`port` (TCP_NODELAY; timeouts of
/// `timeout_s`). `submit_path` / `poll_path` as the reference routes.
std::unique_ptr<client_factory> http_clients(int port, double timeout_s = 30);

/// One keep-alive connection per client; client n goes to endpoint
/// n mod size (round-robin over a cluster). `endpoints` must not be empty.
std::unique_ptr<client_factory> http_clients(std::vector<http_endpoint> endpoints);

/// In-process: prepare_submit / prepare_poll under `policy` on the calling
/// thread, then node_client (one scoped_actor per thread).
std::unique_ptr<client_factory> inproc_clients(transport::node_client& node,
                                               transport::request_policy policy,
                                               std::chrono::milliseconds timeout);

/// Maps an HTTP status to its error kind.
error_kind kind_of_status(int status);

/// Reads requestId and status from a StepResult JSON body without a full
/// parse (the same cost for the node and the bare baseline).
void read_step_result(const std::string& body, outcome& out);

} // namespace covsigner::bench
