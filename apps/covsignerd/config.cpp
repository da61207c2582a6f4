#include "config.hpp"

#include "chain/backends.hpp"

#include <caf/config_option_adder.hpp>

#include <string>

namespace covsigner::apps {

covsignerd_config::covsignerd_config()
  : chain_spend_authorization_confirmations(
      chain::backend_config{}.spend_authorization_confirmations) {
  static const std::string confirmations_help =
    "blocks on top of a CovenantSpendAuthorization entry before it counts: the registry is read "
    "at head - N (default: " + std::to_string(chain_spend_authorization_confirmations) +
    ", the reference's active-outpoint minimum; chain/backends.hpp says why)";
  opt_group{custom_options_, "global"}
    .add(port, "port", "HTTP port; 0 disables HTTP (default: 8640)")
    .add(listen_address, "listen-address",
         "HTTP bind address; non-loopback needs auth tokens (default: 127.0.0.1)")
    .add(data_dir, "data-dir", "where jobs are kept durably (default: covsigner-data)")
    .add(enable_self_v1, "enable-self-v1", "serve the self_v1 routes (default: false)")
    .add(eip712_chain_id, "eip712-chain-id", "EIP-712 domain chainId of approvals (default: 0)")
    .add(eip712_salt, "eip712-salt",
         "EIP-712 domain salt, 0x + 64 hex (default: empty = keccak256(\"tBTC Covenant "
         "Artifact Approval Domain v2\"))")
    .add(auth_token_file, "auth-token-file",
         "file with the client bearer token(s), one per line; or set COVSIGNER_AUTH_TOKEN "
         "(default: none = no auth, loopback only)")
    .add(admin_auth_token_file, "admin-auth-token-file",
         "file with the admin bearer token for /v1/admin/; or set COVSIGNER_ADMIN_AUTH_TOKEN "
         "(default: none)")
    .add(trust_roots_file, "trust-roots-file",
         "JSON object with depositorTrustRoots, custodianTrustRoots, "
         "migrationPlanQuoteTrustRoots (default: none)")
    .add(require_approval_trust_roots, "require-approval-trust-roots",
         "refuse to start without the route trust roots and a signer approval verifier; "
         "always on for a non-loopback address (default: false)")
    .add(bridge_covenant_fraud_defense_confirmed, "bridge-covenant-fraud-defense-confirmed",
         "the Bridge's covenant fraud-defense path is deployed; until then every job FAILS "
         "with POLICY_REJECTED instead of being signed (default: false)")
    .add(min_active_outpoint_confirmations, "min-active-outpoint-confirmations",
         "confirmations the active outpoint needs before it is spent (default: 0 = 6)");
  opt_group{custom_options_, "store"}
    .add(store_sync, "sync",
         "group: writes share fsync rounds; per-job: one write at a time; none: BENCHMARKS "
         "ONLY, no fsync at all (needs --store.unsafe-no-fsync-for-benchmarks) (default: group)")
    .add(store_unsafe_no_fsync_for_benchmarks, "unsafe-no-fsync-for-benchmarks",
         "allow --store.sync=none: acknowledged jobs are LOST on a power cut (default: false)");
  opt_group{custom_options_, "http"}
    .add(http_workers, "workers", "HTTP worker threads, one per open connection (default: 64)")
    .add(submit_wait_ms, "submit-wait-ms",
         "how long a submit waits for a settled job before answering PENDING (default: 25000)")
    .add(http_max_waiting_submits, "max-waiting-submits",
         "submits that may wait for their job at once; beyond, PENDING at once (default: 0 = "
         "workers/2)")
    .add(http_max_waiting_connections, "max-waiting-connections",
         "connections that may wait up to 1 s for a worker; beyond, 503 (default: 32)")
    .add(http_keep_alive_max_requests, "keep-alive-max-requests",
         "requests per keep-alive connection before it closes (default: 100)")
    .add(http_open_probes, "open-probes",
         "serve /readyz and /metrics without the client token (default: false)")
    .add(http_tls_cert_file, "tls-cert-file",
         "PEM certificate chain: serve HTTPS (with --http.tls-key-file) (default: none = HTTP)")
    .add(http_tls_key_file, "tls-key-file", "PEM private key for --http.tls-cert-file (default: none)");
  opt_group{custom_options_, "rate-limit"}
    .add(rate_requests_per_minute, "requests-per-minute",
         "per client token: any request, before parsing; 0 = unlimited (default: 6000)")
    .add(rate_request_burst, "request-burst", "per client token (default: 200)")
    .add(rate_submit_per_minute, "submit-per-minute",
         "per client token: new submits and the admin route; dedupe hits are free; 0 = "
         "unlimited (default: 5)")
    .add(rate_submit_burst, "submit-burst", "per client token (default: 5)")
    .add(rate_poll_per_minute, "poll-per-minute",
         "per client token: polls; polls of settled jobs are free; 0 = unlimited (default: 60)")
    .add(rate_poll_burst, "poll-burst", "per client token (default: 60)");
  opt_group{custom_options_, "sessions"}
    .add(sessions_max_in_flight, "max-in-flight", "signing sessions at once (default: 64)")
    .add(sessions_max_queued, "max-queued",
         "jobs waiting for a session beyond max-in-flight; new submits are refused (503) "
         "while it is full (default: 16384)")
    .add(sessions_timeout_ms, "timeout-ms",
         "one signing session, detached from HTTP; a session past it while SIGNING fails as "
         "interrupted (default: 300000)");
  opt_group{custom_options_, "signer"}
    .add(signer_backend, "backend",
         "none | local_key | remote; local_key signs with the key in --signer.key-file, remote "
         "asks the signer actor at --signer.remote-host:--signer.remote-port over caf::io "
         "(default: none = the passive engine, nothing is signed)")
    .add(signer_key_file, "key-file",
         "local_key: file holding the secp256k1 key as hex; must be mode 0600 (default: none)")
    .add(signer_remote_host, "remote-host",
         "remote: host of the remote signer; loopback only unless --signer.remote-tls "
         "(default: 127.0.0.1)")
    .add(signer_remote_port, "remote-port", "remote: port of the remote signer (default: 0 = unset)")
    .add(signer_remote_public_key, "remote-public-key",
         "remote: the compressed secp256k1 key the remote signs with, 0x + 66 hex (default: none)")
    .add(signer_remote_tls, "remote-tls",
         "remote: mutual TLS with --openssl.certificate, --openssl.key and --openssl.cafile "
         "(default: false)")
    .add(signer_remote_connect_timeout_ms, "remote-connect-timeout-ms",
         "remote: bound on one (re)connect (default: 5000)")
    .add(signer_remote_request_timeout_ms, "remote-request-timeout-ms",
         "remote: bound on one signature request (default: 60000)");
  opt_group{custom_options_, "chain"}
    .add(chain_backend, "backend",
         "none | fixture | ethereum; a chain makes the node verify signer approval "
         "certificates (default: none = passive, no verifier)")
    .add(chain_fixture_file, "fixture-file",
         "fixture backend: JSON file of wallets and heights, SIMULATED data (default: none)")
    .add(chain_rpc_url, "rpc-url", "ethereum backend: JSON-RPC http:// URL (default: none)")
    .add(chain_bridge_address, "bridge-address", "ethereum backend: Bridge contract (default: none)")
    .add(chain_wallet_registry_address, "wallet-registry-address",
         "ethereum backend: WalletRegistry contract (default: none)")
    .add(chain_spend_authorization_address, "spend-authorization-address",
         "ethereum backend: the CovenantSpendAuthorization registry the Bridge points at; "
         "unset or zero while required = every job fails POLICY_REJECTED (default: none)")
    .add(chain_require_spend_authorization, "require-spend-authorization",
         "sign only spends the registry authorized (fixture backend: the fixture file's "
         "spendAuthorizations); false (config file: [chain] require-spend-authorization=false) signs "
         "without it and says so at startup (default: true)")
    .add(chain_spend_authorization_confirmations, "spend-authorization-confirmations",
         confirmations_help.c_str())
    .add(chain_spend_authorization_timeout_ms, "spend-authorization-timeout-ms",
         "one CovenantSpendAuthorization read (head + eth_call), socket timeouts included "
         "(default: 2000)")
    .add(chain_bitcoin_backend, "bitcoin-backend",
         "fixture | bitcoin-core (default: fixture, from --chain.fixture-file)")
    .add(chain_bitcoin_rpc_url, "bitcoin-rpc-url",
         "bitcoin-core: http://user:password@host:port/ (default: none)")
    .add(chain_request_timeout_ms, "request-timeout-ms",
         "one chain read, socket timeouts included (default: 2000)")
    .add(chain_registry_timeout_ms, "registry-timeout-ms",
         "GetWallet's best-effort Wallet Registry read (default: 1500)")
    .add(chain_head_refresh_ms, "head-refresh-ms", "host chain height refresh (default: 1000)")
    .add(chain_head_max_age_ms, "head-max-age-ms",
         "an older height is stale: certificate checks answer 503 (default: 10000)")
    .add(chain_breaker_failures, "breaker-failures",
         "failures within the window that open a reader's breaker (default: 5)")
    .add(chain_breaker_window_ms, "breaker-window-ms", "breaker failure window (default: 10000)")
    .add(chain_breaker_open_ms, "breaker-open-ms",
         "open breaker: fast fail this long, then one probe (default: 2000)");
  opt_group{custom_options_, "shutdown"}.add(
    shutdown_grace_ms, "grace-ms",
    "on SIGINT/SIGTERM, how long in-flight requests may finish (default: 10000)");
  // Two scheduler threads suit the 2-core machines this runs on; override
  // with --scheduler.max-threads.
  set("scheduler.max-threads", 2);
}

} // namespace covsigner::apps
