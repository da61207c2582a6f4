// A store file system for node tests whose durability barriers can fail or
// stall: the real POSIX calls underneath, plus a plan the test controls
// from its own thread.
//
// Barriers are the calls that make a write round durable: sync_barrier::sync
// and fsync_dir (a group round of creates runs syncfs, fsync of the jobs
// dir, fsync of routes/, in that order). A failed barrier leaves on disk
// whatever the calls before it did (e.g. a job file renamed into place
// whose directory fsync "failed"), which is what a real failed fsync can
// leave. A stalled barrier holds the writer thread inside the round until
// the test releases it, or until `max_stall` passes, so no test can hang.
//
// node_options::make_file_system builds one per scan (startup and every
// core rebuild); all of them share the test's plan.
#pragma once

#include "persistence/file_system.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>

namespace covsigner::test_support {

/// What the next barriers do. Thread-safe.
class barrier_plan {
public:
  /// The `nth` barrier from now (1 = the next one) fails with `code`.
  void fail_nth_barrier(std::size_t nth, int code) {
    std::lock_guard lock{mutex_};
    fail_in_ = nth;
    fail_code_ = code;
  }

  /// From now on every barrier waits until release() (or `max_stall`).
  void stall(std::chrono::milliseconds max_stall = std::chrono::seconds(5)) {
    std::lock_guard lock{mutex_};
    stalling_ = true;
    max_stall_ = max_stall;
  }

  /// Lets every stalled barrier (and every later one) through.
  void release() {
    {
      std::lock_guard lock{mutex_};
      stalling_ = false;
    }
    changed_.notify_all();
  }

  /// Barriers that have waited so far (a round is known to be held open).
  std::size_t stalled() const {
    std::lock_guard lock{mutex_};
    return stalled_;
  }

  /// Called by faulty_file_system at the start of every barrier: waits
  /// while stalling, then says whether this barrier fails (with `code`).
  bool before_barrier(int& code) {
    std::unique_lock lock{mutex_};
    if (stalling_) {
      ++stalled_;
      changed_.wait_for(lock, max_stall_, [this] { return !stalling_; });
    }
    if (fail_in_ != 0 && --fail_in_ == 0) {
      code = fail_code_;
      return true;
    }
    return false;
  }

private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t fail_in_ = 0;
  int fail_code_ = 0;
  bool stalling_ = false;
  std::chrono::milliseconds max_stall_{5000};
  std::size_t stalled_ = 0;
};

class faulty_file_system final : public persistence::file_system {
  class planned_barrier final : public persistence::sync_barrier {
  public:
    planned_barrier(std::unique_ptr<persistence::sync_barrier> inner,
                    std::shared_ptr<barrier_plan> plan, std::string where)
      : inner_(std::move(inner)), plan_(std::move(plan)), where_(std::move(where)) {}
    persistence::maybe_error sync() override {
      if (int code = 0; plan_->before_barrier(code))
        return persistence::make_io_error(code, "syncfs", where_);
      return inner_->sync();
    }

  private:
    std::unique_ptr<persistence::sync_barrier> inner_;
    std::shared_ptr<barrier_plan> plan_;
    std::string where_;
  };

public:
  explicit faulty_file_system(std::shared_ptr<barrier_plan> plan) : plan_(std::move(plan)) {}

  std::variant<std::string, persistence::io_error> read_file(const path& p) override {
    return inner_.read_file(p);
  }
  persistence::maybe_error write_file_synced(const path& p, std::string_view bytes) override {
    return inner_.write_file_synced(p, bytes);
  }
  persistence::maybe_error write_file_unsynced(const path& p, std::string_view bytes) override {
    return inner_.write_file_unsynced(p, bytes);
  }
  // The group-commit barrier: the plan stalls or fails its sync.
  std::variant<std::unique_ptr<persistence::sync_barrier>, persistence::io_error>
  open_sync_barrier(const path& any_path) override {
    auto opened = inner_.open_sync_barrier(any_path);
    if (auto* err = std::get_if<persistence::io_error>(&opened))
      return *err;
    return std::unique_ptr<persistence::sync_barrier>{new planned_barrier(
      std::move(std::get<std::unique_ptr<persistence::sync_barrier>>(opened)), plan_,
      any_path.string())};
  }
  persistence::maybe_error rename(const path& from, const path& to) override {
    return inner_.rename(from, to);
  }
  persistence::maybe_error rename_noreplace(const path& from, const path& to) override {
    return inner_.rename_noreplace(from, to);
  }
  persistence::maybe_error fsync_dir(const path& dir) override {
    if (int code = 0; plan_->before_barrier(code))
      return persistence::make_io_error(code, "fsync directory", dir.string());
    return inner_.fsync_dir(dir);
  }
  std::variant<std::vector<persistence::dir_entry>, persistence::io_error>
  list_dir(const path& dir) override {
    return inner_.list_dir(dir);
  }
  std::variant<persistence::dir_entry::kind, persistence::io_error>
  entry_kind(const path& p) override {
    return inner_.entry_kind(p);
  }
  persistence::maybe_error remove(const path& p) override { return inner_.remove(p); }
  persistence::maybe_error make_dir(const path& p) override { return inner_.make_dir(p); }
  std::variant<persistence::store_lock, persistence::io_error>
  make_lock(const path& lock_file) override {
    return inner_.make_lock(lock_file);
  }

private:
  persistence::posix_file_system inner_;
  std::shared_ptr<barrier_plan> plan_;
};

/// For node_options::make_file_system: every scan gets a faulty_file_system
/// over `plan`.
inline std::function<std::unique_ptr<persistence::file_system>()>
faulty_file_systems(std::shared_ptr<barrier_plan> plan) {
  return [plan]() -> std::unique_ptr<persistence::file_system> {
    return std::make_unique<faulty_file_system>(plan);
  };
}

} // namespace covsigner::test_support
