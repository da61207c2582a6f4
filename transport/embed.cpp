#include "transport/embed.hpp"

#include "actors/node_bootstrap.hpp"
#include "covenant/signer_approval.hpp"
#include "persistence/sync_option.hpp"
#include "transport/approval_requirements.hpp"
#include "transport/auth.hpp"
#include "transport/gateway.hpp"
#include "transport/http_server.hpp"
#include "transport/node_client.hpp"
#include "transport/token_source.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace covsigner::embed {

using namespace messages;

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
chain_config(const node_options& o) {
  if (o.chain_backend == "none")
    return std::optional<chain::backend_config>{};
  if (o.chain_backend != "fixture" && o.chain_backend != "ethereum")
    return "invalid --chain.backend [" + o.chain_backend + "]: expected none, fixture or ethereum";
  chain::backend_config c;
  c.backend = o.chain_backend;
  c.fixture_file = o.chain_fixture_file;
  c.rpc_url = o.chain_rpc_url;
  c.bridge_address = o.chain_bridge_address;
  c.wallet_registry_address = o.chain_wallet_registry_address;
  c.spend_authorization_address = o.chain_spend_authorization_address;
  c.spend_authorization_confirmations = o.chain_spend_authorization_confirmations;
  c.bitcoin_backend = o.chain_bitcoin_backend;
  c.bitcoin_rpc_url = o.chain_bitcoin_rpc_url;
  c.request_timeout = std::chrono::milliseconds(
    std::min(o.chain_request_timeout_ms, o.chain_spend_authorization_timeout_ms));
  return std::optional<chain::backend_config>{std::move(c)};
}

void apply_reader_settings(const node_options& o, actors::node_options& options) {
  actors::reader_settings reader;
  reader.request_timeout = std::chrono::milliseconds(o.chain_request_timeout_ms);
  reader.breaker.failure_threshold =
    static_cast<std::uint32_t>(std::max<std::size_t>(1, o.chain_breaker_failures));
  reader.breaker.window = std::chrono::milliseconds(o.chain_breaker_window_ms);
  reader.breaker.open_backoff = std::chrono::milliseconds(o.chain_breaker_open_ms);
  options.bridge.reader = reader;
  options.bridge.registry_timeout = std::chrono::milliseconds(o.chain_registry_timeout_ms);
  options.registry = reader;
  options.head.reader = reader;
  options.head.refresh_interval = std::chrono::milliseconds(o.chain_head_refresh_ms);
  options.head.max_age = std::chrono::milliseconds(o.chain_head_max_age_ms);
  options.bitcoin = reader;
  options.spend_authorization = reader;
  options.spend_authorization.request_timeout =
    std::chrono::milliseconds(o.chain_spend_authorization_timeout_ms);
  // The node's bound on one chain call outlasts GetWallet's own (Bridge +
  // registry), so the readers answer an outage before the node gives up.
  options.timeouts.chain =
    std::max(options.timeouts.chain, std::chrono::milliseconds(o.chain_request_timeout_ms +
                                                               o.chain_registry_timeout_ms + 1000));
  // A session's outpoint read is two Bitcoin reader calls in a row (the
  // transaction, then gettxout): its bound outlasts both, so an outage is
  // the reader's answer rather than a session timeout.
  options.sessions.tbtc.chain_timeout =
    std::max(options.sessions.tbtc.chain_timeout,
             2 * reader.request_timeout + std::chrono::milliseconds(1000));
}

// What start builds from node_options before anything runs.
struct plan {
  actors::node_options node;
  transport::http_settings http;
  transport::approval_setup setup;
};

