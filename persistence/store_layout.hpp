// Where the store keeps its files (reference §4.2, DESIGN "Persistence
// contract"), and the migration of the legacy nested jobs directory.
//
//   <data_dir>/covenant-signer-jobs/             jobs dir (Go-compatible)
//     .lock                                      exclusive flock
//     <requestId>.json                           job files (Go format)
//     .tmp-*                                     temporaries (crash leftovers)
//     routes/<requestId>.route                   route markers
//     tombstones/<requestId>.tombstone           tombstones of pruned jobs
//     quarantine/<name>[.<n>]                    quarantined files, never deleted
//     quarantine/<name>[.<n>].reason             why (JSON, see store_loader.hpp)
//   <data_dir>/covenant-signer/jobs/*.json       legacy layout, migrated
//
// The Go node reads only `*.json` directly in the jobs dir, so our extra
// sub-directories do not disturb it.
#pragma once

#include "persistence/file_system.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace covsigner::persistence {

struct store_layout {
  std::filesystem::path data_dir;

  static store_layout for_data_dir(std::filesystem::path data_dir) { return {std::move(data_dir)}; }

  std::filesystem::path jobs_dir() const { return data_dir / "covenant-signer-jobs"; }
  std::filesystem::path legacy_jobs_dir() const { return data_dir / "covenant-signer" / "jobs"; }
  std::filesystem::path lock_file() const { return jobs_dir() / ".lock"; }
  std::filesystem::path routes_dir() const { return jobs_dir() / "routes"; }
  std::filesystem::path tombstones_dir() const { return jobs_dir() / "tombstones"; }
  std::filesystem::path quarantine_dir() const { return jobs_dir() / "quarantine"; }

  /// Precondition for the three below: is_safe_request_id(request_id).
  std::filesystem::path job_file(std::string_view request_id) const {
    return jobs_dir() / (std::string{request_id} + ".json");
  }
  std::filesystem::path marker_file(std::string_view request_id) const {
    return routes_dir() / (std::string{request_id} + ".route");
  }
  std::filesystem::path tombstone_file(std::string_view request_id) const {
    return tombstones_dir() / (std::string{request_id} + ".tombstone");
  }
};

/// Creates the jobs dir and its sub-directories (0700) durably.
maybe_error ensure_store_dirs(file_system& fs, const store_layout& layout);

struct migration_report {
  std::vector<std::string> moved;   // file names moved into the jobs dir
  std::vector<std::string> skipped; // names already present in the jobs dir (left in place)
};

/// Reference §4.2 migration, made durable: every regular `*.json` file in
/// `<data_dir>/covenant-signer/jobs/` is renamed (RENAME_NOREPLACE) into the
/// jobs dir unless a same-named file already exists there; both directories
/// are then fsynced. A missing legacy dir is fine (empty report). Any other
/// failure (list, rename, fsync) aborts with the error. Idempotent.
/// Precondition: the store lock is held and ensure_store_dirs succeeded.
std::variant<migration_report, io_error> migrate_legacy_jobs(file_system& fs,
                                                             const store_layout& layout);

} // namespace covsigner::persistence
