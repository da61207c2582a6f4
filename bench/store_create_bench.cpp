// Store create micro benchmark (issue 8): one durable job create through
// persistence::job_writer (job file + route marker, each temp + fsync +
// rename, directory fsyncs) as the job_store actor does it, group commit vs
// per-job (the reference's one write at a time), from 1 and 16 concurrent
// callers. With group commit, creates queued while a round syncs share the
// next round, so per-create cost falls with concurrency; per-job stays at
// the disk's fsync rate. Real time: the cost is waiting for the disk.
//
// Data lives under <build>/bench-data (tmpfs has no fsync cost: refused).
// bench/store_bench.cpp measures the same at 256 writers and the load path.
#include "covenant/job.hpp"
#include "persistence/file_system.hpp"
#include "persistence/job_writer.hpp"
#include "persistence/store_layout.hpp"
#include "persistence/store_lock.hpp"
#include "persistence/timestamp.hpp"

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <future>
#include <iostream>
#include <sys/statfs.h>
#include <unistd.h>

namespace {

using namespace covsigner;
namespace fs = std::filesystem;

std::atomic<std::uint64_t> next_id{0};

covenant::job make_job() {
  auto i = next_id.fetch_add(1);
  covenant::job j;
  char id[32];
  std::snprintf(id, sizeof id, "kcs_qc_%016llx", static_cast<unsigned long long>(i));
  j.request_id = id;
  j.route_request_id = "micro-" + std::to_string(i);
  j.route = "qc_v1";
  j.idempotency_key = "idem-" + std::to_string(i);
  j.facade_request_id = "facade-" + std::to_string(i);
  j.request_digest = "0x" + std::string(64, 'a');
  j.state = covenant::job_state::pending;
  j.detail = std::string{covenant::accepted_detail};
  j.created_at = persistence::now_rfc3339nano();
  j.updated_at = j.created_at;
  // About the size of a real qc_v1 request (~4 KiB).
  j.request_json = R"({"route":"qc_v1","pad":")" + std::string(3800, 'f') + R"("})";
  return j;
}

struct store {
  persistence::posix_file_system fs;
  fs::path dir;
  persistence::store_layout layout;
  std::unique_ptr<persistence::job_writer> writer;

  explicit store(persistence::sync_mode mode) {
    std::error_code ec;
    auto exe = fs::read_symlink("/proc/self/exe", ec);
    dir = (ec ? fs::current_path() : exe.parent_path().parent_path()) / "bench-data" /
          ("store-create-" + std::to_string(getpid()) + "-" + std::to_string(next_id.load()));
    fs::create_directories(dir);
    struct statfs s {};
    if (statfs(dir.c_str(), &s) == 0 && s.f_type == 0x01021994) {
      std::cerr << "store_create_bench: " << dir << " is on tmpfs; run from a build dir on a real disk\n";
      std::exit(1);
    }
    layout = persistence::store_layout::for_data_dir(dir);
    if (auto e = persistence::ensure_store_dirs(fs, layout)) {
      std::cerr << "store_create_bench: " << e->message << '\n';
      std::exit(1);
    }
    writer = std::make_unique<persistence::job_writer>(fs, layout, mode);
  }
  ~store() {
    writer.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

std::unique_ptr<store> shared;

void BM_StoreCreate(benchmark::State& state, persistence::sync_mode mode) {
  if (state.thread_index() == 0)
    shared = std::make_unique<store>(mode);
  // Google Benchmark starts every thread's loop together, after setup.
  for (auto _ : state) {
    std::promise<bool> done;
    auto fut = done.get_future();
    persistence::write_op op;
    op.type = persistence::write_op::kind::create;
    op.job = make_job();
    shared->writer->submit(std::move(op), [&](persistence::write_outcome o) { done.set_value(o.ok); });
    if (!fut.get()) {
      state.SkipWithError("create failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  // The loop's end is a barrier for every thread: all creates are done.
  if (state.thread_index() == 0)
    shared.reset();
}
BENCHMARK_CAPTURE(BM_StoreCreate, group, persistence::sync_mode::group)
  ->Threads(1)->Threads(16)->UseRealTime()->MinTime(1.0);
BENCHMARK_CAPTURE(BM_StoreCreate, per_job, persistence::sync_mode::per_job)
  ->Threads(1)->Threads(16)->UseRealTime()->MinTime(1.0);

} // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