std::variant<plan, std::string> make_plan(const node_options& o, node_secrets& secrets) {
  plan p;
  if (o.port < 0 || o.port > 65535)
    return "invalid covenant signer port [" + std::to_string(o.port) + "]";
  auto sync = persistence::parse_store_sync(o.store_sync, o.store_unsafe_no_fsync_for_benchmarks);
  if (auto* err = std::get_if<std::string>(&sync))
    return *err;
  auto salt = covenant::resolve_approval_salt(o.eip712_salt);
  if (!salt)
    return "invalid --eip712-salt [" + o.eip712_salt + "]: expected 0x + 64 hex";
  // Tokens are read before anything starts: a bad token source, or a
  // non-loopback address without tokens, stops here (reference §7.3 order).
  auto client_tokens =
    transport::load_tokens("COVSIGNER_AUTH_TOKEN", secrets.client_tokens, o.auth_token_file);
  auto admin_tokens = transport::load_tokens("COVSIGNER_ADMIN_AUTH_TOKEN", secrets.admin_tokens,
                                             o.admin_auth_token_file);
  for (auto* tokens : {&client_tokens, &admin_tokens})
    if (auto* err = std::get_if<std::string>(tokens))
      return "invalid covenant signer token configuration: " + *err;
  auto& http = p.http;
  http.client_tokens = std::get<std::vector<std::string>>(client_tokens);
  http.admin_tokens = std::get<std::vector<std::string>>(admin_tokens);
  if (o.port != 0)
    if (auto err = transport::check_listen_tokens(o.listen_address, !http.client_tokens.empty(),
                                                  !http.admin_tokens.empty()))
      return *err;
  covenant::trust_roots roots;
  if (!o.trust_roots_file.empty()) {
    auto loaded = load_trust_roots(o.trust_roots_file);
    if (auto* err = std::get_if<std::string>(&loaded))
      return *err;
    roots = std::get<covenant::trust_roots>(std::move(loaded));
  }
  auto chain = chain_config(o);
  if (auto* err = std::get_if<std::string>(&chain))
    return *err;
  auto& chain_backend = std::get<std::optional<chain::backend_config>>(chain);
  // A chain backs the engine's signer approval verifier (and its head the
  // certificate expiry height); without one the node is the passive engine.
  auto& setup = p.setup;
  setup.roots = roots;
  setup.require_trust_roots = o.require_approval_trust_roots;
  setup.loopback = transport::is_loopback_address(o.listen_address);
  setup.enable_self_v1 = o.enable_self_v1;
  setup.verifier = chain_backend.has_value();
  setup.eip712_chain_id = o.eip712_chain_id;
  if (o.port != 0)
    if (auto err = transport::check_approval_setup(setup))
      return *err;
  if (o.caf_io_port != 0)
    if (auto err = transport::check_caf_io_access(o.caf_io_address, o.caf_io_port))
      return *err;

  auto& n = p.node;
  n.data_dir = o.data_dir;
  n.sync = std::get<persistence::store_sync>(sync).rounds;
  n.unsafe_no_fsync = !std::get<persistence::store_sync>(sync).fsync;
  n.timeouts.submit_wait = std::chrono::milliseconds(o.submit_wait_ms);
  n.sessions.max_in_flight = o.sessions_max_in_flight;
  n.sessions.max_queued = o.sessions_max_queued;
  n.sessions.session_timeout = std::chrono::milliseconds(o.sessions_timeout_ms);
  n.sessions.tbtc.settings.fraud_defense_confirmed = o.bridge_covenant_fraud_defense_confirmed;
  n.sessions.tbtc.settings.min_confirmations = o.min_active_outpoint_confirmations == 0
                                                 ? covenant::default_min_confirmations
                                                 : o.min_active_outpoint_confirmations;
  n.sessions.tbtc.spend_authorization.required = o.chain_require_spend_authorization;
  n.signer.backend = o.signer_backend;
  n.signer.key_file = o.signer_key_file;
  n.signer.remote.host = o.signer_remote_host;
  n.signer.remote.port = o.signer_remote_port;
  n.signer.remote.public_key = o.signer_remote_public_key;
  n.signer.remote.tls = o.signer_remote_tls;
  n.signer.remote.connect_timeout = std::chrono::milliseconds(o.signer_remote_connect_timeout_ms);
  n.signer.remote.request_timeout = std::chrono::milliseconds(o.signer_remote_request_timeout_ms);
  n.chain = chain_backend;
  n.eip712 = {o.eip712_chain_id, *salt};
  apply_reader_settings(o, n);

  http.request_log = std::move(secrets.request_log);
  http.listen_address = o.listen_address;
  http.enable_self_v1 = o.enable_self_v1;
  http.workers = o.http_workers;
  http.submit_wait = std::chrono::milliseconds(o.submit_wait_ms);
  http.max_waiting_submits = o.http_max_waiting_submits;
  http.connection.admission.max_waiting = o.http_max_waiting_connections;
  http.connection.keep_alive_max_requests = o.http_keep_alive_max_requests;
  http.open_probes = o.http_open_probes;
  http.tls_certificate_file = o.http_tls_cert_file;
  http.tls_private_key_file = o.http_tls_key_file;
  http.limits.requests = {o.rate_requests_per_minute, o.rate_request_burst};
  http.limits.submit = {o.rate_submit_per_minute, o.rate_submit_burst};
  http.limits.poll = {o.rate_poll_per_minute, o.rate_poll_burst};
  http.policy.validation.domain = {o.eip712_chain_id, *salt};
  http.policy.validation.roots = std::move(roots);
  // With a chain the node verifies certificates (and requires them, as the
  // reference does once a verifier exists); without one a certificate is
  // refused as unverifiable (reference §5.2 step 12).
  http.policy.validation.verifier_configured = setup.verifier;
  return p;
}

} // namespace

