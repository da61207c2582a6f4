// What the actor-level store tests read in a data dir's jobs dir: its
// layout, the job files there, and the store's text for a failed fsync of
// it (tests/support/faulty_file_system.hpp fails it with EIO).
#pragma once

#include "persistence/store_layout.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>

namespace covsigner::test_support {

/// The store's layout of `data_dir`.
inline persistence::store_layout layout_of(const std::filesystem::path& data_dir) {
  return persistence::store_layout::for_data_dir(data_dir);
}

/// Request ids of the job files in `data_dir`'s jobs dir (a write's temp
/// file starts with '.' and is not one).
inline std::set<std::string> job_files(const std::filesystem::path& data_dir) {
  std::set<std::string> ids;
  for (const auto& e : std::filesystem::directory_iterator(layout_of(data_dir).jobs_dir()))
    if (e.path().extension() == ".json" && !e.path().filename().string().starts_with("."))
      ids.insert(e.path().stem().string());
  return ids;
}

/// The store's error text when the fsync of `data_dir`'s jobs dir fails
/// with EIO.
inline std::string jobs_dir_fsync_failure(const std::filesystem::path& data_dir) {
  return "fsync directory " + layout_of(data_dir).jobs_dir().string() + ": " +
         std::strerror(EIO);
}

} // namespace covsigner::test_support
