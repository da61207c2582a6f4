// The HTTP surface of the reference (§1) on cpp-httplib: routes, methods,
// status codes and plain-text errors, in front of the node's typed API;
// plus bearer auth (§1.3), per-token rate limits, bounded concurrency,
// /readyz, /metrics and structured request logs.
#pragma once

#include "chain/published_height.hpp"
#include "transport/guarded_server.hpp"
#include "transport/http_metrics.hpp"
#include "transport/known_submissions.hpp"
#include "transport/prepared_submits.hpp"
#include "transport/node_client.hpp"
#include "transport/rate_limiter.hpp"
#include "transport/request_pipeline.hpp"
#include "transport/routes.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace spdlog {
class logger;
}

namespace covsigner::transport {

/// Budgets per client identity (one bearer token). Enforced only when
/// tokens are configured: without them there is no client identity to
/// budget (loopback-only setups). per_minute 0 disables a budget.
struct rate_limit_settings {
  rate_budget requests{6000, 200}; // any authenticated request, before parsing
  rate_budget submit{5, 5};        // new submits and the admin route (reference §1.4)
  rate_budget poll{60, 60};        // polls of jobs not yet terminal (reference §1.4)
};

struct http_settings {
  std::string listen_address = "127.0.0.1";
  bool enable_self_v1 = false;
  std::size_t workers = 64;                      // threads; one per open connection
  std::size_t max_body_bytes = 2u << 20;         // 2 MiB, reference §1.1
  std::chrono::milliseconds submit_wait{25000};  // then answer PENDING
  std::chrono::milliseconds node_timeout{30000}; // bound on any other node call
  /// Submits that may wait for their job to settle at once; beyond, a
  /// submit answers its job's current state (PENDING) at once. 0: workers/2.
  std::size_t max_waiting_submits = 0;
  /// Client tokens (several: several identities with their own budgets) and
  /// the admin token(s); trimmed on construction, blank ones dropped. Empty
  /// list: no check.
  std::vector<std::string> client_tokens;
  std::vector<std::string> admin_tokens;
  /// Serve /readyz and /metrics without the client token.
  bool open_probes = false;
  rate_limit_settings limits;
  /// Timeouts (reference §1.1), keep-alive and admission bounds. The
  /// admission worker count is taken from `workers`.
  connection_settings connection;
  request_policy policy;
  /// The chain head's published height (running_node::head_height): each
  /// request that carries a certificate is judged against it (expiry); when
  /// it is stale the answer is 503 naming chain_head. Null: no chain (a
  /// certificate then fails as the reference's 500, no height available).
  std::shared_ptr<const chain::published_height> chain_height;
  /// The admin route's issuer: running_node::certificate_issuer when the
  /// node has a signer backend (running_node::signer is not null). Null: the
  /// route answers 501 `covenant signer engine does not support signer
  /// approval certificate issuance`, as the reference does for an engine
  /// without an issuer (a node without a signer controls no wallet).
  messages::certificate_issuer_actor certificate_issuer;
  /// Bound on one issuance (chain reads before and after, one signature;
  /// the issuer's own bounds total under 5 minutes). The worker waits.
  std::chrono::milliseconds certificate_timeout{std::chrono::minutes(5)};
  /// HTTPS (tls_context.hpp): PEM certificate chain and private key.
  /// Both or neither; without them the server speaks plain HTTP (put a
  /// TLS-terminating proxy in front of a non-loopback deployment).
  std::string tls_certificate_file;
  std::string tls_private_key_file;
  /// Where request logs go (one line per request); null: spdlog's default
  /// logger. covsignerd passes an asynchronous logger so the write does not
  /// happen on the worker.
  std::shared_ptr<spdlog::logger> request_log;
};

class http_server {
public:
  http_server(node_client& client, http_settings settings);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Checks the listen address against the tokens (reference §1.3), binds
  /// `settings.listen_address:port` (port 0: any free port) and serves on a
  /// thread of its own. Returns the bound port, or the error.
  std::variant<int, std::string> start(int port);

  /// Stops accepting, lets the workers finish their requests, joins.
  void stop();

private:
  struct exchange;
  void install_routes();
  void serve(exchange& ex);
  std::optional<route_outcome> admit(exchange& ex);
  bool spend(rate_limiter& budget, exchange& ex);
  std::optional<std::string> take_body(exchange& ex);
  route_outcome route(exchange& ex, const routed& where);
  void serve_metrics(exchange& ex);
  void serve_admin(exchange& ex, const std::string& body);
  route_outcome serve_submit(exchange& ex, const routed& where, const std::string& body);
  route_outcome serve_poll(exchange& ex, const routed& where, const std::string& body);
  void finish(exchange& ex, route_outcome outcome);
  std::optional<canned_reply> overflow_answer(std::string_view method, std::string_view path,
                                              std::string_view authorization);
  server_gauges gauges() const;
  /// The clock the prepared-submit memo judges time-bound checks at.
  memo_clock memo_now() const;

  node_client& client_;
  http_settings settings_;
  http_metrics metrics_;
  known_submissions known_;
  prepared_submits prepared_;
  std::shared_ptr<spdlog::logger> request_log_;
  rate_limiter request_budget_;
  rate_limiter submit_budget_;
  rate_limiter poll_budget_;
  std::atomic<std::size_t> waiting_submits_{0};
  std::unique_ptr<overflow_responder> overflow_;
  std::unique_ptr<guarded_server> server_;
  std::string tls_error_; // the TLS files could not be loaded (start() fails)
  std::thread listener_;
};

} // namespace covsigner::transport
