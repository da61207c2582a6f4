// Store benchmark (issue 3): durable creates per second with group commit
// vs one write at a time (per-job, the reference's mutex-across-write
// model), at 1, 16 and 256 concurrent writers; then the load of many
// vector-sized job files, cold (page cache dropped) and warm, with the RSS
// the load adds. Runs on a real disk only: tmpfs has no fsync cost and would
// flatter every number.
//
//   store_bench [--dir=PATH] [--seconds=S] [--load-jobs=N] [--json=FILE] [--keep]
//               [--only=creates|load] [--reuse-load]
//               [--warm-only]
// --keep leaves the data under --dir (e.g. to profile the load);
// --only runs one half; --reuse-load loads an existing <dir>/load written by
// an earlier --keep run instead of writing the files again; --warm-only does
// not drop the page cache before the first load (for profiling).
#include "covenant/job.hpp"
#include "persistence/job_writer.hpp"
#include "persistence/store_layout.hpp"
#include "persistence/store_loader.hpp"
#include "persistence/timestamp.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <thread>
#include <vector>

using namespace covsigner;
namespace fs = std::filesystem;

namespace {

constexpr long tmpfs_magic = 0x01021994;

std::string fs_type_name(const fs::path& dir) {
  struct statfs s {};
  if (statfs(dir.c_str(), &s) != 0)
    return "unknown";
  switch (s.f_type) {
    case 0xEF53:
      return "ext4";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case tmpfs_magic:
      return "tmpfs";
    case 0x794c7630:
      return "overlayfs";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%lx", static_cast<long>(s.f_type));
      return buf;
    }
  }
}

// A job the size of a real one: the v2 qc_v1 vector request is ~4 KiB.
covenant::job sample_job(std::size_t i) {
  covenant::job j;
  char id[32];
  std::snprintf(id, sizeof id, "kcs_qc_%016zx", i);
  j.request_id = id;
  j.route_request_id = "bench-" + std::to_string(i);
  j.route = "qc_v1";
  j.idempotency_key = "idem-" + std::to_string(i);
  j.facade_request_id = "facade-" + std::to_string(i);
  j.request_digest = "0x" + std::string(64, 'a');
  j.state = covenant::job_state::pending;
  j.detail = std::string{covenant::accepted_detail};
  j.created_at = persistence::now_rfc3339nano();
  j.updated_at = j.created_at;
  std::string request = R"({"facadeRequestId":"facade","route":"qc_v1","pad":")";
  request += std::string(3800, 'f');
  request += R"("})";
  j.request_json = request;
  return j;
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return 0;
}

// `writers` threads each keep one create in flight for `seconds`.
double creates_per_second(const fs::path& dir, persistence::sync_mode mode, int writers,
                          double seconds) {
  fs::remove_all(dir);
  persistence::posix_file_system files;
  auto layout = persistence::store_layout::for_data_dir(dir);
  auto lock = persistence::store_lock::open(dir);
  if (auto err = persistence::ensure_store_dirs(files, layout)) {
    std::cerr << err->message << "\n";
    std::exit(1);
  }
  persistence::job_writer writer{files, layout, mode};
  std::atomic<std::size_t> next{0}, done{0};
  std::atomic<bool> stop{false};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w)
    threads.emplace_back([&] {
      std::mutex m;
      std::condition_variable cv;
      while (!stop && std::chrono::steady_clock::now() < deadline) {
        bool finished = false, ok = false;
        writer.submit({persistence::write_op::kind::create, sample_job(next++), {}},
                      [&](persistence::write_outcome o) {
                        std::lock_guard<std::mutex> g{m};
                        finished = true;
                        ok = o.ok;
                        cv.notify_one();
                      });
        std::unique_lock<std::mutex> lk{m};
        cv.wait(lk, [&] { return finished; });
        if (!ok) {
          stop = true;
          break;
        }
        ++done;
      }
    });
  auto start = std::chrono::steady_clock::now();
  for (auto& t : threads)
    t.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return done / elapsed;
}

struct load_figures {
  double seconds = 0;
  long rss_growth_kib = 0;
  std::size_t jobs = 0;
  std::uintmax_t bytes_on_disk = 0;
};

load_figures load_once(const fs::path& dir) {
  persistence::posix_file_system files;
  auto layout = persistence::store_layout::for_data_dir(dir);
  long before = rss_kib();
  auto start = std::chrono::steady_clock::now();
  auto opened = persistence::open_store(files, layout);
  load_figures f;
  f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  f.rss_growth_kib = rss_kib() - before;
  if (auto* err = std::get_if<persistence::io_error>(&opened)) {
    std::cerr << "load failed: " << err->message << "\n";
    std::exit(1);
  }
  f.jobs = std::get<persistence::opened_store>(opened).loaded.jobs.size();
  for (auto& e : fs::directory_iterator(layout.jobs_dir()))
    if (e.is_regular_file())
      f.bytes_on_disk += e.file_size();
  return f;
}

