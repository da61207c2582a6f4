// The node's core: the actors whose state must agree with the disk
// (job_store, route_registry) and the session supervisor that writes
// through them, built from ONE scan of the data dir (DESIGN.md "Rules that
// keep the actor system honest": neither store actor restarts in place; if
// one dies, both are rebuilt from one scan).
//
// Three steps, because start_node must fail on a held lock or a bad store
// before it spawns anything, and a rebuild must never block the node:
//   scan_core    — blocking file I/O (lock, legacy migration, load), no actors;
//   publish_scan — hands the scan to the dedupe fast path (CPU only);
//   spawn_core   — spawns the actors over the scan (cheap).
// A rebuild runs the first two on a detached worker (core_scan_worker) and
// the last in the node. If the node is gone when the scan arrives, the scan
// is dropped with the message and its lock released: nothing leaks.
#pragma once

#include "actors/job_store.hpp"
#include "actors/route_registry.hpp"
#include "actors/session_supervisor.hpp"
#include "messages/node.hpp"
#include "messages/published_jobs.hpp"
#include "persistence/job_writer.hpp"
#include "persistence/store_loader.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace covsigner::actors {

/// Everything a (re)build of the core needs; kept by the node for rebuilds.
struct core_options {
  std::filesystem::path data_dir;
  persistence::sync_mode sync = persistence::sync_mode::group;
  /// BENCHMARK ONLY: see node_options::unsafe_no_fsync.
  bool unsafe_no_fsync = false;
  /// TESTS ONLY: see node_options::make_file_system.
  std::function<std::unique_ptr<persistence::file_system>()> make_file_system;
  /// route_registry's bound on one job_store call.
  std::chrono::milliseconds store_timeout{30000};
  /// The supervisor's settings, readers and signer already filled in.
  session_settings sessions;
  /// The dedupe fast path's view; a rebuild republishes into the same one
  /// (each publication replaces the previous one for its key).
  std::shared_ptr<messages::published_jobs> published;
  /// The store's failure latch, shared by every core built from these
  /// options, so a rebuild keeps a failure (start_node makes it). Null: each
  /// core's store latches on its own and a rebuild forgets a failure.
  std::shared_ptr<store_latch> latch;
};

/// The result of scan_core: the locked, loaded store, nothing spawned yet.
struct scanned_core {
  std::shared_ptr<store_files> files;
  persistence::loaded_store loaded;
  std::string load_summary;
};

/// Locks and loads `options.data_dir` (blocking). The error names the cause,
/// e.g. the path of a lock another process holds. When `options.latch`
/// holds a failure (a rebuild after a failed write), the jobs whose last
/// write failed are set aside: their files' state on disk is unknown, so
/// they are not loaded (not served, published or resumed) and their route
/// keys are poisoned with the latch's reason; the summary line counts them.
std::variant<scanned_core, std::string> scan_core(const core_options& options);

/// Publishes what the scan holds to the dedupe fast path: every live route
/// key and every job's durable answer (after a rebuild, this replaces the
/// answers of jobs the load rewrote, e.g. SIGNING -> interrupted).
void publish_scan(const scanned_core& scanned, messages::published_jobs& published);

/// Spawns job_store, session_supervisor and route_registry (which starts
/// the sessions of creates it reconciles) over the scan, all sharing
/// `options.latch`. persistence::resumable_jobs are returned in
/// `resumable`, not started: the caller resumes them once it holds the new
/// supervisor. Never blocks on I/O.
messages::node_core spawn_core(caf::actor_system& system, scanned_core scanned,
                               const core_options& options);

/// A scan travelling from the worker to the node (local only: it carries
/// the store's open files and lock).
struct core_scan {
  std::shared_ptr<scanned_core> scanned; // null when the scan failed
  std::string error;
};

/// A one-shot worker on its own thread: answers `run_atom` with a scan of
/// `options.data_dir`, already published to `options.published`, then quits.
using core_scan_worker_actor =
  caf::typed_actor<caf::replies_to<messages::run_atom>::with<core_scan>>;

core_scan_worker_actor::behavior_type core_scan_worker(core_scan_worker_actor::pointer self,
                                                       core_options options);

} // namespace covsigner::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(covsigner::actors::core_scan)
