// The exclusive store lock (reference §4.3): a non-blocking flock on
// `<jobs dir>/.lock` held for the lifetime of the process that owns the
// store. Tools that change the data dir take the same lock.
#pragma once

#include "persistence/io_error.hpp"

#include <filesystem>
#include <variant>

namespace covsigner::persistence {

/// RAII holder of the flock. Move-only; released (LOCK_UN, close) on
/// destruction or by release(), which is idempotent.
class store_lock {
public:
  /// Creates the directory of `lock_file` (mode 0700, with parents) and the
  /// lock file (0600) if missing, then flock(LOCK_EX|LOCK_NB). On failure the
  /// fd is closed and the error message is exactly
  ///   "cannot acquire exclusive lock on [<lock_file>]: another process may
  ///    already own the store: <strerror>"
  /// (for open/mkdir failures too: whatever the cause, the store is not ours).
  static std::variant<store_lock, io_error> acquire(const std::filesystem::path& lock_file);

  /// acquire(<data_dir>/covenant-signer-jobs/.lock).
  static std::variant<store_lock, io_error> open(const std::filesystem::path& data_dir);

  store_lock(store_lock&& other) noexcept;
  store_lock& operator=(store_lock&& other) noexcept;
  store_lock(const store_lock&) = delete;
  store_lock& operator=(const store_lock&) = delete;
  ~store_lock();

  /// flock(LOCK_UN) and close. No-op when not held.
  void release();
  bool held() const { return fd_ >= 0; }
  const std::filesystem::path& path() const { return path_; }

private:
  store_lock(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::filesystem::path path_;
};

} // namespace covsigner::persistence
