#include "persistence/store_layout.hpp"

#include <cerrno>

namespace covsigner::persistence {

maybe_error ensure_store_dirs(file_system& fs, const store_layout& layout) {
  for (const auto& dir : {layout.jobs_dir(), layout.routes_dir(), layout.tombstones_dir(),
                          layout.quarantine_dir()}) {
    if (auto err = ensure_dir_durable(fs, dir))
      return err;
  }
  return std::nullopt;
}

std::variant<migration_report, io_error> migrate_legacy_jobs(file_system& fs,
                                                             const store_layout& layout) {
  migration_report report;
  auto legacy = layout.legacy_jobs_dir();
  auto listed = fs.list_dir(legacy);
  if (auto* err = std::get_if<io_error>(&listed)) {
    if (err->code == ENOENT)
      return report;
    return *err;
  }
  for (const auto& entry : std::get<std::vector<dir_entry>>(listed)) {
    if (entry.type != dir_entry::kind::regular || !entry.name.ends_with(".json"))
      continue;
    auto err = fs.rename_noreplace(legacy / entry.name, layout.jobs_dir() / entry.name);
    if (err && err->code == EEXIST) {
      report.skipped.push_back(entry.name);
      continue;
    }
    if (err)
      return *err;
    report.moved.push_back(entry.name);
  }
  if (!report.moved.empty()) {
    // The new names first: a crash in between leaves a file under both
    // names at worst, never under none.
    if (auto err = fs.fsync_dir(layout.jobs_dir()))
      return *err;
    if (auto err = fs.fsync_dir(legacy))
      return *err;
  }
  return report;
}

} // namespace covsigner::persistence
