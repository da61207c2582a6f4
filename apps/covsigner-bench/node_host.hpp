// The node under test. In-process: start_node in the bench's own
// actor_system (optionally with a fixture chain, whose fault switch the
// outage scenario flips), a node_client for the typed API, and optionally
// the node's http_server on 127.0.0.1. Child: covsignerd as a process (for
// SIGKILL), started, killed and restarted by PID.
#pragma once

#include "actors/node_bootstrap.hpp"
#include "persistence/sync_option.hpp"
#include "transport/http_server.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <variant>

namespace covsigner::bench {

struct inproc_settings {
  std::filesystem::path data_dir;
  persistence::store_sync sync; // fsync=false: node_options::unsafe_no_fsync (benchmark only)
  bool with_chain = false; // fixture chain + fault switch (written beside data_dir)
  bool with_http = false;
  std::size_t http_workers = 64;
  /// Signing scenarios (signing.hpp): this fixture chain (instead of
  /// with_chain's) and a local_key signer with this key file; the
  /// fraud-defense gate confirmed, self_v1 on, certificates verified.
  /// Empty: a node that signs nothing.
  std::filesystem::path signing_chain_file;
  std::filesystem::path signing_key_file;
};

/// The request policy in-process nodes are configured with and the bench
/// validates under (bench_domain(), no verifier, no trust roots).
transport::request_policy bench_policy();

class inproc_node {
public:
  /// Starts everything; the error names what failed.
  static std::variant<std::unique_ptr<inproc_node>, std::string> start(const inproc_settings& s);
  ~inproc_node(); // stop()
  inproc_node(const inproc_node&) = delete;
  inproc_node& operator=(const inproc_node&) = delete;

  transport::node_client& client() { return *client_; }
  int http_port() const { return port_; } // 0 without HTTP
  /// The fixture chain's fault switch; null without a chain.
  chain::fault_switch* faults() { return node_.chain_faults.get(); }
  /// Stops HTTP, then the node (the store releases its lock).
  void stop();

private:
  inproc_node() = default;
  std::unique_ptr<caf::actor_system_config> config_;
  std::unique_ptr<caf::actor_system> system_;
  actors::running_node node_;
  std::unique_ptr<transport::node_client> client_;
  std::unique_ptr<transport::http_server> server_;
  int port_ = 0;
  bool stopped_ = false;
};

struct child_settings {
  std::string program; // covsignerd
  std::filesystem::path data_dir;
  std::filesystem::path log_file;
  persistence::store_sync sync; // none: also passes --store.unsafe-no-fsync-for-benchmarks
  std::size_t http_workers = 64;
  int port = 0; // 0: pick a free loopback port once; restarts reuse it
};

class child_node {
public:
  explicit child_node(child_settings s);
  ~child_node(); // SIGKILL if still running
  child_node(const child_node&) = delete;
  child_node& operator=(const child_node&) = delete;

  /// Spawns covsignerd and waits until /healthz answers (up to `timeout_s`).
  std::optional<std::string> start(double timeout_s = 20);
  /// SIGKILL and reap.
  void kill_now();
  /// SIGTERM, wait for a clean exit (the store lock released); SIGKILL
  /// after `timeout_s`. Returns the error if the exit was not clean.
  std::optional<std::string> stop(double timeout_s = 20);
  int port() const { return settings_.port; }
  pid_t pid() const { return pid_; }

private:
  bool reap(double timeout_s);
  child_settings settings_;
  pid_t pid_ = -1;
  int exit_status_ = 0;
};

/// A loopback TCP port that was free a moment ago.
int free_loopback_port();

/// The directory of this executable (for covsignerd beside it).
std::filesystem::path own_directory();

} // namespace covsigner::bench
