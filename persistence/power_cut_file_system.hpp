// SIMULATED power cuts for tests (in the spirit of RocksDB's
// FaultInjectionTestFS). Not a durability guarantee of anything: it models
// POSIX rules to check that the store never acknowledges what a crash could
// lose.
//
// Wraps a real directory tree (`root`) and performs every operation on it,
// while tracking what would survive a power cut:
//   * file contents are durable once write_file_synced succeeds;
//   * a directory entry (new file name, rename, removal, new sub-directory)
//     is durable only after fsync_dir of its directory;
//   * everything that exists when the wrapper is constructed is durable.
// power_cut() rewrites the real tree to its durable state. No real fsync is
// issued (the simulation is the durability model), so tests run fast.
//
// Fault injection: fail the Nth fsync (file or directory, or a file-system
// sync) with an errno, and choose what that failed sync left on disk: a
// failure says nothing about it, so tests try both outcomes (failed_sync_outcome);
// fail the Nth write with an errno; a background writeback error after the
// Nth write (pending contents lost, the error recorded as Linux records it);
// "die" after N mutating operations (every later operation fails with EIO,
// as a machine that lost power would not complete it), to cut power in the
// middle of a round.
#pragma once

#include "persistence/file_system.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace covsigner::persistence {

class power_cut_file_system final : public file_system {
public:
  struct counters {
    std::size_t writes = 0;      // write_file_synced + write_file_unsynced calls
    std::size_t file_fsyncs = 0; // = successful-or-not write_file_synced fsyncs
    std::size_t dir_fsyncs = 0;
    std::size_t fs_syncs = 0; // sync_barrier::sync calls
    std::size_t renames = 0; // rename + rename_noreplace
    std::size_t removes = 0;
    std::size_t mutations = 0; // every call that changes the tree or syncs
  };

  /// Precondition: `root` exists and is a directory. Every path passed to
  /// the operations must be `root` or below it.
  explicit power_cut_file_system(std::filesystem::path root);

  std::variant<std::string, io_error> read_file(const path& p) override;
  maybe_error write_file_synced(const path& p, std::string_view bytes) override;
  /// The contents stay pending (lost by a power cut) until a barrier syncs.
  maybe_error write_file_unsynced(const path& p, std::string_view bytes) override;
  /// A barrier whose sync() makes every pending content and every
  /// directory's current entries durable. A failed sync (fail_nth_fsync
  /// counts it) leaves all of that lost or all of it durable, as the
  /// injection chose. As on Linux, sync() reports each writeback error
  /// recorded after the barrier was opened (fail_writeback_after_write)
  /// once, and none recorded before. The barrier must not outlive `*this`;
  /// opening one is not a mutation (it changes nothing on disk).
  std::variant<std::unique_ptr<sync_barrier>, io_error>
  open_sync_barrier(const path& any_path) override;
  maybe_error rename(const path& from, const path& to) override;
  maybe_error rename_noreplace(const path& from, const path& to) override;
  maybe_error fsync_dir(const path& dir) override;
  std::variant<std::vector<dir_entry>, io_error> list_dir(const path& dir) override;
  std::variant<dir_entry::kind, io_error> entry_kind(const path& p) override;
  maybe_error remove(const path& p) override;
  maybe_error make_dir(const path& p) override;
  std::variant<store_lock, io_error> make_lock(const path& lock_file) override;

  /// The tree a power cut would leave now: path relative to the root ->
  /// contents (nullopt for a directory).
  using durable_tree = std::map<std::string, std::optional<std::string>>;
  durable_tree durable_state() const;

  /// Writes `tree` under `root` (which must exist and be empty), e.g. to
  /// examine "what if power failed here" without disturbing the run.
  static void materialize(const durable_tree& tree, const std::filesystem::path& root);

  /// Called right before every mutating operation, on the calling thread and
  /// outside the internal lock, with the number of mutating operations done
  /// so far: the state at that instant is "power cut after that many steps".
  /// Empty = none.
  void set_before_mutation_hook(std::function<void(std::size_t)> hook);

