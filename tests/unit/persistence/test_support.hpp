// Shared helpers for the persistence tests: real temporary directories under
// /tmp (removed afterwards), sample jobs, and a file system that injects
// per-path faults and permutes directory listings.
#pragma once

#include "covenant/job.hpp"
#include "persistence/file_system.hpp"
#include "persistence/job_file.hpp"
#include "persistence/store_layout.hpp"
#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace covsigner::persistence::testing {

// One temp-dir helper for every test binary (tests/support/temp_dir.hpp).
using temp_dir = test_support::temp_dir;

inline void write_raw(const std::filesystem::path& p, std::string_view bytes) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_raw(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

/// A job as the service creates it (state SUBMITTED, createdAt = updatedAt).
inline covenant::job sample_job(std::string request_id, std::string route_request_id,
                                std::string updated_at = "2026-03-09T00:00:00Z",
                                std::string route = "self_v1") {
  covenant::job j;
  j.request_id = std::move(request_id);
  j.route_request_id = std::move(route_request_id);
  j.route = std::move(route);
  j.idempotency_key = "idem-" + j.route_request_id;
  j.facade_request_id = "facade-" + j.route_request_id;
  j.request_digest = "0x" + std::string(64, 'a');
  j.state = covenant::job_state::submitted;
  j.created_at = updated_at;
  j.updated_at = updated_at;
  j.request_json = R"({"facadeRequestId":"facade-)" + j.route_request_id + R"(","route":")" + j.route +
                   R"(","routeRequestId":")" + j.route_request_id + R"(","strategy":"<a&b>"})";
  return j;
}

/// Writes `j` as a job file, bypassing the writer (no marker), as the Go
/// node or a test fixture would.
inline void put_job_file(const store_layout& layout, const covenant::job& j) {
  write_raw(layout.job_file(j.request_id), encode_job_file(j));
}

/// posix_file_system plus per-path read/list faults and a listing order
/// chosen by the test (the reference's "content-faulting handle").
class faulty_file_system : public posix_file_system {
public:
  std::map<std::string, int> read_faults; // file name -> errno
  std::map<std::string, int> list_faults; // directory name -> errno
  /// Reorders every listing (after sorting it by name), e.g. to replay
  /// all directory orders. Empty = sorted order.
  std::function<void(std::vector<dir_entry>&)> reorder;

  std::variant<std::string, io_error> read_file(const path& p) override {
    if (auto it = read_faults.find(p.filename().string()); it != read_faults.end())
      return make_io_error(it->second, "read", p.string());
    return posix_file_system::read_file(p);
  }
  std::variant<std::vector<dir_entry>, io_error> list_dir(const path& dir) override {
    if (auto it = list_faults.find(dir.filename().string()); it != list_faults.end())
      return make_io_error(it->second, "list directory", dir.string());
    auto listed = posix_file_system::list_dir(dir);
    if (auto* entries = std::get_if<std::vector<dir_entry>>(&listed)) {
      std::sort(entries->begin(), entries->end(), [](const auto& a, const auto& b) { return a.name < b.name; });
      if (reorder)
        reorder(*entries);
    }
    return listed;
  }
};

} // namespace covsigner::persistence::testing