void prepare_config(caf::actor_system_config& cfg, const node_options& options) {
  cfg.add_message_types<caf::id_block::covsigner>();
  cfg.add_message_types<caf::id_block::covsigner_gateway>();
  // The remote signer backend and --caf-io talk caf::io (the remote signer
  // with TLS: CAF's OpenSSL module); otherwise no CAF network port is
  // opened and neither is loaded.
  if (options.signer_backend == "remote" || options.caf_io_port != 0)
    cfg.load<caf::io::middleman>();
  if (options.signer_backend == "remote" && options.signer_remote_tls)
    cfg.load<caf::openssl::manager>();
}

struct embedded_node::impl {
  impl(caf::actor_system& sys, std::chrono::milliseconds stop_grace, actors::running_node running)
    : system(sys), grace(stop_grace), node(std::move(running)) {}

  caf::actor_system& system;
  std::chrono::milliseconds grace;
  actors::running_node node;
  transport::gateway_settings gateway_settings;
  messages::gateway_actor gateway;
  std::unique_ptr<transport::node_client> client;
  std::unique_ptr<transport::http_server> server;
  int port = 0;
  int caf_io_port = 0;
  bool stopped = false;
};

std::variant<embedded_node, std::string>
embedded_node::start(caf::actor_system& system, const node_options& options, node_secrets secrets) {
  auto planned = make_plan(options, secrets);
  if (auto* err = std::get_if<std::string>(&planned))
    return *err;
  auto& p = std::get<plan>(planned);
  auto started = actors::start_node(system, p.node);
  if (auto* err = std::get_if<std::string>(&started))
    return "cannot start covsignerd: " + *err;
  auto self = std::make_unique<impl>(system, std::chrono::milliseconds(options.shutdown_grace_ms),
                                     std::move(std::get<actors::running_node>(started)));
  auto& node = self->node;
  self->gateway_settings = {node.node, p.http.policy, node.head_height, node.published};
  self->gateway = system.spawn<caf::detached>(transport::gateway, self->gateway_settings);
  if (p.node.unsafe_no_fsync)
    spdlog::warn("--store.sync=none: EVERY FSYNC IS DISABLED. Acknowledged jobs are lost on a "
                 "power cut or kernel crash. For benchmarks only; never run a signer like this.");
  spdlog::info("{}", node.load_summary);
  if (!p.node.chain)
    spdlog::info("chain: none (passive engine, no signer approval verifier)");
  else if (p.node.chain->backend == "fixture")
    spdlog::warn("chain: fixture backend from [{}]: SIMULATED wallets and heights, for "
                 "development only",
                 p.node.chain->fixture_file);
  else
    spdlog::info("chain: ethereum backend at [{}] Bridge=[{}] WalletRegistry=[{}] "
                 "CovenantSpendAuthorization=[{}] confirmations=[{}]",
                 p.node.chain->rpc_url, p.node.chain->bridge_address,
                 p.node.chain->wallet_registry_address,
                 p.node.chain->spend_authorization_address,
                 p.node.chain->spend_authorization_confirmations);
  if (!options.chain_require_spend_authorization)
    spdlog::warn("--chain.require-spend-authorization=false: covenant spends are signed WITHOUT "
                 "a CovenantSpendAuthorization on chain (tbtc-v2 audit TOB-1); never run a "
                 "production signer like this");
  embedded_node result{std::move(self)};
  auto& st = *result.impl_;
  if (options.caf_io_port != 0) {
    auto published =
      transport::publish_gateway(system, st.gateway, options.caf_io_address, options.caf_io_port);
    if (auto* err = std::get_if<std::string>(&published))
      return *err; // result's destructor stops the node
    st.caf_io_port = std::get<std::uint16_t>(published);
    spdlog::info("published the node's gateway on caf::io at [{}:{}] (loopback only)",
                 options.caf_io_address, st.caf_io_port);
  }
  if (options.port == 0) {
    spdlog::info("HTTP disabled (port 0); data_dir=[{}]", options.data_dir);
    return result;
  }
  for (const auto& warning : transport::approval_setup_warnings(p.setup))
    spdlog::warn("{}", warning);
  st.client = std::make_unique<transport::node_client>(system, node.node, node.published);
  p.http.chain_height = node.head_height;
  // The admin certificate route issues with the node's signer; without a
  // signer backend it answers 501, as the reference does for an engine
  // that cannot issue.
  if (node.signer)
    p.http.certificate_issuer = node.certificate_issuer;
  bool tls = !p.http.tls_certificate_file.empty();
  bool auth = !p.http.client_tokens.empty();
  bool admin_auth = !p.http.admin_tokens.empty();
  st.server = std::make_unique<transport::http_server>(*st.client, std::move(p.http));
  auto bound = st.server->start(options.port);
  if (auto* err = std::get_if<std::string>(&bound))
    return *err; // result's destructor stops the node
  st.port = std::get<int>(bound);
  spdlog::info("enabled covenant signer provider endpoint on [{}:{}] auth=[{}] admin_auth=[{}] "
               "tls=[{}] self_v1=[{}] data_dir=[{}]",
               options.listen_address, st.port, auth, admin_auth, tls, options.enable_self_v1,
               options.data_dir);
  return result;
}

