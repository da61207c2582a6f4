// covsignerd: the covenant signer node.
#include "actors/node_bootstrap.hpp"
#include "config.hpp"
#include "messages/type_ids.hpp"
#include "transport/http_server.hpp"
#include "transport/auth.hpp"
#include "transport/token_source.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <pthread.h>

using namespace covsigner;

namespace {

std::variant<persistence::sync_mode, std::string> parse_sync(const std::string& s) {
  if (s == "group")
    return persistence::sync_mode::group;
  if (s == "per-job")
    return persistence::sync_mode::per_job;
  return "invalid --store.sync [" + s + "]: expected group or per-job";
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
  auto sync = parse_sync(cfg.store_sync);
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
  caf::actor_system system{cfg};

  actors::node_options options;
  options.data_dir = cfg.data_dir;
  options.sync = std::get<persistence::sync_mode>(sync);
  options.timeouts.submit_wait = std::chrono::milliseconds(cfg.submit_wait_ms);
  options.sessions.max_in_flight = cfg.sessions_max_in_flight;
  auto started = actors::start_node(system, options);
  if (auto* err = std::get_if<std::string>(&started)) {
    std::cerr << "cannot start covsignerd: " << *err << "\n";
    return 1;
  }
  auto& node = std::get<actors::running_node>(started);
  spdlog::info("{}", node.load_summary);

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
  // No signer-approval verifier and no trust roots yet: requests carrying a
  // signer approval certificate are refused, as the reference does without
  // a verifier (reference §7.3).
  http.policy.validation.verifier_configured = false;
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
