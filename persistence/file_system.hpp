// The thin file-system interface every store file operation goes through, so
// tests can count calls, inject errors and simulate power cuts
// (power_cut_file_system.hpp). Errors are values; nothing here throws.
//
// Durability model (POSIX): a file's bytes are durable after
// write_file_synced returns; a directory entry (a new name, a rename, a
// removal, a new sub-directory) is durable only after fsync_dir of the
// directory that holds it.
#pragma once

#include "persistence/io_error.hpp"
#include "persistence/store_lock.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace covsigner::persistence {

struct dir_entry {
  enum class kind { regular, directory, other };
  std::string name;
  kind type = kind::other;

  friend bool operator==(const dir_entry&, const dir_entry&) = default;
};

/// A descriptor on one file system that makes it durable (see
/// file_system::open_sync_barrier for why it is opened before the writes).
class sync_barrier {
public:
  virtual ~sync_barrier() = default;
  /// syncfs(2): every file content and directory entry of the file system
  /// written before this call is durable when it returns without error. An
  /// error means a writeback since the barrier was opened (or since its
  /// last sync) failed: what was written since is unknown.
  virtual maybe_error sync() = 0;
};

class file_system {
public:
  using path = std::filesystem::path;

  virtual ~file_system() = default;

  /// Whole contents of a regular file. Errors: ENOENT, EISDIR, EIO, ...
  virtual std::variant<std::string, io_error> read_file(const path& p) = 0;

  /// Creates or truncates `p` (mode 0600), writes all of `bytes`, fsyncs
  /// the file, closes it. On success the bytes are durable; the name `p`
  /// is not until fsync_dir(p.parent_path()). Errors: ENOSPC, EIO, EDQUOT..
  /// (a failed fsync is reported as an error: the content is then unknown).
  virtual maybe_error write_file_synced(const path& p, std::string_view bytes) = 0;

  /// Creates or truncates `p` (mode 0600) and writes all of `bytes`, with
  /// no fsync: the bytes are durable only after a later sync_barrier::sync
  /// of a barrier opened before this call. Used by group commit, which
  /// makes a whole round durable with one barrier instead of one fsync per
  /// file.
  virtual maybe_error write_file_unsynced(const path& p, std::string_view bytes) = 0;

  /// Opens a syncfs(2) barrier on the file system holding `any_path`. Open
  /// it BEFORE the writes it must cover: Linux (5.8+) reports a writeback
  /// error to syncfs only through descriptors opened before the error was
  /// recorded (errseq), so a descriptor opened at sync time misses the
  /// failed background writeback of the very files it should make durable,
  /// and syncfs answers success. Errors: ENOENT, EACCES, EMFILE, ...
  virtual std::variant<std::unique_ptr<sync_barrier>, io_error>
  open_sync_barrier(const path& any_path) = 0;
  /// rename(2): atomically replaces `to` if it exists.
  virtual maybe_error rename(const path& from, const path& to) = 0;

  /// renameat2(RENAME_NOREPLACE): fails with EEXIST (and changes nothing)
  /// when `to` exists. Never replaces.
  virtual maybe_error rename_noreplace(const path& from, const path& to) = 0;

  /// fsync of a directory: makes the entries it holds durable.
  virtual maybe_error fsync_dir(const path& dir) = 0;

  /// Entries of `dir` (not "." or ".."), in the order the system returns
  /// them (unspecified). Errors: ENOENT, ENOTDIR, EACCES, ...
  virtual std::variant<std::vector<dir_entry>, io_error> list_dir(const path& dir) = 0;

  /// lstat(2) of `p`: what kind of entry it is (a symlink is `other`,
  /// never followed). Errors: ENOENT when missing, EACCES, ... Cheap
  /// existence checks use this, never a listing of a large directory.
  virtual std::variant<dir_entry::kind, io_error> entry_kind(const path& p) = 0;

  /// unlink(2) of a file (not a directory). ENOENT when missing.
  virtual maybe_error remove(const path& p) = 0;

  /// mkdir(2) with mode 0700. EEXIST when the name exists.
  virtual maybe_error make_dir(const path& p) = 0;

  /// Exclusive non-blocking flock on `lock_file` (created 0600 if missing;
  /// its directory must exist). See store_lock.hpp for the error text.
  virtual std::variant<store_lock, io_error> make_lock(const path& lock_file) = 0;
};

/// The real thing: POSIX calls, no caching.
class posix_file_system : public file_system {
public:
  std::variant<std::string, io_error> read_file(const path& p) override;
  maybe_error write_file_synced(const path& p, std::string_view bytes) override;
  maybe_error write_file_unsynced(const path& p, std::string_view bytes) override;
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
};

/// make_dir for `dir` and each missing ancestor, fsyncing each parent
/// whose entries changed so the new directories are durable. Succeeds when
/// `dir` already exists.
maybe_error ensure_dir_durable(file_system& fs, const std::filesystem::path& dir);

/// Writes `bytes` to a temporary name beside `target`, fsyncs it and renames
/// it over `target` (rename) or onto a free name only (rename_noreplace when
/// `replace` is false: EEXIST when `target` exists; the temporary is then
/// removed). Does NOT fsync the directory: callers batch that (group
/// commit). Temporary names start with ".tmp-" and never end in ".json".
maybe_error write_file_atomic(file_system& fs, const std::filesystem::path& target,
                              std::string_view bytes, bool replace);

/// The temporary name write_file_atomic uses for `target`.
std::filesystem::path temp_path_for(const std::filesystem::path& target);

/// True for names write_file_atomic leaves behind after a crash.
bool is_temp_name(std::string_view name);

} // namespace covsigner::persistence
