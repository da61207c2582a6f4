// covsigner's embedding API: start the node's actors inside a host's own
// caf::actor_system, talk to it with typed messages, stop it in order. A
// host includes <covsigner/embed.hpp> (this header, installed) and links
// covsigner::covsigner (find_package(covsigner)).
//
// The node's typed handle is messages::node_actor (messages/node.hpp):
//   submit_command -> node_reply, poll_command -> node_reply,
//   ready_atom -> readiness, core_atom -> node_core,
//   watch_atom + core_watcher_actor: the watcher is sent a core_event when
//   a core actor dies (down), when the core is rebuilt (rebuilt), and when
//   a rebuild fails (rebuild_failed).
// Its gateway, messages::gateway_actor (messages/gateway.hpp), takes the
// request bodies an HTTP client would POST and validates them itself:
//   body_submit -> node_reply, body_poll -> node_reply, ready_atom -> readiness.
// It is what covsignerd publishes over caf::io (--caf-io.port); connect()
// reaches it from another process.
// A node_reply that is not ok carries a reply_cause (registry unavailable,
// Bridge unavailable, poisoned key, queue full, conflict, not found, ...)
// to branch on, and the reference's text in `message`.
//
// covsignerd is a host like any other: its command line fills a
// node_options (the defaults below are the binary's) and it runs
// embedded_node::start. Nothing here keeps global state.
#pragma once

#include "chain/backends.hpp"
#include "chain/fault_switch.hpp"
#include "messages/gateway.hpp"
#include "messages/node.hpp"
#include "messages/type_ids.hpp"

#include <caf/fwd.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace spdlog {
class logger;
}

namespace covsigner::embed {

/// Everything covsignerd can set, with covsignerd's defaults (the one
/// definition of each: covsignerd binds its options to these fields). The
/// option that sets a field is named beside it; README "Options" and
/// `covsignerd --help` describe them. Validation happens in
/// embedded_node::start (and only there), so a host and covsignerd refuse
/// the same settings with the same message. Secrets are not options: see
/// node_secrets.
struct node_options {
  // Reference §7.1 (global group).
  int port = 8640;                           // --port; 0: no HTTP
  std::string listen_address = "127.0.0.1";  // --listen-address
  std::string data_dir = "covsigner-data";   // --data-dir
  bool enable_self_v1 = false;               // --enable-self-v1
  std::uint64_t eip712_chain_id = 0;         // --eip712-chain-id
  std::string eip712_salt;                   // --eip712-salt; empty: the default salt
  bool require_approval_trust_roots = false; // --require-approval-trust-roots
  std::string trust_roots_file;              // --trust-roots-file (JSON)
  std::string auth_token_file;               // --auth-token-file
  std::string admin_auth_token_file;         // --admin-auth-token-file

  // Ours.
  std::string store_sync = "group";                  // --store.sync
  bool store_unsafe_no_fsync_for_benchmarks = false; // --store.unsafe-no-fsync-for-benchmarks
  std::size_t http_workers = 64;                     // --http.workers
  std::size_t submit_wait_ms = 25000;                // --http.submit-wait-ms
  std::size_t http_max_waiting_submits = 0;          // --http.max-waiting-submits; 0: workers/2
  std::size_t http_max_waiting_connections = 32;     // --http.max-waiting-connections
  std::size_t http_keep_alive_max_requests = 100;    // --http.keep-alive-max-requests
  bool http_open_probes = false;                     // --http.open-probes
  std::string http_tls_cert_file;                    // --http.tls-cert-file
  std::string http_tls_key_file;                     // --http.tls-key-file
  double rate_requests_per_minute = 6000;            // --rate-limit.requests-per-minute
  double rate_request_burst = 200;                   // --rate-limit.request-burst
  double rate_submit_per_minute = 5;                 // --rate-limit.submit-per-minute
  double rate_submit_burst = 5;                      // --rate-limit.submit-burst
  double rate_poll_per_minute = 60;                  // --rate-limit.poll-per-minute
  double rate_poll_burst = 60;                       // --rate-limit.poll-burst
  std::size_t sessions_max_in_flight = 64;           // --sessions.max-in-flight
  std::size_t sessions_max_queued = 16384;           // --sessions.max-queued
  std::size_t sessions_timeout_ms = 300000;          // --sessions.timeout-ms
  std::size_t shutdown_grace_ms = 10000;             // --shutdown.grace-ms
  int caf_io_port = 0;                      // --caf-io.port; 0: the gateway is not published
  std::string caf_io_address = "127.0.0.1"; // --caf-io.address; loopback only