// Writes `n` job files (and their markers) under `load_dir` once, in group
// mode with every create queued at once.
void write_load_files(const fs::path& load_dir, std::size_t n) {
  fs::remove_all(load_dir);
  persistence::posix_file_system files;
  auto layout = persistence::store_layout::for_data_dir(load_dir);
  auto lock = persistence::store_lock::open(load_dir);
  if (auto err = persistence::ensure_store_dirs(files, layout)) {
    std::cerr << err->message << "\n";
    std::exit(1);
  }
  persistence::job_writer writer{files, layout, persistence::sync_mode::group};
  std::atomic<std::size_t> left{n};
  std::atomic<bool> failed{false};
  std::mutex m;
  std::condition_variable cv;
  for (std::size_t i = 0; i < n; ++i)
    writer.submit({persistence::write_op::kind::create, sample_job(i), {}},
                  [&](persistence::write_outcome o) {
                    if (!o.ok)
                      failed = true;
                    if (--left == 0) {
                      std::lock_guard<std::mutex> g{m};
                      cv.notify_one();
                    }
                  });
  std::unique_lock<std::mutex> lk{m};
  cv.wait(lk, [&] { return left == 0; });
  if (failed) {
    std::cerr << "writing the load files failed\n";
    std::exit(1);
  }
}

bool drop_caches() {
  ::sync();
  std::ofstream out("/proc/sys/vm/drop_caches");
  if (!out)
    return false;
  out << "3\n";
  return static_cast<bool>(out.flush());
}

} // namespace

int main(int argc, char** argv) {
  fs::path base = fs::current_path() / "build" / "bench-store";
  double seconds = 3;
  std::size_t load_jobs = 100000;
  std::string json_path;
  bool keep = false;
  bool run_creates = true, run_load = true, reuse_load = false, warm_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--dir=", 0) == 0)
      base = a.substr(6);
    else if (a.rfind("--seconds=", 0) == 0)
      seconds = std::stod(a.substr(10));
    else if (a.rfind("--load-jobs=", 0) == 0)
      load_jobs = std::stoul(a.substr(12));
    else if (a.rfind("--json=", 0) == 0)
      json_path = a.substr(7);
    else if (a == "--keep")
      keep = true;
    else if (a == "--only=creates")
      run_load = false;
    else if (a == "--only=load")
      run_creates = false;
    else if (a == "--reuse-load")
      reuse_load = true;
    else if (a == "--warm-only")
      warm_only = true;
    else {
      std::cerr << "usage: store_bench [--dir=PATH] [--seconds=S] [--load-jobs=N] [--json=FILE] [--keep]\n"
                   "                   [--only=creates|load] [--reuse-load] [--warm-only]\n";
      return 2;
    }
  }
  fs::create_directories(base);
  auto type = fs_type_name(base);
  if (type == "tmpfs") {
    std::cerr << "refusing to benchmark on tmpfs (" << base << "): fsync costs nothing there\n";
    return 1;
  }
  std::cout << "file system: " << type << " (" << base << ")\n\n";
  std::string json = "{\"fileSystem\":\"" + type + "\"";
  if (run_creates) {
    std::cout << "durable creates/s   writers   group      per-job    ratio\n";
    json += ",\"creates\":[";
    bool first = true;
    for (int writers : {1, 16, 256}) {
      double group = creates_per_second(base / "group", persistence::sync_mode::group, writers, seconds);
      double per_job =
        creates_per_second(base / "per-job", persistence::sync_mode::per_job, writers, seconds);
      std::printf("                    %7d   %8.0f   %8.0f   %5.1fx\n", writers, group, per_job,
                  group / per_job);
      std::fflush(stdout);
      json += std::string(first ? "" : ",") + "{\"writers\":" + std::to_string(writers) +
              ",\"group\":" + std::to_string(group) + ",\"perJob\":" + std::to_string(per_job) + "}";
      first = false;
    }
    json += "]";
  }

  if (run_load) {
    auto load_dir = base / "load";
    if (!reuse_load || !fs::exists(load_dir / "covenant-signer-jobs"))
      write_load_files(load_dir, load_jobs);
    bool cold_ok = !warm_only && drop_caches();
    auto cold = load_once(load_dir);
    auto warm = load_once(load_dir);
    std::printf("\nload of %zu job files (%.1f MiB on disk)\n", warm.jobs,
                warm.bytes_on_disk / 1048576.0);
    // The first load in the process is the one whose RSS growth counts (the
    // second reuses memory the first freed).
    std::printf("  cold%s: %.2f s, RSS growth %.1f MiB (%.2fx the files)\n",
                cold_ok ? "" : " (could not drop caches; not cold)", cold.seconds,
                cold.rss_growth_kib / 1024.0,
                cold.rss_growth_kib * 1024.0 / static_cast<double>(warm.bytes_on_disk));
    std::printf("  warm: %.2f s\n", warm.seconds);
    json += ",\"load\":{\"jobs\":" + std::to_string(warm.jobs) +
            ",\"bytes\":" + std::to_string(warm.bytes_on_disk) +
            ",\"coldSeconds\":" + std::to_string(cold.seconds) + ",\"coldDropped\":" +
            (cold_ok ? "true" : "false") + ",\"warmSeconds\":" + std::to_string(warm.seconds) +
            ",\"rssGrowthKiB\":" + std::to_string(cold.rss_growth_kib) + "}";
  }
  json += "}";
  if (!json_path.empty())
    std::ofstream(json_path) << json << "\n";
  if (!keep && !reuse_load)
    fs::remove_all(base);
  return 0;
}