  /// Reverts the real tree to what is durable, clears the "dead" state and
  /// every injected fault, and continues from there (all now durable).
  void power_cut();

  /// What a failed sync left on disk. The error says nothing about it: the
  /// kernel may have written the data or the entry before it failed.
  enum class failed_sync_outcome {
    lost,      // nothing the sync covered became durable (new contents: empty)
    persisted, // all it covered became durable, and the call still failed
  };

  /// The `nth` fsync from now (1 = the next one; file fsyncs, directory
  /// fsyncs and file-system syncs all count) fails with `code` (EIO, ENOSPC,
  /// ...), leaving what it covered `outcome`.
  void fail_nth_fsync(std::size_t nth, int code,
                      failed_sync_outcome outcome = failed_sync_outcome::lost);

  /// Right after the `nth` write from now (write_file_synced or
  /// write_file_unsynced; 1 = the next one) succeeds, a background
  /// writeback fails with `code`: every content written and not yet synced
  /// is lost (empty after a power cut; a later sync does not bring it
  /// back) and the error is recorded on the file system. As on Linux (5.8+,
  /// errseq), a sync reports that error only through a descriptor opened
  /// before it was recorded.
  void fail_writeback_after_write(std::size_t nth, int code);

  /// Writeback errors recorded so far (fail_writeback_after_write).
  std::size_t writeback_errors() const;

  /// The `nth` write_file_synced from now fails with `code` before any byte
  /// is written (ENOSPC, EDQUOT, EIO, ...).
  void fail_nth_write(std::size_t nth, int code);

  /// After `n` more mutating operations succeed, every further operation
  /// (reads included) fails with EIO until power_cut().
  void die_after(std::size_t n);
  bool dead() const;

  /// Called (outside the internal lock) at the start of every fsync_dir and
  /// sync_barrier::sync, with its path; lets a test hold a round open.
  /// Empty = none.
  void set_fsync_dir_hook(std::function<void(const path&)> hook);

  counters stats() const;

private:
  struct node; // a simulated inode
  using node_ptr = std::shared_ptr<node>;
  class barrier; // open_sync_barrier's

  // sync() of a barrier whose errseq cursor is `seen`.
  maybe_error barrier_sync(const path& p, std::size_t& seen);

  std::optional<io_error> gate(const path& p, bool mutating); // dead / counting
  void before_mutation();
  // Counts a successful write toward fail_writeback_after_write. Lock held.
  void after_write_locked();
  // Makes every pending content and every directory's entries durable.
  void sync_everything_locked();
  maybe_error rename_locked(const path& from, const path& to);
  // The node a write to `p` goes to (created if missing). Lock held.
  std::variant<node_ptr, io_error> node_for_write_locked(const path& p);
  void collect(const std::string& prefix, const node_ptr& dir, durable_tree& out) const;
  std::string rel(const path& p) const;
  void reindex(const std::string& prefix, const node_ptr& dir);

  std::filesystem::path root_;
  mutable std::mutex mutex_;
  // Current namespace: relative path -> inode (mirrors the real tree).
  std::map<std::string, node_ptr> current_;
  node_ptr durable_root_;
  std::function<void(const path&)> fsync_dir_hook_;
  std::function<void(std::size_t)> before_mutation_hook_;
  std::optional<std::size_t> fail_fsync_in_;
  int fail_fsync_code_ = 0;
  failed_sync_outcome fail_fsync_outcome_ = failed_sync_outcome::lost;
  std::optional<std::size_t> fail_writeback_in_;
  int fail_writeback_code_ = 0;
  // The file system's writeback error sequence (Linux sb->s_wb_err): how
  // many errors were recorded, and the last one's errno.
  std::size_t writeback_errors_ = 0;
  int writeback_error_code_ = 0;
  std::optional<std::size_t> fail_write_in_;
  int fail_write_code_ = 0;
  std::optional<std::size_t> die_in_;
  bool dead_ = false;
  counters counters_;
};

} // namespace covsigner::persistence