  // Signing (reference §6.2, §7.1): the safe defaults refuse to sign.
  bool bridge_covenant_fraud_defense_confirmed = false; // --bridge-covenant-fraud-defense-confirmed
  std::uint64_t min_active_outpoint_confirmations = 0;  // --min-active-outpoint-confirmations; 0: 6
  std::string signer_backend = "none";                  // --signer.backend: none|local_key|remote
  std::string signer_key_file;                          // --signer.key-file (mode 0600)
  std::string signer_remote_host = "127.0.0.1";         // --signer.remote-host
  int signer_remote_port = 0;                           // --signer.remote-port
  std::string signer_remote_public_key;                 // --signer.remote-public-key
  bool signer_remote_tls = false;                       // --signer.remote-tls
  std::size_t signer_remote_connect_timeout_ms = 5000;  // --signer.remote-connect-timeout-ms
  std::size_t signer_remote_request_timeout_ms = 60000; // --signer.remote-request-timeout-ms

  // The host chain and Bitcoin sources; "none": the passive engine.
  std::string chain_backend = "none";           // --chain.backend: none | fixture | ethereum
  std::string chain_fixture_file;               // --chain.fixture-file
  std::string chain_rpc_url;                    // --chain.rpc-url
  std::string chain_bridge_address;             // --chain.bridge-address
  std::string chain_wallet_registry_address;    // --chain.wallet-registry-address
  // The CovenantSpendAuthorization gate (actors/signing_session.hpp); the
  // confirmations default is chain::backend_config's, where it is explained.
  std::string chain_spend_authorization_address; // --chain.spend-authorization-address
  bool chain_require_spend_authorization = true; // --chain.require-spend-authorization
  std::uint64_t chain_spend_authorization_confirmations = // --chain.spend-authorization-confirmations
    chain::backend_config{}.spend_authorization_confirmations;
  std::size_t chain_spend_authorization_timeout_ms = 2000; // --chain.spend-authorization-timeout-ms
  std::string chain_bitcoin_backend = "fixture"; // --chain.bitcoin-backend
  std::string chain_bitcoin_rpc_url;            // --chain.bitcoin-rpc-url
  std::size_t chain_request_timeout_ms = 2000;  // --chain.request-timeout-ms
  std::size_t chain_registry_timeout_ms = 1500; // --chain.registry-timeout-ms
  std::size_t chain_head_refresh_ms = 1000;     // --chain.head-refresh-ms
  std::size_t chain_head_max_age_ms = 10000;    // --chain.head-max-age-ms
  std::size_t chain_breaker_failures = 5;       // --chain.breaker-failures
  std::size_t chain_breaker_window_ms = 10000;  // --chain.breaker-window-ms
  std::size_t chain_breaker_open_ms = 2000;     // --chain.breaker-open-ms
};

/// What never comes from options: the bearer tokens' values as the
/// environment would give them (COVSIGNER_AUTH_TOKEN /
/// COVSIGNER_ADMIN_AUTH_TOKEN; covsignerd passes its environment's), and
/// where HTTP request logs go.
struct node_secrets {
  std::string client_tokens; // as COVSIGNER_AUTH_TOKEN; empty: only --auth-token-file
  std::string admin_tokens;  // as COVSIGNER_ADMIN_AUTH_TOKEN
  /// One line per HTTP request; null: spdlog's default logger.
  std::shared_ptr<spdlog::logger> request_log;
};

/// Prepares `cfg` for a node with `options` before the host builds its
/// actor_system from it: registers covsigner's message types (the
/// covsigner and covsigner_gateway blocks, needed for caf::io on both ends)
/// and loads caf::io's middleman (and CAF's OpenSSL module) when the options
/// need them (remote signer, caf_io_port). Never fails; call it once per
/// config, from the thread that owns `cfg`. A process that only connects
/// (connect below) calls it with default options and loads the middleman.
void prepare_config(caf::actor_system_config& cfg, const node_options& options);

/// A node running inside a host's actor_system. Move-only; destroying it
/// stops the node (see stop). Its member functions may be called from any
/// thread, except that stop() and the destructor must not race each other.
class embedded_node {
public:
  /// Validates `options` (covsignerd's checks and messages: ports, store
  /// sync, salt, tokens against the listen address, trust roots, the
  /// reference's approval setup rules, chain and signer settings), locks and
  /// loads `options.data_dir`, spawns the node's actors in `system` and,
  /// when `options.port` is not 0, serves the HTTP API on
  /// listen_address:port (its threads; port 0 is "no HTTP", use http_port()
  /// for the bound one); when `options.caf_io_port` is not 0, publishes the
  /// gateway there over caf::io (caf_io_address must be loopback, see
  /// transport/gateway.hpp for the exact refusals). Blocking file and network I/O: call it from a
  /// non-actor thread (main, a test, or a detached actor). Returns the node
  /// or the first error, e.g. the path of a lock another process holds; on
  /// error nothing stays running.
  static std::variant<embedded_node, std::string>
  start(caf::actor_system& system, const node_options& options, node_secrets secrets = {});

