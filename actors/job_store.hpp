// job_store: owns the job records and the files behind them. Writes go to the
// persistence writer thread (group commit), so no fsync ever runs on a CAF
// scheduler thread; a reply or snapshot is only sent once its bytes are
// durable.
#pragma once

#include "messages/job_store.hpp"
#include "messages/published_jobs.hpp"
#include "persistence/file_system.hpp"
#include "persistence/job_writer.hpp"
#include "persistence/store_layout.hpp"
#include "persistence/store_lock.hpp"

#include <caf/meta/type_name.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace covsigner::actors {

/// The files job_store owns for its lifetime: the lock, the file system and
/// the writer. Destroying it drains the writer and releases the lock.
struct store_files {
  std::unique_ptr<persistence::file_system> fs;
  persistence::store_layout layout;
  persistence::store_lock lock;
  std::unique_ptr<persistence::job_writer> writer;

  store_files(std::unique_ptr<persistence::file_system> file_system,
              persistence::store_layout store_layout, persistence::store_lock store_lock,
              persistence::sync_mode mode);
  ~store_files();
};

/// The store's failure latch for the life of the process (DESIGN.md
/// "Persistence contract": after a failed fsync the node refuses submits
/// until it restarts). job_writer latches too, but a core rebuild makes a
/// new writer whose own latch starts clear; this one is shared by every
/// job_store a node builds and never clears. Thread-safe: the writer thread
/// records into it, so a failure is kept even if the store dies before it
/// sees the completion.
class store_latch {
public:
  /// Records that a write of `request_id` (route key `route_key`) failed
  /// while the writer was latched by `cause`: the job's file may hold its
  /// old state, the new one, or neither. The first cause is kept.
  void record(const persistence::io_error& cause, const std::string& request_id,
              const std::string& route_key);

  /// The error that latched a writer first, if any.
  std::optional<persistence::io_error> cause() const;

  /// "a durable write failed (<cause>)"; empty while nothing latched.
  std::string failure() const;

  /// "a durable write of job <id> failed (<cause>); its file's state on
  /// disk is unknown" when `request_id`'s state is unknown, else nullopt.
  std::optional<std::string> unknown_reason(const std::string& request_id) const;

  /// Request id -> route key of every job whose state on disk is unknown.
  std::map<std::string, std::string> unknown_jobs() const;

private:
  mutable std::mutex mutex_;
  std::optional<persistence::io_error> cause_;
  std::map<std::string, std::string> unknown_; // request id -> route key
};

/// The writer thread's report that one op finished (internal to job_store).
struct write_completed {
  std::string request_id;
  bool ok = false;
  int error_code = 0;
  std::string error;
  /// Failed while the writer was latched: the outcome on disk is unknown
  /// (recorded in the store_latch). false with !ok: a definite rejection
  /// (the file exists, an unsafe id): nothing on disk changed.
  bool unknown = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_completed& x) {
  return f(caf::meta::type_name("write_completed"), x.request_id, x.ok, x.error_code, x.error,
           x.unknown);
}

/// job_store's own interface: the public one plus writer completions.
using job_store_impl = messages::job_store_actor::extend<caf::reacts_to<write_completed>>;

struct job_store_state {
  // Not an aggregate: CAF would otherwise try to build the state from `self`.
  job_store_state() = default;

  // One write at a time per job; later operations on that job wait in order.
  struct in_flight {
    std::function<void(const write_completed&)> finish;
    std::deque<std::function<void()>> waiting;
  };
  std::shared_ptr<store_files> files;
  std::unordered_map<std::string, messages::job_snapshot> jobs; // durable state only
  std::unordered_map<std::string, in_flight> writes;            // request id -> write
  std::string refusal_cause;
  std::uint64_t writes_done = 0;
  std::shared_ptr<messages::published_jobs> published; // may be null
  std::shared_ptr<store_latch> latch;                  // never null
  static inline const char* name = "job_store";
};

/// Behaviour of job_store over jobs already loaded from `files`. Every state
/// it makes durable (created, transitioned) is also published to
/// `published` when given, after its bytes are durable and never before;
/// whoever spawns it publishes the loaded jobs (start_node does, before
/// it returns, so the view is complete from the first request).
///
/// Failures: a write that fails while the writer is latched (a failed
/// fsync, ENOSPC, EIO) is recorded in `latch` (null: a latch of its own)
/// and answered `unknown` (its bytes may be on disk); every write after
/// that is answered `refused` (nothing written), also by a store rebuilt
/// over the same latch. A definite rejection (the job file exists, an
/// unsafe id) is `rejected`. Transitions follow covenant::check_transition:
/// from a terminal state `terminal`, any other refused move `forbidden`
/// (detail "job <id>: transition <FROM> -> <TO> is not allowed (<rule>)").
job_store_impl::behavior_type job_store(job_store_impl::stateful_pointer<job_store_state> self,
                                        std::shared_ptr<store_files> files,
                                        std::vector<covenant::job> loaded,
                                        std::shared_ptr<messages::published_jobs> published = {},
                                        std::shared_ptr<store_latch> latch = {});

} // namespace covsigner::actors
