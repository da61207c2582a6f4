// covsignerd: the covenant signer node.
#include "actors/node_bootstrap.hpp"
#include "approval_requirements.hpp"
#include "config.hpp"
#include "messages/type_ids.hpp"
#include "persistence/sync_option.hpp"
#include "transport/http_server.hpp"
#include "transport/auth.hpp"
#include "transport/token_source.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <pthread.h>

using namespace covsigner;

namespace {

// --trust-roots-file: one JSON object with the reference's three lists.
std::variant<covenant::trust_roots, std::string> load_trust_roots(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return "invalid --trust-roots-file [" + path + "]: cannot open it";
  std::ostringstream text;
  text << in.rdbuf();
  boost::json::error_code ec;
  auto doc = boost::json::parse(text.str(), ec);
  if (ec || !doc.is_object())
    return "invalid --trust-roots-file [" + path + "]: not a JSON object" +
           (ec ? ": " + ec.message() : std::string());
  auto roots = covenant::parse_trust_roots(doc.as_object());
  if (auto* err = std::get_if<covenant::input_error>(&roots))
    return "invalid --trust-roots-file [" + path + "]: " + err->message;
  return std::get<covenant::trust_roots>(std::move(roots));
}

// --chain.*: none, or the sources and reader settings.
std::variant<std::optional<chain::backend_config>, std::string>
chain_config(const apps::covsignerd_config& cfg) {
  if (cfg.chain_backend == "none")
    return std::optional<chain::backend_config>{};
  if (cfg.chain_backend != "fixture" && cfg.chain_backend != "ethereum")
    return "invalid --chain.backend [" + cfg.chain_backend + "]: expected none, fixture or ethereum";
  chain::backend_config c;
  c.backend = cfg.chain_backend;
  c.fixture_file = cfg.chain_fixture_file;
  c.rpc_url = cfg.chain_rpc_url;
  c.bridge_address = cfg.chain_bridge_address;
  c.wallet_registry_address = cfg.chain_wallet_registry_address;
  c.spend_authorization_address = cfg.chain_spend_authorization_address;
  c.spend_authorization_confirmations = cfg.chain_spend_authorization_confirmations;
  c.bitcoin_backend = cfg.chain_bitcoin_backend;
  c.bitcoin_rpc_url = cfg.chain_bitcoin_rpc_url;
  c.request_timeout = std::chrono::milliseconds(
    std::min(cfg.chain_request_timeout_ms, cfg.chain_spend_authorization_timeout_ms));
  return std::optional<chain::backend_config>{std::move(c)};
}

void apply_reader_settings(const apps::covsignerd_config& cfg, actors::node_options& options) {
  actors::reader_settings reader;
  reader.request_timeout = std::chrono::milliseconds(cfg.chain_request_timeout_ms);
  reader.breaker.failure_threshold =
    static_cast<std::uint32_t>(std::max<std::size_t>(1, cfg.chain_breaker_failures));
  reader.breaker.window = std::chrono::milliseconds(cfg.chain_breaker_window_ms);
  reader.breaker.open_backoff = std::chrono::milliseconds(cfg.chain_breaker_open_ms);
  options.bridge.reader = reader;
  options.bridge.registry_timeout = std::chrono::milliseconds(cfg.chain_registry_timeout_ms);
  options.registry = reader;
  options.head.reader = reader;
  options.head.refresh_interval = std::chrono::milliseconds(cfg.chain_head_refresh_ms);
  options.head.max_age = std::chrono::milliseconds(cfg.chain_head_max_age_ms);
  options.bitcoin = reader;
  options.spend_authorization = reader;
  options.spend_authorization.request_timeout =
    std::chrono::milliseconds(cfg.chain_spend_authorization_timeout_ms);
  // The node's bound on one chain call outlasts GetWallet's own (Bridge +
  // registry), so the readers answer an outage before the node gives up.
  options.timeouts.chain = std::max(
    options.timeouts.chain, std::chrono::milliseconds(cfg.chain_request_timeout_ms +
                                                      cfg.chain_registry_timeout_ms + 1000));
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

int run(apps::covsignerd_config& cfg, const sigset_t& stop_signals) {
  if (cfg.port < 0 || cfg.port > 65535) {
    std::cerr << "invalid covenant signer port [" << cfg.port << "]\n";
    return 1;
  }
  auto sync = persistence::parse_store_sync(cfg.store_sync, cfg.store_unsafe_no_fsync_for_benchmarks);
  if (auto* err = std::get_if<std::string>(&sync)) {
    std::cerr << *err << "\n";
    return 1;
  }
  auto salt = covenant::resolve_approval_salt(cfg.eip712_salt);
  if (!salt) {
    std::cerr << "invalid --eip712-salt [" << cfg.eip712_salt << "]: expected 0x + 64 hex\n";
    return 1;
  }
  // Tokens are read before anything starts: a bad token source, or a
  // non-loopback address without tokens, stops here (reference §7.3 order).
  auto client_tokens = transport::load_tokens(
    "COVSIGNER_AUTH_TOKEN", env_or_empty("COVSIGNER_AUTH_TOKEN"), cfg.auth_token_file);
  auto admin_tokens =
    transport::load_tokens("COVSIGNER_ADMIN_AUTH_TOKEN", env_or_empty("COVSIGNER_ADMIN_AUTH_TOKEN"),
                           cfg.admin_auth_token_file);
  for (auto* tokens : {&client_tokens, &admin_tokens})
    if (auto* err = std::get_if<std::string>(tokens)) {
      std::cerr << "invalid covenant signer token configuration: " << *err << "\n";
      return 1;
    }
  transport::http_settings http;
  http.client_tokens = std::get<std::vector<std::string>>(client_tokens);
  http.admin_tokens = std::get<std::vector<std::string>>(admin_tokens);
  if (cfg.port != 0) {
    if (auto err = transport::check_listen_tokens(cfg.listen_address, !http.client_tokens.empty(),
                                                  !http.admin_tokens.empty())) {
      std::cerr << *err << "\n";
      return 1;
    }
  }
  covenant::trust_roots roots;
  if (!cfg.trust_roots_file.empty()) {
    auto loaded = load_trust_roots(cfg.trust_roots_file);
    if (auto* err = std::get_if<std::string>(&loaded)) {
      std::cerr << *err << "\n";
      return 1;
    }
    roots = std::get<covenant::trust_roots>(std::move(loaded));
  }
  auto chain = chain_config(cfg);
  if (auto* err = std::get_if<std::string>(&chain)) {
    std::cerr << *err << "\n";
    return 1;
  }
  auto& chain_backend = std::get<std::optional<chain::backend_config>>(chain);
  // A chain backs the engine's signer approval verifier (and its head the
  // certificate expiry height); without one the node is the passive engine.
  apps::approval_setup setup;
  setup.roots = roots;
  setup.require_trust_roots = cfg.require_approval_trust_roots;
  setup.loopback = transport::is_loopback_address(cfg.listen_address);
  setup.enable_self_v1 = cfg.enable_self_v1;
  setup.verifier = chain_backend.has_value();
  setup.eip712_chain_id = cfg.eip712_chain_id;
  if (cfg.port != 0) {
    if (auto err = apps::check_approval_setup(setup)) {
      std::cerr << *err << "\n";
      return 1;
    }
  }
  // The remote signer backend talks caf::io (with TLS: CAF's OpenSSL
  // module); other backends open no CAF network port and load neither.
  if (cfg.signer_backend == "remote") {
    cfg.load<caf::io::middleman>();
    if (cfg.signer_remote_tls)
      cfg.load<caf::openssl::manager>();
  }
  caf::actor_system system{cfg};

  actors::node_options options;
  options.data_dir = cfg.data_dir;
  options.sync = std::get<persistence::store_sync>(sync).rounds;
  options.unsafe_no_fsync = !std::get<persistence::store_sync>(sync).fsync;
  options.timeouts.submit_wait = std::chrono::milliseconds(cfg.submit_wait_ms);
  options.sessions.max_in_flight = cfg.sessions_max_in_flight;
  options.sessions.max_queued = cfg.sessions_max_queued;
  options.sessions.session_timeout = std::chrono::milliseconds(cfg.sessions_timeout_ms);
  options.sessions.tbtc.settings.fraud_defense_confirmed =
    cfg.bridge_covenant_fraud_defense_confirmed;
  options.sessions.tbtc.settings.min_confirmations =
    cfg.min_active_outpoint_confirmations == 0 ? covenant::default_min_confirmations
                                               : cfg.min_active_outpoint_confirmations;
  options.sessions.tbtc.spend_authorization.required = cfg.chain_require_spend_authorization;
  options.signer.backend = cfg.signer_backend;
  options.signer.key_file = cfg.signer_key_file;
  options.signer.remote.host = cfg.signer_remote_host;
  options.signer.remote.port = cfg.signer_remote_port;
  options.signer.remote.public_key = cfg.signer_remote_public_key;
  options.signer.remote.tls = cfg.signer_remote_tls;
  options.signer.remote.connect_timeout =
    std::chrono::milliseconds(cfg.signer_remote_connect_timeout_ms);
  options.signer.remote.request_timeout =
    std::chrono::milliseconds(cfg.signer_remote_request_timeout_ms);
  options.chain = chain_backend;
  options.eip712 = {cfg.eip712_chain_id, *salt};
  apply_reader_settings(cfg, options);
  auto started = actors::start_node(system, options);
  if (auto* err = std::get_if<std::string>(&started)) {
    std::cerr << "cannot start covsignerd: " << *err << "\n";
    return 1;
  }
  auto& node = std::get<actors::running_node>(started);
  if (options.unsafe_no_fsync)
    spdlog::warn("--store.sync=none: EVERY FSYNC IS DISABLED. Acknowledged jobs are lost on a "
                 "power cut or kernel crash. For benchmarks only; never run a signer like this.");
  spdlog::info("{}", node.load_summary);
  if (!chain_backend)
    spdlog::info("chain: none (passive engine, no signer approval verifier)");
  else if (chain_backend->backend == "fixture")
    spdlog::warn("chain: fixture backend from [{}]: SIMULATED wallets and heights, for "
                 "development only",
                 chain_backend->fixture_file);
  else
    spdlog::info("chain: ethereum backend at [{}] Bridge=[{}] WalletRegistry=[{}] "
                 "CovenantSpendAuthorization=[{}] confirmations=[{}]",
                 chain_backend->rpc_url, chain_backend->bridge_address,
                 chain_backend->wallet_registry_address,
                 chain_backend->spend_authorization_address,
                 chain_backend->spend_authorization_confirmations);
  if (!cfg.chain_require_spend_authorization)
    spdlog::warn("--chain.require-spend-authorization=false: covenant spends are signed WITHOUT "
                 "a CovenantSpendAuthorization on chain (tbtc-v2 audit TOB-1); never run a "
                 "production signer like this");
  if (cfg.port != 0)
    for (const auto& warning : apps::approval_setup_warnings(setup))
      spdlog::warn("{}", warning);

  transport::node_client client{system, node.node, node.published};
  // Request logs are written by a background thread: a worker only formats
  // its line and queues it (blocking only if 8192 lines are pending).
  spdlog::init_thread_pool(8192, 1);
  http.request_log = spdlog::stdout_logger_mt<spdlog::async_factory>("http");
  http.request_log->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
  http.listen_address = cfg.listen_address;
  http.enable_self_v1 = cfg.enable_self_v1;
  http.workers = cfg.http_workers;
  http.submit_wait = std::chrono::milliseconds(cfg.submit_wait_ms);
  http.max_waiting_submits = cfg.http_max_waiting_submits;
  http.connection.admission.max_waiting = cfg.http_max_waiting_connections;
  http.connection.keep_alive_max_requests = cfg.http_keep_alive_max_requests;
  http.open_probes = cfg.http_open_probes;
  http.tls_certificate_file = cfg.http_tls_cert_file;
  http.tls_private_key_file = cfg.http_tls_key_file;
  http.limits.requests = {cfg.rate_requests_per_minute, cfg.rate_request_burst};
  http.limits.submit = {cfg.rate_submit_per_minute, cfg.rate_submit_burst};
  http.limits.poll = {cfg.rate_poll_per_minute, cfg.rate_poll_burst};
  http.policy.validation.domain = {cfg.eip712_chain_id, *salt};
  http.policy.validation.roots = std::move(roots);
  // With a chain the node verifies certificates (and requires them, as the
  // reference does once a verifier exists); without one a certificate is
  // refused as unverifiable (reference §5.2 step 12).
  http.policy.validation.verifier_configured = setup.verifier;
  http.chain_height = node.head_height;
  // The admin certificate route issues with the node's signer; without a
  // signer backend it answers 501, as the reference does for an engine
  // that cannot issue.
  if (node.signer)
    http.certificate_issuer = node.certificate_issuer;
  transport::http_server server{client, http};
  if (cfg.port != 0) {
    auto bound = server.start(cfg.port);
    if (auto* err = std::get_if<std::string>(&bound)) {
      std::cerr << *err << "\n";
      actors::stop_node(system, node);
      return 1;
    }
    spdlog::info("enabled covenant signer provider endpoint on [{}:{}] auth=[{}] admin_auth=[{}] "
                 "tls=[{}] self_v1=[{}] data_dir=[{}]",
                 cfg.listen_address, std::get<int>(bound), !http.client_tokens.empty(),
                 !http.admin_tokens.empty(), !http.tls_certificate_file.empty(),
                 cfg.enable_self_v1, cfg.data_dir);
  } else {
    spdlog::info("HTTP disabled (port 0); data_dir=[{}]", cfg.data_dir);
  }

  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("received signal {}: stopping", signal);
  // Stop accepting; requests in progress finish within the HTTP timeouts.
  server.stop();
  actors::stop_node(system, node, std::chrono::milliseconds(cfg.shutdown_grace_ms));
  spdlog::info("covsignerd stopped; store lock released");
  spdlog::shutdown(); // flushes the asynchronous request log
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  // Block the stop signals in every thread (CAF's and httplib's inherit the
  // mask), so only sigwait in main sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // CAF's --help shows only the global group; ours lists every option.
  std::vector<std::string> args(argv + 1, argv + argc);
  for (auto& arg : args)
    if (arg == "--help" || arg == "-h" || arg == "-?")
      arg = "--long-help";
  apps::covsignerd_config cfg;
  cfg.add_message_types<caf::id_block::covsigner>();
  if (auto err = cfg.parse(std::move(args))) {
    std::cerr << "covsignerd: " << cfg.render(err) << "\n";
    return 1;
  }
  if (cfg.cli_helptext_printed)
    return 0;
  return run(cfg, stop_signals);
}