  embedded_node(embedded_node&&) noexcept;
  embedded_node& operator=(embedded_node&&) noexcept;
  ~embedded_node();

  /// The node's typed handle, to `request` from the host's actors (set a
  /// timeout and an error handler on every request). Stays the same for
  /// the node's lifetime: a core actor that dies is rebuilt behind it
  /// (readiness fails and submits answer submits_refused meanwhile; the
  /// core_atom reply's `generation` counts rebuilds). A host that monitors
  /// the node sends it watch_atom with its own core_watcher_actor and is
  /// told each death and rebuild as a typed core_event.
  const messages::node_actor& actor() const;

  /// The node's gateway (body-based messages, validated in the gateway;
  /// the handle covsignerd publishes over caf::io). Same lifetime as actor().
  const messages::gateway_actor& gateway() const;

  /// The pure half of a submit, on the calling thread (thread-safe, no
  /// actor involved): strict decode, validation (approval signatures, trust
  /// roots, certificate expiry against the chain head's published height)
  /// of `body`, the JSON an HTTP client POSTs to /v1/<route>/signer/requests.
  /// Returns the command to send to actor(), or the reply the node would
  /// have given: invalid_request (400, the reference's text), chain_head_stale
  /// (503, the certificate expiry cannot be checked) or internal (500).
  std::variant<messages::submit_command, messages::node_reply>
  prepare_submit(std::string_view route, std::string_view body) const;

  /// The pure half of a poll (`body` as POSTed to
  /// /v1/<route>/signer/requests:poll); errors as for prepare_submit.
  std::variant<messages::poll_command, messages::node_reply>
  prepare_poll(std::string_view route, std::string_view body) const;

  /// The bound HTTP port; 0 when the node serves no HTTP.
  int http_port() const;

  /// The caf::io port the gateway is published on; 0 when it is not.
  int caf_io_port() const;

  /// The store's one-line load summary from start.
  const std::string& load_summary() const;

  /// The fixture chain's fault switch (chain.backend=fixture only, SIMULATED
  /// failures for demos and tests: e.g. set(fault_mode::fail, {},
  /// "WalletRegistry")); null for any other backend.
  std::shared_ptr<chain::fault_switch> fixture_faults() const;

  /// Orderly stop (covsignerd's on SIGTERM): stops HTTP (requests in
  /// progress finish), gives sessions in flight up to
  /// options.shutdown_grace_ms to settle, then stops every actor and waits
  /// until the store has released its files and the data dir's lock (what
  /// is still SIGNING is found interrupted at the next start, never signed
  /// again). Blocking: call it from a non-actor thread. Idempotent.
  void stop();

private:
  struct impl;
  explicit embedded_node(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// Connects to a gateway another process published (covsignerd
/// --caf-io.port) at host:port over caf::io. `system` must load
/// caf::io::middleman and register covsigner's types (prepare_config).
/// Blocking: call it from a non-actor thread. Returns the typed handle or
/// the error ("cannot connect to the covsigner gateway at H:P: <CAF's
/// error>"). Every request on the handle needs a timeout: a lost peer
/// answers request_timeout, not an error of its own.
std::variant<messages::gateway_actor, std::string> connect(caf::actor_system& system,
                                                           const std::string& host, int port);

/// The HTTP status a node_reply maps to (200, 400, 404, 503, 500).
int http_status(const messages::node_reply& reply);

/// A reply_cause's name, e.g. "registry_unavailable" (for logs and tests).
std::string_view to_string(messages::reply_cause cause);

} // namespace covsigner::embed
