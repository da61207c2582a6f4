// covsignerd's options, in CAF's own format (command line and INI file).
// The reference's options keep their names in the global group; ours live in
// dotted groups. Secrets never come from options (argv is world-readable in
// /proc): tokens arrive through the environment or token files.
#pragma once

#include <caf/actor_system_config.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace covsigner::apps {

struct covsignerd_config : caf::actor_system_config {
  // Reference §7.1 (global group).
  int port = 8640;
  std::string listen_address = "127.0.0.1";
  std::string data_dir = "covsigner-data";
  bool enable_self_v1 = false;
  std::uint64_t eip712_chain_id = 0;
  std::string eip712_salt; // empty: the default salt
  bool require_approval_trust_roots = false;
  std::string trust_roots_file; // JSON: depositor/custodian/quote trust roots

  // Token files (one token per line); the tokens themselves may also come
  // from COVSIGNER_AUTH_TOKEN / COVSIGNER_ADMIN_AUTH_TOKEN, never argv.
  std::string auth_token_file;
  std::string admin_auth_token_file;

  // Ours.
  std::string store_sync = "group";
  bool store_unsafe_no_fsync_for_benchmarks = false; // required by --store.sync=none
  std::size_t http_workers = 64;
  std::size_t submit_wait_ms = 25000;
  std::size_t http_max_waiting_submits = 0;    // 0: workers / 2
  std::size_t http_max_waiting_connections = 32;
  std::size_t http_keep_alive_max_requests = 100;
  bool http_open_probes = false;
  std::string http_tls_cert_file;
  std::string http_tls_key_file;
  double rate_requests_per_minute = 6000;
  double rate_request_burst = 200;
  double rate_submit_per_minute = 5;
  double rate_submit_burst = 5;
  double rate_poll_per_minute = 60;
  double rate_poll_burst = 60;
  std::size_t sessions_max_in_flight = 64;
  std::size_t sessions_max_queued = 16384;
  std::size_t sessions_timeout_ms = 300000;
  std::size_t shutdown_grace_ms = 10000;

  // Signing (reference §6.2, §7.1): the safe defaults refuse to sign.
  bool bridge_covenant_fraud_defense_confirmed = false;
  std::uint64_t min_active_outpoint_confirmations = 0; // 0: the default, 6
  std::string signer_backend = "none";                 // none | local_key | remote
  std::string signer_key_file;                         // local_key: mode 0600
  // remote (actors/remote_signer.hpp): a signer actor over caf::io.
  std::string signer_remote_host = "127.0.0.1";
  int signer_remote_port = 0;
  std::string signer_remote_public_key;                // 0x + 66 hex
  bool signer_remote_tls = false;                      // with --openssl.*
  std::size_t signer_remote_connect_timeout_ms = 5000;
  std::size_t signer_remote_request_timeout_ms = 60000;

  // The host chain (Bridge, Wallet Registry, head) and Bitcoin sources.
  // "none" (default, the reference's passive engine): no chain readers and
  // no signer approval verifier.
  std::string chain_backend = "none";
  std::string chain_fixture_file;
  std::string chain_rpc_url;
  std::string chain_bridge_address;
  std::string chain_wallet_registry_address;
  // The CovenantSpendAuthorization gate (actors/signing_session.hpp); the
  // confirmations default is chain::backend_config's, described there.
  std::string chain_spend_authorization_address;
  bool chain_require_spend_authorization = true;
  std::uint64_t chain_spend_authorization_confirmations;
  std::string chain_bitcoin_backend = "fixture";
  std::string chain_bitcoin_rpc_url;
  std::size_t chain_request_timeout_ms = 2000;
  std::size_t chain_spend_authorization_timeout_ms = 2000;
  std::size_t chain_registry_timeout_ms = 1500;
  std::size_t chain_head_refresh_ms = 1000;
  std::size_t chain_head_max_age_ms = 10000;
  std::size_t chain_breaker_failures = 5;
  std::size_t chain_breaker_window_ms = 10000;
  std::size_t chain_breaker_open_ms = 2000;

  covsignerd_config();
};

} // namespace covsigner::apps
