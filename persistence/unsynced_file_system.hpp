// BENCHMARK ONLY: a file_system decorator whose durability barriers are
// no-ops, so a benchmark can measure "the same run with fsync disabled"
// (issue 8's second baseline) and nothing else changes: the store still
// writes every temporary file, renames it into place (RENAME_NOREPLACE for
// creates), writes route markers and runs the writer's group rounds in the
// same order through the wrapped file system.
//
// NOTHING WRITTEN THROUGH IT SURVIVES A POWER CUT OR A KERNEL CRASH: a job
// the node acknowledged may be lost or empty after one. covsignerd reaches
// it only through --store.sync=none together with
// --store.unsafe-no-fsync-for-benchmarks (persistence/sync_option.hpp), and
// says so in its startup log.
#pragma once

#include "persistence/file_system.hpp"

#include <memory>

namespace covsigner::persistence {

class unsynced_file_system final : public file_system {
public:
  /// Precondition: `inner` is not null.
  explicit unsynced_file_system(std::unique_ptr<file_system> inner);

  std::variant<std::string, io_error> read_file(const path& p) override;
  /// inner.write_file_unsynced: the same create/truncate and write, no fsync.
  maybe_error write_file_synced(const path& p, std::string_view bytes) override;
  maybe_error write_file_unsynced(const path& p, std::string_view bytes) override;
  /// A barrier whose sync() is a no-op: succeeds without reaching the disk.
  std::variant<std::unique_ptr<sync_barrier>, io_error>
  open_sync_barrier(const path& any_path) override;
  maybe_error rename(const path& from, const path& to) override;
  maybe_error rename_noreplace(const path& from, const path& to) override;
  /// No-op: succeeds without reaching the disk.
  maybe_error fsync_dir(const path& dir) override;
  std::variant<std::vector<dir_entry>, io_error> list_dir(const path& dir) override;
  std::variant<dir_entry::kind, io_error> entry_kind(const path& p) override;
  maybe_error remove(const path& p) override;
  maybe_error make_dir(const path& p) override;
  std::variant<store_lock, io_error> make_lock(const path& lock_file) override;

private:
  std::unique_ptr<file_system> inner_;
};

} // namespace covsigner::persistence
