// How a bench client reaches the node: in-process (the pure submit/poll
// pipeline on the client's thread, then the node actor's typed API through
// transport::node_client) or HTTP (one cpp-httplib keep-alive connection per
// client on 127.0.0.1). Both answer with the same small outcome.
#pragma once

#include "apps/covsigner-bench/requests.hpp"
#include "transport/node_client.hpp"

#include <cstdint>
#include <memory>
#include <string>

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
};
inline constexpr std::size_t error_kind_count = 8;
std::string to_string(error_kind k);

struct outcome {
  error_kind error = error_kind::none;
  int status = 0;
  std::string request_id; // from a 200 answer
  std::string job_status; // PENDING | READY | FAILED
};

/// One client: used by one load thread at a time.
class bench_client {
public:
  virtual ~bench_client() = default;
  virtual outcome submit(const std::string& body) = 0;
  virtual outcome poll(const std::string& body) = 0;
};

/// Makes one client per load thread.
class client_factory {
public:
  virtual ~client_factory() = default;
  virtual std::unique_ptr<bench_client> make_client() = 0;
};

/// HTTP/1.1 keep-alive to 127.0.0.1:`port` (TCP_NODELAY; timeouts of
/// `timeout_s`). `submit_path` / `poll_path` as the reference routes.
std::unique_ptr<client_factory> http_clients(int port, double timeout_s = 30);

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
