#include "persistence/job_writer.hpp"

#include "persistence/timestamp.hpp"

#include <cerrno>
#include <algorithm>
#include <chrono>
#include <set>

namespace covsigner::persistence {

namespace {

// The longest a group round waits for resubmitting writers (see run()):
// small next to the round's own barriers (milliseconds each on a disk).
constexpr std::chrono::microseconds group_commit_delay{1000};

io_error rejected_after(const io_error& latched) {
  return io_error{latched.code, "store writes disabled after an earlier failure: " + latched.message};
}

// What phase 1 did for one op, so phase 2 knows what to finish.
enum class step { rejected, wrote_job, wrote_tombstone };

} // namespace

std::vector<write_outcome> run_write_round(file_system& fs, const store_layout& layout,
                                           const std::vector<write_op>& ops,
                                           std::optional<io_error>& latched) {
  std::vector<write_outcome> outcomes(ops.size());
  std::vector<step> steps(ops.size(), step::rejected);
  std::vector<std::string> checksums(ops.size());

  auto reject = [&](std::size_t i, io_error e) {
    outcomes[i] = write_outcome{false, std::move(e)};
    steps[i] = step::rejected;
  };
  // After a latch nothing more touches the disk and nothing in this round
  // is acknowledged: its durability is no longer known.
  auto latch = [&](const io_error& e) {
    if (!latched)
      latched = e;
    for (std::size_t i = 0; i < ops.size(); ++i)
      if (steps[i] != step::rejected)
        reject(i, e);
  };
  auto reject_rest = [&](std::size_t from) {
    for (std::size_t i = from; i < ops.size(); ++i)
      if (!outcomes[i].ok && outcomes[i].error.message.empty())
        reject(i, rejected_after(*latched));
  };

  if (latched) {
    reject_rest(0);
    return outcomes;
  }

  // Phase 1: job files and tombstones.
  bool jobs_dirty = false;
  bool tombstones_dirty = false;
  for (std::size_t i = 0; i < ops.size() && !latched; ++i) {
    const write_op& op = ops[i];
    const auto& id = op.job.request_id;
    if (!is_safe_request_id(id)) {
      reject(i, io_error{EINVAL, "unsafe request id for a file name: " + id});
      continue;
    }
    switch (op.type) {
      case write_op::kind::create:
      case write_op::kind::update: {
        std::string bytes = encode_job_file(op.job);
        bool replace = op.type == write_op::kind::update;
        if (auto err = write_file_atomic(fs, layout.job_file(id), bytes, replace)) {
          if (!replace && err->code == EEXIST) {
            reject(i, io_error{EEXIST, "job file already exists: " + layout.job_file(id).string()});
            continue;
          }
          latch(*err);
          reject(i, *err);
          break;
        }
        checksums[i] = sha256_hex(bytes);
        steps[i] = step::wrote_job;
        jobs_dirty = true;
        break;
      }
      case write_op::kind::tombstone_and_remove: {
        tombstone t{id, op.job.route, op.job.route_request_id, op.job.request_digest, op.job.state,
                    op.pruned_at.empty() ? now_rfc3339nano() : op.pruned_at};
        if (auto err = write_file_atomic(fs, layout.tombstone_file(id), encode_tombstone(t), true)) {
          latch(*err);
          reject(i, *err);
          break;
        }
        steps[i] = step::wrote_tombstone;
        tombstones_dirty = true;
        break;
      }
    }
  }
  if (!latched && jobs_dirty) {
    if (auto err = fs.fsync_dir(layout.jobs_dir()))
      latch(*err);
  }
  if (!latched && tombstones_dirty) {
    if (auto err = fs.fsync_dir(layout.tombstones_dir()))
      latch(*err);
  }

  // Phase 2: markers of creates (after their job files are durable), and
  // removal of pruned files (after their tombstones are durable).
  bool routes_dirty = false;
  jobs_dirty = false;
  for (std::size_t i = 0; i < ops.size() && !latched; ++i) {
    const write_op& op = ops[i];
    const auto& id = op.job.request_id;
    if (steps[i] == step::wrote_job && op.type == write_op::kind::create) {
      route_marker m{id, op.job.route, op.job.route_request_id, op.job.request_digest, checksums[i]};
      if (auto err = write_file_atomic(fs, layout.marker_file(id), encode_route_marker(m), true)) {
        latch(*err);
        break;
      }
      routes_dirty = true;
    } else if (steps[i] == step::wrote_tombstone) {
      for (const auto& p : {layout.job_file(id), layout.marker_file(id)}) {
        if (auto err = fs.remove(p); err && err->code != ENOENT) {
          latch(*err);
          break;
        }
      }
      jobs_dirty = routes_dirty = true;
    }
  }
  if (!latched && jobs_dirty) {
    if (auto err = fs.fsync_dir(layout.jobs_dir()))
      latch(*err);
  }
  if (!latched && routes_dirty) {
    if (auto err = fs.fsync_dir(layout.routes_dir()))
      latch(*err);
  }

  if (latched) {
    reject_rest(0);
    return outcomes;
  }
  for (std::size_t i = 0; i < ops.size(); ++i)
    if (steps[i] != step::rejected)
      outcomes[i] = write_outcome{true, {}};
  return outcomes;
}

std::vector<write_outcome> run_batched_round(file_system& fs, const store_layout& layout,
                                             const std::vector<write_op>& ops,
                                             std::optional<io_error>& latched) {
  enum class staged { none, job, tombstone };
  std::vector<write_outcome> outcomes(ops.size());
  std::vector<staged> stage(ops.size(), staged::none);
  if (latched) {
    for (auto& o : outcomes)
      o = write_outcome{false, rejected_after(*latched)};
    return outcomes;
  }
  auto latch = [&](const io_error& e) {
    if (!latched)
      latched = e;
  };
  // The round's barrier is opened before its first write, so its sync
  // reports a background writeback of this round's files that failed
  // before the sync (a descriptor opened at sync time would not: see
  // file_system::open_sync_barrier).
  std::unique_ptr<sync_barrier> barrier;
  {
    auto opened = fs.open_sync_barrier(layout.jobs_dir());
    if (auto* err = std::get_if<io_error>(&opened))
      latch(*err);
    else
      barrier = std::move(std::get<std::unique_ptr<sync_barrier>>(opened));
  }
  auto sync = [&] {
    if (!latched)
      if (auto err = barrier->sync())
        latch(*err);
  };
  auto fsync_dir = [&](const std::filesystem::path& dir) {
    if (!latched)
      if (auto err = fs.fsync_dir(dir))
        latch(*err);
  };

  // 1. Everything under temporary names, unsynced; one file-system sync
  //    makes all of the contents durable (one barrier for 2N files).
  for (std::size_t i = 0; i < ops.size() && !latched; ++i) {
    const write_op& op = ops[i];
    const auto& id = op.job.request_id;
    if (!is_safe_request_id(id)) {
      outcomes[i] = write_outcome{false, io_error{EINVAL, "unsafe request id for a file name: " + id}};
      continue;
    }
    maybe_error err;
    if (op.type == write_op::kind::tombstone_and_remove) {
      tombstone t{id, op.job.route, op.job.route_request_id, op.job.request_digest, op.job.state,
                  op.pruned_at.empty() ? now_rfc3339nano() : op.pruned_at};
      err = fs.write_file_unsynced(temp_path_for(layout.tombstone_file(id)), encode_tombstone(t));
      stage[i] = staged::tombstone;
    } else {
      std::string bytes = encode_job_file(op.job);
      err = fs.write_file_unsynced(temp_path_for(layout.job_file(id)), bytes);
      if (!err && op.type == write_op::kind::create) {
        route_marker m{id, op.job.route, op.job.route_request_id, op.job.request_digest,
                       sha256_hex(bytes)};
        err = fs.write_file_unsynced(temp_path_for(layout.marker_file(id)), encode_route_marker(m));
      }
      stage[i] = staged::job;
    }
    if (err)
      latch(*err);
  }
  sync();

  // 2. Job files and tombstones into place; the directories that hold the
  //    new names are fsynced (the contents already are durable).
  bool jobs_renamed = false, tombstones_renamed = false;
  for (std::size_t i = 0; i < ops.size() && !latched; ++i) {
    const write_op& op = ops[i];
    const auto& id = op.job.request_id;
    if (stage[i] == staged::tombstone) {
      if (auto err = fs.rename(temp_path_for(layout.tombstone_file(id)), layout.tombstone_file(id)))
        latch(*err);
      tombstones_renamed = true;
    } else if (stage[i] == staged::job) {
      auto temp = temp_path_for(layout.job_file(id));
      auto err = op.type == write_op::kind::create ? fs.rename_noreplace(temp, layout.job_file(id))
                                                   : fs.rename(temp, layout.job_file(id));
      if (err && err->code == EEXIST && op.type == write_op::kind::create) {
        // A create never replaces: this op alone fails; its temporaries go
        // (best effort: leftovers are removed by the next load).
        outcomes[i] = write_outcome{
          false, io_error{EEXIST, "job file already exists: " + layout.job_file(id).string()}};
        stage[i] = staged::none;
        fs.remove(temp);
        fs.remove(temp_path_for(layout.marker_file(id)));
      } else if (err) {
        latch(*err);
      } else {
        jobs_renamed = true;
      }
    }
  }
  if (jobs_renamed)
    fsync_dir(layout.jobs_dir());
  if (tombstones_renamed)
    fsync_dir(layout.tombstones_dir());

  // 3. Markers after their job files are durable; removals after their
  //    tombstones are; then the directories that changed.
  bool routes_changed = false, jobs_changed = false;
  for (std::size_t i = 0; i < ops.size() && !latched; ++i) {
    const write_op& op = ops[i];
    const auto& id = op.job.request_id;
    if (stage[i] == staged::job && op.type == write_op::kind::create) {
      if (auto err = fs.rename(temp_path_for(layout.marker_file(id)), layout.marker_file(id)))
        latch(*err);
      routes_changed = true;
    } else if (stage[i] == staged::tombstone) {
      for (const auto& p : {layout.job_file(id), layout.marker_file(id)})
        if (auto err = fs.remove(p); err && err->code != ENOENT)
          latch(*err);
      jobs_changed = routes_changed = true;
    }
  }
  if (jobs_changed)
    fsync_dir(layout.jobs_dir());
  if (routes_changed)
    fsync_dir(layout.routes_dir());

  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (stage[i] == staged::none)
      continue; // already rejected (unsafe id, EEXIST)
    outcomes[i] = latched ? write_outcome{false, *latched} : write_outcome{true, {}};
  }
  if (latched)
    for (auto& o : outcomes)
      if (!o.ok && o.error.message.empty())
        o = write_outcome{false, rejected_after(*latched)};
  return outcomes;
}