embedded_node::embedded_node(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
embedded_node::embedded_node(embedded_node&&) noexcept = default;
embedded_node& embedded_node::operator=(embedded_node&& other) noexcept {
  if (this != &other) {
    stop();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
embedded_node::~embedded_node() { stop(); }

const node_actor& embedded_node::actor() const { return impl_->node.node; }

std::variant<submit_command, node_reply>
embedded_node::prepare_submit(std::string_view route, std::string_view body) const {
  return transport::prepare_submit_reply(impl_->gateway_settings, route, body);
}

std::variant<poll_command, node_reply> embedded_node::prepare_poll(std::string_view route,
                                                                   std::string_view body) const {
  return transport::prepare_poll_reply(impl_->gateway_settings, route, body);
}

int embedded_node::http_port() const { return impl_->port; }

int embedded_node::caf_io_port() const { return impl_->caf_io_port; }

const gateway_actor& embedded_node::gateway() const { return impl_->gateway; }

const std::string& embedded_node::load_summary() const { return impl_->node.load_summary; }

std::shared_ptr<chain::fault_switch> embedded_node::fixture_faults() const {
  return impl_->node.chain_faults;
}

void embedded_node::stop() {
  if (!impl_ || impl_->stopped)
    return;
  impl_->stopped = true;
  // Stop accepting; requests in progress finish within the HTTP timeouts.
  if (impl_->server)
    impl_->server->stop();
  impl_->server.reset();
  impl_->client.reset();
  if (impl_->caf_io_port != 0)
    impl_->system.middleman().unpublish(impl_->gateway,
                                        static_cast<std::uint16_t>(impl_->caf_io_port));
  caf::anon_send_exit(impl_->gateway, caf::exit_reason::user_shutdown);
  actors::stop_node(impl_->system, impl_->node, impl_->grace);
}

std::variant<gateway_actor, std::string> connect(caf::actor_system& system, const std::string& host,
                                                 int port) {
  auto failed = [&](const std::string& why) {
    return "cannot connect to the covsigner gateway at " + host + ":" + std::to_string(port) +
           ": " + why;
  };
  if (port < 1 || port > 65535)
    return failed("expected a port in 1..65535");
  if (!system.has_middleman())
    return failed("the actor system does not load caf::io::middleman");
  auto remote =
    system.middleman().remote_actor<gateway_actor>(host, static_cast<std::uint16_t>(port));
  if (!remote)
    return failed(system.render(remote.error()));
  return *remote;
}

int http_status(const node_reply& reply) {
  switch (reply.code) {
  case reply_code::ok:
    return 200;
  case reply_code::bad_request:
    return 400;
  case reply_code::not_found:
    return 404;
  case reply_code::unavailable:
    return 503;
  case reply_code::internal:
    break;
  }
  return 500;
}

std::string_view to_string(reply_cause cause) {
  switch (cause) {
  case reply_cause::none:
    return "none";
  case reply_cause::invalid_request:
    return "invalid_request";
  case reply_cause::conflict:
    return "conflict";
  case reply_cause::pruned:
    return "pruned";
  case reply_cause::not_found:
    return "not_found";
  case reply_cause::poisoned_key:
    return "poisoned_key";
  case reply_cause::queue_full:
    return "queue_full";
  case reply_cause::registry_unavailable:
    return "registry_unavailable";
  case reply_cause::bridge_unavailable:
    return "bridge_unavailable";
  case reply_cause::chain_head_stale:
    return "chain_head_stale";
  case reply_cause::submits_refused:
    return "submits_refused";
  case reply_cause::store_unavailable:
    return "store_unavailable";
  case reply_cause::outcome_unknown:
    return "outcome_unknown";
  case reply_cause::internal:
    break;
  }
  return "internal";
}

} // namespace covsigner::embed
