#include "config.hpp"

#include "chain/backends.hpp"

#include <caf/config_option_adder.hpp>

#include <sstream>
#include <string>
#include <type_traits>

namespace covsigner::apps {

namespace {

// "<help> (default: <value>)" with the value read from the field itself, so
// --help states node_options' default, never a second copy of it.
template <class T>
std::string with_default(std::string help, const T& value) {
  std::ostringstream text;
  if constexpr (std::is_same_v<T, bool>)
    text << (value ? "true" : "false");
  else
    text << value;
  return help + " (default: " + text.str() + ")";
}

} // namespace

covsignerd_config::covsignerd_config() {
  opt_group{custom_options_, "global"}
    .add(node.port, "port", with_default("HTTP port; 0 disables HTTP", node.port))
    .add(node.listen_address, "listen-address",
         with_default("HTTP bind address; non-loopback needs auth tokens", node.listen_address))
    .add(node.data_dir, "data-dir", with_default("where jobs are kept durably", node.data_dir))
    .add(node.enable_self_v1, "enable-self-v1",
         with_default("serve the self_v1 routes", node.enable_self_v1))
    .add(node.eip712_chain_id, "eip712-chain-id",
         with_default("EIP-712 domain chainId of approvals", node.eip712_chain_id))
    .add(node.eip712_salt, "eip712-salt",
         "EIP-712 domain salt, 0x + 64 hex (default: empty = keccak256(\"tBTC Covenant "
         "Artifact Approval Domain v2\"))")
    .add(node.auth_token_file, "auth-token-file",
         "file with the client bearer token(s), one per line; or set COVSIGNER_AUTH_TOKEN "
         "(default: none = no auth, loopback only)")
    .add(node.admin_auth_token_file, "admin-auth-token-file",
         "file with the admin bearer token for /v1/admin/; or set COVSIGNER_ADMIN_AUTH_TOKEN "
         "(default: none)")
    .add(node.trust_roots_file, "trust-roots-file",
         "JSON object with depositorTrustRoots, custodianTrustRoots, "
         "migrationPlanQuoteTrustRoots (default: none)")
    .add(
      node.require_approval_trust_roots, "require-approval-trust-roots",
      with_default("refuse to start without the route trust roots and a signer approval verifier; "
                   "always on for a non-loopback address",
                   node.require_approval_trust_roots))
    .add(node.bridge_covenant_fraud_defense_confirmed, "bridge-covenant-fraud-defense-confirmed",
         with_default(
           "the Bridge's covenant fraud-defense path is deployed; until then every job FAILS "
           "with POLICY_REJECTED instead of being signed",
           node.bridge_covenant_fraud_defense_confirmed))
    .add(node.min_active_outpoint_confirmations, "min-active-outpoint-confirmations",
         "confirmations the active outpoint needs before it is spent (default: 0 = 6)");
  opt_group{custom_options_, "store"}
    .add(node.store_sync, "sync",
         with_default(
           "group: writes share fsync rounds; per-job: one write at a time; none: BENCHMARKS "
           "ONLY, no fsync at all (needs --store.unsafe-no-fsync-for-benchmarks)",
           node.store_sync))
    .add(node.store_unsafe_no_fsync_for_benchmarks, "unsafe-no-fsync-for-benchmarks",
         with_default("allow --store.sync=none: acknowledged jobs are LOST on a power cut",
                      node.store_unsafe_no_fsync_for_benchmarks));
  opt_group{custom_options_, "http"}
    .add(node.http_workers, "workers",
         with_default("HTTP worker threads, one per open connection", node.http_workers))
    .add(node.submit_wait_ms, "submit-wait-ms",
         with_default("how long a submit waits for a settled job before answering PENDING",
                      node.submit_wait_ms))
    .add(node.http_max_waiting_submits, "max-waiting-submits",
         "submits that may wait for their job at once; beyond, PENDING at once (default: 0 = "
         "workers/2)")
    .add(node.http_max_waiting_connections, "max-waiting-connections",
         with_default("connections that may wait up to 1 s for a worker; beyond, 503",
                      node.http_max_waiting_connections))
    .add(node.http_keep_alive_max_requests, "keep-alive-max-requests",
         with_default("requests per keep-alive connection before it closes",
                      node.http_keep_alive_max_requests))
    .add(node.http_open_probes, "open-probes",
         with_default("serve /readyz and /metrics without the client token", node.http_open_probes))
    .add(node.http_tls_cert_file, "tls-cert-file",
         "PEM certificate chain: serve HTTPS (with --http.tls-key-file) (default: none = HTTP)")
    .add(node.http_tls_key_file, "tls-key-file",
         "PEM private key for --http.tls-cert-file (default: none)");
  opt_group{custom_options_, "rate-limit"}
    .add(node.rate_requests_per_minute, "requests-per-minute",
         with_default("per client token: any request, before parsing; 0 = unlimited",
                      node.rate_requests_per_minute))
    .add(node.rate_request_burst, "request-burst",
         with_default("per client token", node.rate_request_burst))
    .add(
      node.rate_submit_per_minute, "submit-per-minute",
      with_default("per client token: new submits and the admin route; dedupe hits are free; 0 = "
                   "unlimited",
                   node.rate_submit_per_minute))
    .add(node.rate_submit_burst, "submit-burst",
         with_default("per client token", node.rate_submit_burst))
    .add(node.rate_poll_per_minute, "poll-per-minute",
         with_default("per client token: polls; polls of settled jobs are free; 0 = unlimited",
                      node.rate_poll_per_minute))
    .add(node.rate_poll_burst, "poll-burst",
         with_default("per client token", node.rate_poll_burst));
  opt_group{custom_options_, "sessions"}
    .add(node.sessions_max_in_flight, "max-in-flight",
         with_default("signing sessions at once", node.sessions_max_in_flight))
    .add(
      node.sessions_max_queued, "max-queued",
      with_default("jobs waiting for a session beyond max-in-flight; new submits are refused (503) "
                   "while it is full",
                   node.sessions_max_queued))
    .add(node.sessions_timeout_ms, "timeout-ms",
         with_default(
           "one signing session, detached from HTTP; a session past it while SIGNING fails as "
           "interrupted",
           node.sessions_timeout_ms));
  opt_group{custom_options_, "signer"}
    .add(node.signer_backend, "backend",
         "none | local_key | remote; local_key signs with the key in --signer.key-file, remote "
         "asks the signer actor at --signer.remote-host:--signer.remote-port over caf::io "
         "(default: none = the passive engine, nothing is signed)")
    .add(node.signer_key_file, "key-file",
         "local_key: file holding the secp256k1 key as hex; must be mode 0600 (default: none)")
    .add(node.signer_remote_host, "remote-host",
         with_default("remote: host of the remote signer; loopback only unless --signer.remote-tls",
                      node.signer_remote_host))
    .add(node.signer_remote_port, "remote-port",
         "remote: port of the remote signer (default: 0 = unset)")
    .add(node.signer_remote_public_key, "remote-public-key",
         "remote: the compressed secp256k1 key the remote signs with, 0x + 66 hex (default: none)")
    .add(node.signer_remote_tls, "remote-tls",
         with_default(
           "remote: mutual TLS with --openssl.certificate, --openssl.key and --openssl.cafile",
           node.signer_remote_tls))
    .add(node.signer_remote_connect_timeout_ms, "remote-connect-timeout-ms",
         with_default("remote: bound on one (re)connect", node.signer_remote_connect_timeout_ms))
    .add(node.signer_remote_request_timeout_ms, "remote-request-timeout-ms",
         with_default("remote: bound on one signature request",
                      node.signer_remote_request_timeout_ms));
  opt_group{custom_options_, "chain"}
    .add(node.chain_backend, "backend",
         "none | fixture | ethereum; a chain makes the node verify signer approval "
         "certificates (default: none = passive, no verifier)")
    .add(node.chain_fixture_file, "fixture-file",
         "fixture backend: JSON file of wallets and heights, SIMULATED data (default: none)")
    .add(node.chain_rpc_url, "rpc-url", "ethereum backend: JSON-RPC http:// URL (default: none)")
    .add(node.chain_bridge_address, "bridge-address",
         "ethereum backend: Bridge contract (default: none)")
    .add(node.chain_wallet_registry_address, "wallet-registry-address",
         "ethereum backend: WalletRegistry contract (default: none)")
    .add(node.chain_spend_authorization_address, "spend-authorization-address",
         "ethereum backend: the CovenantSpendAuthorization registry the Bridge points at; "
         "unset or zero while required = every job fails POLICY_REJECTED (default: none)")
    .add(node.chain_require_spend_authorization, "require-spend-authorization",
         with_default("sign only spends the registry authorized (fixture backend: the fixture "
                      "file's spendAuthorizations); false (config file: [chain] "
                      "require-spend-authorization=false) signs without it and says so at startup",
                      node.chain_require_spend_authorization))
    .add(node.chain_spend_authorization_confirmations, "spend-authorization-confirmations",
         with_default("blocks on top of a CovenantSpendAuthorization entry before it counts: the "
                      "registry is read at head - N (the reference's active-outpoint minimum; "
                      "chain/backends.hpp says why)",
                      node.chain_spend_authorization_confirmations))
    .add(node.chain_spend_authorization_timeout_ms, "spend-authorization-timeout-ms",
         with_default("one CovenantSpendAuthorization read (head + eth_call), socket timeouts "
                      "included",
                      node.chain_spend_authorization_timeout_ms))
    .add(node.chain_bitcoin_backend, "bitcoin-backend",
         "fixture | bitcoin-core (default: fixture, from --chain.fixture-file)")
    .add(node.chain_bitcoin_rpc_url, "bitcoin-rpc-url",
         "bitcoin-core: http://user:password@host:port/ (default: none)")
    .add(node.chain_request_timeout_ms, "request-timeout-ms",
         with_default("one chain read, socket timeouts included", node.chain_request_timeout_ms))
    .add(
      node.chain_registry_timeout_ms, "registry-timeout-ms",
      with_default("GetWallet's best-effort Wallet Registry read", node.chain_registry_timeout_ms))
    .add(node.chain_head_refresh_ms, "head-refresh-ms",
         with_default("host chain height refresh", node.chain_head_refresh_ms))
    .add(node.chain_head_max_age_ms, "head-max-age-ms",
         with_default("an older height is stale: certificate checks answer 503",
                      node.chain_head_max_age_ms))
    .add(node.chain_breaker_failures, "breaker-failures",
         with_default("failures within the window that open a reader's breaker",
                      node.chain_breaker_failures))
    .add(node.chain_breaker_window_ms, "breaker-window-ms",
         with_default("breaker failure window", node.chain_breaker_window_ms))
    .add(node.chain_breaker_open_ms, "breaker-open-ms",
         with_default("open breaker: fast fail this long, then one probe",
                      node.chain_breaker_open_ms));
  opt_group{custom_options_, "caf-io"}
    .add(node.caf_io_port, "port",
         "publish the node's gateway (request bodies in, typed replies out) over caf::io on "
         "this port (default: 0 = off)")
    .add(node.caf_io_address, "address",
         with_default("caf::io bind address; loopback only (caf::io has no authentication here)",
                      node.caf_io_address));
  opt_group{custom_options_, "shutdown"}.add(
    node.shutdown_grace_ms, "grace-ms",
    "on SIGINT/SIGTERM, how long in-flight requests may finish (default: 10000)");
  // Two scheduler threads suit the 2-core machines this runs on; override
  // with --scheduler.max-threads.
  set("scheduler.max-threads", 2);
}

} // namespace covsigner::apps
