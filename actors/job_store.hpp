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
#include <memory>
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

/// The writer thread's report that one op finished (internal to job_store).
struct write_completed {
  std::string request_id;
  bool ok = false;
  int error_code = 0;
  std::string error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_completed& x) {
  return f(caf::meta::type_name("write_completed"), x.request_id, x.ok, x.error_code, x.error);
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
  static inline const char* name = "job_store";
};

/// Behaviour of job_store over jobs already loaded from `files`. Every state
/// it makes durable (created, transitioned) is also published to
/// `published` when given, after its bytes are durable and never before;
/// whoever spawns it publishes the loaded jobs (start_node does, before
/// it returns, so the view is complete from the first request).
job_store_impl::behavior_type job_store(job_store_impl::stateful_pointer<job_store_state> self,
                                        std::shared_ptr<store_files> files,
                                        std::vector<covenant::job> loaded,
                                        std::shared_ptr<messages::published_jobs> published = {});

} // namespace covsigner::actors
