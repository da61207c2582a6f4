#include "apps/covsigner-bench/node_host.hpp"

#include "apps/covsigner-bench/requests.hpp"
#include "messages/type_ids.hpp"

#include <caf/all.hpp>
#include <httplib.h>
#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace covsigner::bench {

namespace {

struct bench_system_config : caf::actor_system_config {
  bench_system_config() {
    add_message_types<caf::id_block::covsigner>();
    // The node's own default on these two-core machines (covsignerd sets
    // the same).
    set("scheduler.max-threads", 2);
  }
};

bool healthy(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(0, 200000);
  c.set_read_timeout(1, 0);
  auto res = c.Get("/healthz");
  return res && res->status == 200;
}

} // namespace

transport::request_policy bench_policy() {
  transport::request_policy p;
  p.validation.domain = bench_domain();
  p.validation.verifier_configured = false;
  return p;
}

std::variant<std::unique_ptr<inproc_node>, std::string> inproc_node::start(const inproc_settings& s) {
  std::unique_ptr<inproc_node> n(new inproc_node());
  n->config_ = std::make_unique<bench_system_config>();
  n->system_ = std::make_unique<caf::actor_system>(*n->config_);
  actors::node_options options;
  options.data_dir = s.data_dir;
  options.sync = s.sync.rounds;
  options.unsafe_no_fsync = !s.sync.fsync;
  if (s.with_chain) {
    // A fixture chain beside the data dir: heights only (no wallet data is
    // needed for dedupe hits); its fault switch simulates the outage.
    auto fixture = s.data_dir.parent_path() / (s.data_dir.filename().string() + "-chain.json");
    std::ofstream(fixture) << R"({"hostChainHeight": 1000, "bitcoinHeight": 850000})";
    options.chain = chain::backend_config{};
    options.chain->fixture_file = fixture.string();
  }
  const bool signing = !s.signing_key_file.empty();
  if (signing) {
    options.chain = chain::backend_config{};
    options.chain->fixture_file = s.signing_chain_file.string();
    options.signer.backend = "local_key";
    options.signer.key_file = s.signing_key_file;
    // The bench process is not the operator's node: no need to hide it from ptrace.
    options.signer.make_undumpable = false;
    options.sessions.tbtc.settings.fraud_defense_confirmed = true;
    options.eip712 = bench_domain();
  }
  auto started = actors::start_node(*n->system_, options);
  if (auto* err = std::get_if<std::string>(&started))
    return "cannot start the node: " + *err;
  n->node_ = std::move(std::get<actors::running_node>(started));
  // Submits with a certificate are refused (503) until the chain head has
  // published a height; the load must not start before that.
  if (signing) {
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (n->node_.head_height && !n->node_.head_height->read().fresh) {
      if (std::chrono::steady_clock::now() > give_up)
        return "the fixture chain head published no height within 10 s";
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  n->client_ = std::make_unique<transport::node_client>(*n->system_, n->node_.node, n->node_.published);
  if (s.with_http) {
    transport::http_settings http;
    http.listen_address = "127.0.0.1";
    http.workers = s.http_workers;
    http.policy = bench_policy();
    // With a chain the node verifies signer approval certificates and so
    // requires them (covsignerd's rule); self_v1 routes are off by default.
    http.policy.validation.verifier_configured = signing;
    http.enable_self_v1 = signing;
    // Certificate expiry is checked against the chain head's height.
    http.chain_height = n->node_.head_height;
    // Request logs as covsignerd writes them: the worker formats the line
    // and queues it; one background thread writes it (here to a file beside
    // the data dir, so the bench's stdout stays the report).
    if (!spdlog::thread_pool())
      spdlog::init_thread_pool(8192, 1);
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(
      (s.data_dir.parent_path() / (s.data_dir.filename().string() + "-http.log")).string());
    http.request_log = std::make_shared<spdlog::async_logger>(
      "http", std::move(sink), spdlog::thread_pool(), spdlog::async_overflow_policy::block);
    http.request_log->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
    n->server_ = std::make_unique<transport::http_server>(*n->client_, http);
    auto bound = n->server_->start(0);
    if (auto* err = std::get_if<std::string>(&bound)) {
      n->stop();
      return "cannot start HTTP: " + *err;
    }
    n->port_ = std::get<int>(bound);
  }
  return n;
}

void inproc_node::stop() {
  if (stopped_)
    return;
  stopped_ = true;
  if (server_) {
    server_->stop();
    server_.reset();
  }
  client_.reset();
  if (system_)
    actors::stop_node(*system_, node_);
}

inproc_node::~inproc_node() { stop(); }

child_node::child_node(child_settings s) : settings_(std::move(s)) {
  if (settings_.port == 0)
    settings_.port = free_loopback_port();
}

child_node::~child_node() {
  if (pid_ > 0)
    kill_now();
}

std::optional<std::string> child_node::start(double timeout_s) {
  if (pid_ > 0)
    return "covsignerd already running";
  std::vector<std::string> args = {
    settings_.program,
    "--port=" + std::to_string(settings_.port),
    "--listen-address=127.0.0.1",
    "--data-dir=" + settings_.data_dir.string(),
    "--store.sync=" + to_string(settings_.sync),
    "--http.workers=" + std::to_string(settings_.http_workers),
  };
  if (!settings_.sync.fsync)
    args.push_back("--store.unsafe-no-fsync-for-benchmarks");
  pid_t pid = fork();
  if (pid < 0)
    return "fork failed";
  if (pid == 0) {
    int fd = open(settings_.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(settings_.program.c_str(), argv.data());
    _exit(127);
  }
  pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (healthy(settings_.port))
      return std::nullopt;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return "covsignerd exited during startup (status " + std::to_string(status) + "); see " +
             settings_.log_file.string();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill_now();
  return "covsignerd did not answer /healthz within " + std::to_string(timeout_s) + " s";
}

bool child_node::reap(double timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  for (;;) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_status_ = status;
      pid_ = -1;
      return true;
    }
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void child_node::kill_now() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGKILL);
  reap(30);
}

std::optional<std::string> child_node::stop(double timeout_s) {
  if (pid_ <= 0)
    return std::nullopt;
  ::kill(pid_, SIGTERM);
  if (!reap(timeout_s)) {
    kill_now();
    return "covsignerd did not stop on SIGTERM within " + std::to_string(timeout_s) + " s";
  }
  if (!WIFEXITED(exit_status_) || WEXITSTATUS(exit_status_) != 0)
    return "covsignerd exited with status " + std::to_string(exit_status_);
  return std::nullopt;
}

int free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::filesystem::path own_directory() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : exe.parent_path();
}

} // namespace covsigner::bench
