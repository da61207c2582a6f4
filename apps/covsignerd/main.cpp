// covsignerd: the covenant signer node.
#include "actors/node_bootstrap.hpp"
#include "config.hpp"
#include "messages/type_ids.hpp"
#include "transport/http_server.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
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

  transport::node_client client{system, node.node};
  transport::http_settings http;
  http.listen_address = cfg.listen_address;
  http.enable_self_v1 = cfg.enable_self_v1;
  http.workers = cfg.http_workers;
  http.submit_wait = std::chrono::milliseconds(cfg.submit_wait_ms);
  http.policy.normalize.domain = {cfg.eip712_chain_id, *salt};
  transport::http_server server{client, http};
  if (cfg.port != 0) {
    auto bound = server.start(cfg.port);
    if (auto* err = std::get_if<std::string>(&bound)) {
      std::cerr << *err << "\n";
      actors::stop_node(system, node);
      return 1;
    }
    spdlog::info("enabled covenant signer provider endpoint on [{}:{}] self_v1=[{}] data_dir=[{}]",
                 cfg.listen_address, std::get<int>(bound), cfg.enable_self_v1, cfg.data_dir);
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
