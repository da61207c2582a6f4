// covsignerd: the covenant signer node, a host of the embedding API like any
// other (transport/embed.hpp): the command line fills a node_options, the
// node runs until SIGINT/SIGTERM, then stops in order.
#include "config.hpp"
#include "transport/embed.hpp"

#include <caf/actor_system.hpp>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <pthread.h>

using namespace covsigner;

namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

int run(apps::covsignerd_config& cfg, const sigset_t& stop_signals) {
  embed::prepare_config(cfg, cfg.node);
  caf::actor_system system{cfg};
  embed::node_secrets secrets;
  secrets.client_tokens = env_or_empty("COVSIGNER_AUTH_TOKEN");
  secrets.admin_tokens = env_or_empty("COVSIGNER_ADMIN_AUTH_TOKEN");
  // Request logs are written by a background thread: a worker only formats
  // its line and queues it (blocking only if 8192 lines are pending).
  if (cfg.node.port != 0) {
    spdlog::init_thread_pool(8192, 1);
    secrets.request_log = spdlog::stdout_logger_mt<spdlog::async_factory>("http");
    secrets.request_log->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
  }
  auto started = embed::embedded_node::start(system, cfg.node, std::move(secrets));
  if (auto* err = std::get_if<std::string>(&started)) {
    std::cerr << *err << "\n";
    return 1;
  }
  auto& node = std::get<embed::embedded_node>(started);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("received signal {}: stopping", signal);
  node.stop();
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
  for (auto& arg : args) {
    if (arg == "--version") {
      std::cout << "covsignerd " << COVSIGNER_VERSION << "\n";
      return 0;
    }
    if (arg == "--help" || arg == "-h" || arg == "-?")
      arg = "--long-help";
  }
  apps::covsignerd_config cfg;
  if (auto err = cfg.parse(std::move(args))) {
    std::cerr << "covsignerd: " << cfg.render(err) << "\n";
    return 1;
  }
  if (cfg.cli_helptext_printed)
    return 0;
  return run(cfg, stop_signals);
}
