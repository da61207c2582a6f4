// Startup order of the node's actors: lock and scan the data dir once
// (actors/node_core.hpp), spawn the chain readers, the signer and the
// certificate issuer, then the core (job_store, route_registry,
// session_supervisor) from that one scan and the node, which keeps what it
// needs to rebuild the core; resume jobs that never reached SIGNING.
#pragma once

#include "actors/bridge_reader.hpp"
#include "actors/certificate_issuer.hpp"
#include "actors/chain_head.hpp"
#include "actors/node.hpp"
#include "actors/remote_signer.hpp"
#include "actors/session_supervisor.hpp"
#include "chain/backends.hpp"
#include "messages/published_jobs.hpp"
#include "persistence/file_system.hpp"
#include "persistence/job_writer.hpp"

#include <caf/fwd.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace covsigner::actors {

/// The signer backend (DESIGN.md "Options": --signer.backend,
/// --signer.key-file, --signer.remote-*).
struct signer_options {
  /// "none": no signer (the passive engine needs none); "local_key": a
  /// secp256k1 key read from `key_file` (mode 0600); "remote": a signer
  /// actor in another process over caf::io (actors/remote_signer.hpp; the
  /// actor system must load caf::io::middleman). A signer selects the tbtc
  /// engine for sessions.
  std::string backend = "none";
  std::filesystem::path key_file;
  /// local_key: mark the process not dumpable before reading the key.
  bool make_undumpable = true;
  /// remote: where it is, its public key, TLS, timeouts. start_node checks
  /// them and connects once before anything is spawned.
  remote_signer_settings remote;
};

struct node_options {
  std::filesystem::path data_dir;
  persistence::sync_mode sync = persistence::sync_mode::group;
  /// BENCHMARK ONLY (covsignerd --store.sync=none, covsigner-bench's
  /// no-fsync runs): the store runs through persistence::unsynced_file_system,
  /// so every fsync/syncfs is skipped and acknowledged jobs do not survive a
  /// power cut. load_summary then starts with a warning saying so.
  bool unsafe_no_fsync = false;
  /// TESTS ONLY (fault injection: failed fsyncs, stalled rounds): builds the
  /// file system every scan of the store goes through, at startup and at
  /// each core rebuild (a rebuild calls it again); empty, or a null result,
  /// = the POSIX one. Wrapped by unsynced_file_system under unsafe_no_fsync.
  std::function<std::unique_ptr<persistence::file_system>()> make_file_system;
  node_timeouts timeouts;
  /// Sessions; `sessions.tbtc` carries the engine settings (fraud-defense
  /// gate, minimum confirmations, timeouts). The node fills in the readers,
  /// the audit log (<data_dir>/covenant-signer-audit.log) and, for a
  /// local_key backend, the signer.
  session_settings sessions;
  signer_options signer;
  /// The chain sources; none = a node without chain readers (the passive
  /// engine needs none).
  std::optional<chain::backend_config> chain;
  bridge_reader_settings bridge;
  reader_settings registry;
  chain_head_settings head;
  reader_settings bitcoin;
  /// The CovenantSpendAuthorization reader's breaker and call timeout.
  reader_settings spend_authorization;
  restart_budget reader_restarts;
  /// The EIP-712 domain of artifact approvals (signer approval verification).
  covenant::eip712_domain eip712;
};

struct running_node {
  messages::node_actor node;
  /// The core as started. The node rebuilds it when one of them dies, so
  /// after that ask the node (core_atom) for the current ones.
  messages::job_store_actor store;
  messages::route_registry_actor registry;
  messages::session_supervisor_actor supervisor;
  messages::signer_actor signer; // the local_key or remote signer; null without one
  /// Signer approval certificates for the admin route (reference §6.4).
  messages::certificate_issuer_actor certificate_issuer;
  messages::registry_reader_actor registry_reader; // null without a chain
  messages::bridge_reader_actor bridge_reader;     // null without a chain
  messages::chain_head_actor chain_head;           // null without a chain
  messages::bitcoin_reader_actor bitcoin_reader;   // null without a chain
  /// Null without a chain or with the registry unset.
  messages::spend_authorization_reader_actor spend_authorization_reader;
  std::shared_ptr<chain::fault_switch> chain_faults; // fixture chains only (simulated faults)
  /// chain_head's height for non-actor readers (HTTP certificate expiry); null without a chain.
  std::shared_ptr<const chain::published_height> head_height;
  std::string load_summary; // the store's one-line load summary
  /// Durable answers by route key, for the dedupe fast path of HTTP workers
  /// and embedders' threads (messages/published_jobs.hpp).
  std::shared_ptr<const messages::published_jobs> published;
};

/// Builds the chain sources (if configured), opens the store under
/// `options.data_dir` (lock, legacy migration, load) and spawns the actors. Blocking file I/O: call it from a non-actor thread
/// (main or a test). The error names the cause (e.g. the held lock's path).
std::variant<running_node, std::string> start_node(caf::actor_system& system,
                                                   const node_options& options);

/// Graceful stop: waits up to `grace` for sessions in flight to settle, then
/// stops every actor and waits until the store has released its files
/// (writer drained, lock released).
void stop_node(caf::actor_system& system, running_node& node,
               std::chrono::milliseconds grace = std::chrono::milliseconds{0});

} // namespace covsigner::actors
