// The store's durable writer: one background thread that performs every job
// file write, so actors hand it blocking work and get a callback when the
// bytes are durable (DESIGN "Persistence contract").
//
// Every write is temp file + fsync + rename + fsync of the directory.
// Order per create: job file durable -> route marker durable -> done(ok).
// Order per prune: tombstone durable -> job file and marker removed ->
// done(ok). `done` is never called with ok=true before the bytes are durable.
//
// Failure latch: any I/O error (a failed fsync, ENOSPC, EIO, ...) rejects the
// write it hit and latches failed(): every later op is rejected without
// touching the disk. Nothing is ever retried and then acknowledged (after a
// failed fsync the file's state is unknown). The one non-latching error is a
// create whose job file already exists: EEXIST, nothing changed.
#pragma once

#include "covenant/job.hpp"
#include "persistence/file_system.hpp"
#include "persistence/job_file.hpp"
#include "persistence/store_layout.hpp"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace covsigner::persistence {

enum class sync_mode {
  group,   // all ops queued while a round syncs share the next round (run_batched_round);
           // a round that would start much smaller than the last one waits
           // briefly for the writers that are about to resubmit
  per_job, // one op per round, one fsync per file (the reference's write-at-a-time)
};

struct write_op {
  enum class kind {
    create,               // new job file (RENAME_NOREPLACE) + route marker
    update,               // replace an existing job file
    tombstone_and_remove, // prune: tombstone, then remove job file + marker
  };
  kind type = kind::create;
  covenant::job job; // for tombstone_and_remove: the (terminal) job pruned
  std::string pruned_at; // tombstone_and_remove only; empty = now
};

struct write_outcome {
  bool ok = false;
  io_error error; // meaningful when !ok
};

/// Performs `ops` as one round, synchronously, on the calling thread:
///   phase 1: each job file / tombstone written (temp, fsync, rename);
///            one fsync of each directory touched;
///   phase 2: route markers of the creates written, pruned job files and
///            markers removed; one fsync of each directory touched.
/// Returns one outcome per op, in order. Ops after a latching error, and ops
/// whose directory fsync failed, are rejected; `latched` is set when a
/// latching error occurred. Used by job_writer (one call per round) and by
/// tools that hold the store lock (prune). Ops for the same request id are
/// applied in order.
std::vector<write_outcome> run_write_round(file_system& fs, const store_layout& layout,
                                           const std::vector<write_op>& ops,
                                           std::optional<io_error>& latched);

/// Group commit's round: the effects of run_write_round, made durable with
/// one file-system sync and at most four directory fsyncs whatever the
/// number of ops (one fsync per file made a round of N creates cost 2N+2
/// fsyncs):
///   1. a sync barrier is opened on the store's file system (before any
///      write, so it reports their writeback errors); every job file, route
///      marker and tombstone is written under its temporary name, unsynced;
///      one sync of the barrier makes all of those contents (and the
///      temporary names) durable;
///   2. job files and tombstones are renamed into place (creates with
///      RENAME_NOREPLACE: EEXIST rejects that op alone); fsync of the jobs
///      dir (and of tombstones/ when a prune is in the round);
///   3. markers of the creates are renamed into place, pruned job files and
///      markers removed; fsync of routes/ (and of the jobs dir after a
///      removal).
/// So a marker never becomes durable before its job file, a removal never
/// before its tombstone, and nothing is acknowledged before the last
/// barrier. Latching is as in run_write_round.
/// Precondition: no two ops name the same request id (job_writer splits
/// its rounds so).
std::vector<write_outcome> run_batched_round(file_system& fs, const store_layout& layout,
                                             const std::vector<write_op>& ops,
                                             std::optional<io_error>& latched);

/// What the writer has done since it started, for /metrics: with these a
/// scraper derives the mean batch size (ops / rounds) and the mean round
/// latency (round_seconds / rounds) over any interval.
struct writer_stats {
  std::uint64_t rounds = 0;         // write rounds run (each ends in its barriers)
  std::uint64_t ops = 0;            // ops those rounds carried
  double round_seconds = 0;         // wall time spent in rounds, summed
  double longest_round_seconds = 0; // the slowest single round
  std::uint64_t largest_round_ops = 0;
};

class job_writer {
public:
  using callback = std::function<void(write_outcome)>;

  /// Starts the writer thread. Preconditions: the store lock is held,
  /// ensure_store_dirs succeeded, `fs` outlives the writer.
  job_writer(file_system& fs, store_layout layout, sync_mode mode);

  /// Processes every op already submitted (their callbacks run), then joins.
  ~job_writer();

  job_writer(const job_writer&) = delete;
  job_writer& operator=(const job_writer&) = delete;

  /// Queues `op`; `done` runs exactly once on the writer thread, after the
  /// op is durable (ok) or rejected. Thread-safe; `done` may itself call
  /// submit() (it only queues). `done` must not block for long: it delays
  /// the next round.
  void submit(write_op op, callback done);

  /// True once an I/O error latched (see above). Thread-safe.
  bool failed() const;

  /// The error that latched the writer, if any. Thread-safe.
  std::optional<io_error> failure() const;

  /// Rounds run so far, their sizes and durations. Thread-safe.
  writer_stats stats() const;

private:
  struct pending {
    write_op op;
    callback done;
  };
  void run();

  file_system& fs_;
  store_layout layout_;
  sync_mode mode_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<pending> queue_;
  bool stopping_ = false;
  std::optional<io_error> failure_;
  writer_stats stats_;
  std::size_t last_round_ops_ = 0;
  std::thread thread_;
};

} // namespace covsigner::persistence