job_writer::job_writer(file_system& fs, store_layout layout, sync_mode mode)
  : fs_(fs), layout_(std::move(layout)), mode_(mode), thread_([this] { run(); }) {}

job_writer::~job_writer() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void job_writer::submit(write_op op, callback done) {
  {
    std::lock_guard lock{mutex_};
    queue_.push_back(pending{std::move(op), std::move(done)});
  }
  wake_.notify_one();
}

bool job_writer::failed() const {
  std::lock_guard lock{mutex_};
  return failure_.has_value();
}

std::optional<io_error> job_writer::failure() const {
  std::lock_guard lock{mutex_};
  return failure_;
}

writer_stats job_writer::stats() const {
  std::lock_guard lock{mutex_};
  return stats_;
}

void job_writer::run() {
  for (;;) {
    std::vector<pending> batch;
    std::optional<io_error> latched;
    {
      std::unique_lock lock{mutex_};
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty())
        return; // stopping and drained
      if (mode_ == sync_mode::group && !stopping_ && queue_.size() < last_round_ops_ / 2) {
        // The writers the last round just answered are resubmitting; a
        // round that starts now would carry a few of them and make the rest
        // wait a whole round (rounds alternate small and large). Wait a
        // little for them (the commit_delay of databases): bounded, and it
        // delays only writes, never an acknowledgement of durable ones.
        auto until = std::chrono::steady_clock::now() + group_commit_delay;
        wake_.wait_until(lock, until,
                         [&] { return stopping_ || queue_.size() >= last_round_ops_ / 2; });
      }
      // Group commit: everything that queued while the previous round was
      // syncing goes into this round, up to a second op on the same job
      // (which must see the first one's result; it starts the next round).
      std::set<std::string> ids;
      do {
        if (!ids.insert(queue_.front().op.job.request_id).second)
          break;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      } while (mode_ == sync_mode::group && !queue_.empty());
      latched = failure_;
    }
    std::vector<write_op> ops;
    ops.reserve(batch.size());
    for (auto& p : batch)
      ops.push_back(std::move(p.op));
    auto started = std::chrono::steady_clock::now();
    auto outcomes = mode_ == sync_mode::group ? run_batched_round(fs_, layout_, ops, latched)
                                              : run_write_round(fs_, layout_, ops, latched);
    {
      std::lock_guard lock{mutex_};
      failure_ = latched;
      double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      ++stats_.rounds;
      stats_.ops += batch.size();
      stats_.round_seconds += seconds;
      stats_.longest_round_seconds = std::max(stats_.longest_round_seconds, seconds);
      stats_.largest_round_ops =
        std::max<std::uint64_t>(stats_.largest_round_ops, batch.size());
      last_round_ops_ = batch.size();
    }
    for (std::size_t i = 0; i < batch.size(); ++i)
      if (batch[i].done)
        batch[i].done(std::move(outcomes[i]));
  }
}

} // namespace covsigner::persistence
