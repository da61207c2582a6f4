// The durable writer: RENAME_NOREPLACE creates, failure latch, group commit
// vs per-job rounds, acknowledgement only after durability. Uses the
// SIMULATED power_cut_file_system to count fsyncs and inject faults.
#include "persistence/job_writer.hpp"
#include "persistence/power_cut_file_system.hpp"
#include "persistence/store_loader.hpp"
#include "test_support.hpp"

#include <condition_variable>
#include <future>
#include <gtest/gtest.h>
#include <mutex>

using namespace covsigner;
using namespace covsigner::persistence;
using namespace covsigner::persistence::testing;

namespace {

class WriterTest : public ::testing::Test {
protected:
  temp_dir dir;
  store_layout layout = store_layout::for_data_dir(dir.path() / "data");

  void SetUp() override {
    posix_file_system posix;
    ASSERT_FALSE(ensure_store_dirs(posix, layout));
  }

  static write_outcome submit_and_wait(job_writer& w, write_op op) {
    std::promise<write_outcome> p;
    w.submit(std::move(op), [&](write_outcome o) { p.set_value(std::move(o)); });
    return p.get_future().get();
  }
};

covenant::job job_n(int n) {
  char id[32];
  std::snprintf(id, sizeof id, "kcs_self_%016x", n);
  return sample_job(id, "ors_" + std::to_string(n));
}

} // namespace

TEST_F(WriterTest, CreateNeverReplacesAnExistingJobFile) {
  posix_file_system fs;
  job_writer w{fs, layout, sync_mode::group};
  auto first = job_n(1);
  ASSERT_TRUE(submit_and_wait(w, {write_op::kind::create, first, {}}).ok);
  auto second = first;
  second.route_request_id = "ors_other";
  auto out = submit_and_wait(w, {write_op::kind::create, second, {}});
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.error.code, EEXIST);
  EXPECT_FALSE(w.failed()); // a refused create is not an I/O failure
  EXPECT_EQ(read_raw(layout.job_file(first.request_id)), encode_job_file(first));
  EXPECT_EQ(std::get<route_marker>(decode_route_marker(read_raw(layout.marker_file(first.request_id)))).route_key(),
            "self_v1:ors_1");
  EXPECT_FALSE(std::filesystem::exists(temp_path_for(layout.job_file(first.request_id))));
}

TEST_F(WriterTest, RenameNoreplaceRefusesAtTheFileSystemLevel) {
  posix_file_system fs;
  write_raw(dir.path() / "a", "A");
  write_raw(dir.path() / "b", "B");
  auto err = fs.rename_noreplace(dir.path() / "a", dir.path() / "b");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, EEXIST);
  EXPECT_EQ(read_raw(dir.path() / "b"), "B");
  EXPECT_FALSE(fs.rename_noreplace(dir.path() / "a", dir.path() / "c"));
  EXPECT_EQ(read_raw(dir.path() / "c"), "A");
}

TEST_F(WriterTest, UpdateReplacesTheJobFile) {
  posix_file_system fs;
  job_writer w{fs, layout, sync_mode::per_job};
  auto j = job_n(2);
  ASSERT_TRUE(submit_and_wait(w, {write_op::kind::create, j, {}}).ok);
  covenant::apply_transition(j, {covenant::job_state::failed, "boom", "PROVIDER_FAILED", "", "", ""},
                             "2026-03-09T00:00:05Z");
  ASSERT_TRUE(submit_and_wait(w, {write_op::kind::update, j, {}}).ok);
  EXPECT_EQ(std::get<covenant::job>(decode_job_file(read_raw(layout.job_file(j.request_id)))), j);
}

TEST_F(WriterTest, UnsafeRequestIdIsRefusedWithoutLatching) {
  posix_file_system fs;
  job_writer w{fs, layout, sync_mode::group};
  auto j = job_n(3);
  j.request_id = "../escape";
  auto out = submit_and_wait(w, {write_op::kind::create, j, {}});
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.error.code, EINVAL);
  EXPECT_FALSE(w.failed());
}

TEST_F(WriterTest, FailedFsyncRejectsAndLatches) {
  // per-job: job file, jobs dir, marker file, routes dir fsyncs; group: the
  // three file-system syncs of a batched round.
  std::vector<std::pair<sync_mode, std::size_t>> cases;
  for (std::size_t nth : {1u, 2u, 3u, 4u})
    cases.emplace_back(sync_mode::per_job, nth);
  for (std::size_t nth : {1u, 2u, 3u})
    cases.emplace_back(sync_mode::group, nth);
  for (int code : {EIO, ENOSPC}) {
    for (auto [mode, nth] : cases) {
      temp_dir run_dir;
      auto l = store_layout::for_data_dir(run_dir.path());
      power_cut_file_system fs{run_dir.path()};
      ASSERT_FALSE(ensure_store_dirs(fs, l));
      job_writer w{fs, l, mode};
      fs.fail_nth_fsync(nth, code);
      auto out = submit_and_wait(w, {write_op::kind::create, job_n(4), {}});
      EXPECT_FALSE(out.ok) << nth;
      EXPECT_EQ(out.error.code, code) << nth;
      EXPECT_TRUE(w.failed());
      ASSERT_TRUE(w.failure());
      EXPECT_EQ(w.failure()->code, code);
      // Never retried and then acknowledged: later writes are refused
      // without touching the disk, even though the disk works again.
      auto writes_before = fs.stats().writes;
      auto later = submit_and_wait(w, {write_op::kind::create, job_n(5), {}});
      EXPECT_FALSE(later.ok);
      EXPECT_EQ(later.error.code, code);
      EXPECT_EQ(later.error.message.rfind("store writes disabled after an earlier failure: ", 0), 0u)
        << later.error.message;
      EXPECT_EQ(fs.stats().writes, writes_before);
      EXPECT_FALSE(std::filesystem::exists(l.job_file(job_n(5).request_id)));
    }
  }
}

TEST_F(WriterTest, FailedWriteRejectsTheWholeRoundAndLatches) {
  power_cut_file_system fs{dir.path()};
  std::vector<write_op> ops;
  for (int i = 0; i < 4; ++i)
    ops.push_back({write_op::kind::create, job_n(10 + i), {}});
  fs.fail_nth_write(3, ENOSPC);
  std::optional<io_error> latched;
  auto out = run_write_round(fs, layout, ops, latched);
  ASSERT_TRUE(latched);
  EXPECT_EQ(latched->code, ENOSPC);
  for (const auto& o : out) {
    EXPECT_FALSE(o.ok);
    EXPECT_EQ(o.error.code, ENOSPC);
  }
}

TEST_F(WriterTest, GroupCommitSharesOneRoundAcrossQueuedOps) {
  power_cut_file_system fs{dir.path()};
  // Hold the first round inside its first sync until the rest of the ops
  // are queued, so they must all go into the second round.
  std::mutex m;
  std::condition_variable cv;
  bool first_round_syncing = false, release = false;
  fs.set_fsync_dir_hook([&](const std::filesystem::path&) {
    std::unique_lock lock{m};
    if (!first_round_syncing) {
      first_round_syncing = true;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
    }
  });
  std::atomic<int> acked{0};
  std::vector<std::promise<void>> done(9);
  {
    job_writer w{fs, layout, sync_mode::group};
    w.submit({write_op::kind::create, job_n(100), {}}, [&](write_outcome o) {
      EXPECT_TRUE(o.ok) << o.error.message;
      ++acked;
      done[0].set_value();
    });
    {
      std::unique_lock lock{m};
      cv.wait(lock, [&] { return first_round_syncing; });
    }
    EXPECT_EQ(fs.stats().fs_syncs, 0u); // the hook runs before the count
    for (int i = 1; i < 9; ++i)
      w.submit({write_op::kind::create, job_n(100 + i), {}}, [&, i](write_outcome o) {
        EXPECT_TRUE(o.ok) << o.error.message;
        ++acked;
        done[i].set_value();
      });
    EXPECT_EQ(acked.load(), 0); // nothing acknowledged before its round is durable
    {
      std::lock_guard lock{m};
      release = true;
    }
    cv.notify_all();
    for (auto& d : done)
      d.get_future().wait();
    auto ws = w.stats();
    EXPECT_EQ(ws.rounds, 2u);
    EXPECT_EQ(ws.ops, 9u);
    EXPECT_EQ(ws.largest_round_ops, 8u); // the eight that queued during round one
    EXPECT_GT(ws.round_seconds, 0.0);
    EXPECT_LE(ws.longest_round_seconds, ws.round_seconds);
  }
  auto s = fs.stats();
  // Two rounds x (one file-system sync for the contents + an fsync of the
  // jobs dir for the job files' names + one of routes/ for the markers'),
  // whatever the number of creates; no per-file fsync at all.
  EXPECT_EQ(s.fs_syncs, 2u);
  EXPECT_EQ(s.dir_fsyncs, 4u);
  EXPECT_EQ(s.file_fsyncs, 0u);
  EXPECT_EQ(s.writes, 18u); // a job file and a marker per create
  EXPECT_EQ(acked.load(), 9);
}

TEST_F(WriterTest, PerJobModeRunsOneOpPerRound) {
  power_cut_file_system fs{dir.path()};
  {
    job_writer w{fs, layout, sync_mode::per_job};
    for (int i = 0; i < 9; ++i)
      w.submit({write_op::kind::create, job_n(200 + i), {}}, [](write_outcome o) { EXPECT_TRUE(o.ok); });
  } // the destructor drains
  EXPECT_EQ(fs.stats().dir_fsyncs, 18u);
}

TEST_F(WriterTest, DestructorDrainsEveryQueuedOp) {
  posix_file_system fs;
  std::atomic<int> ok{0};
  {
    job_writer w{fs, layout, sync_mode::group};
    for (int i = 0; i < 50; ++i)
      w.submit({write_op::kind::create, job_n(300 + i), {}}, [&](write_outcome o) { ok += o.ok ? 1 : 0; });
  }
  EXPECT_EQ(ok.load(), 50);
  auto loaded = load_store(fs, layout, "2026-04-01T00:00:00Z");
  EXPECT_EQ(std::get<loaded_store>(loaded).jobs.size(), 50u);
}

TEST_F(WriterTest, EveryAcknowledgedCreateSurvivesAnImmediatePowerCut) {
  // The callback runs between rounds; cutting power right there must keep
  // the acknowledged job and its marker.
  power_cut_file_system fs{dir.path()};
  std::vector<std::string> failures;
  {
    job_writer w{fs, layout, sync_mode::group};
    for (int i = 0; i < 20; ++i) {
      auto j = job_n(400 + i);
      w.submit({write_op::kind::create, j, {}}, [&, j](write_outcome o) {
        if (!o.ok) {
          failures.push_back("not ok: " + o.error.message);
          return;
        }
        fs.power_cut();
        auto bytes = read_raw(layout.job_file(j.request_id));
        if (bytes != encode_job_file(j))
          failures.push_back("job lost: " + j.request_id);
        if (!std::filesystem::exists(layout.marker_file(j.request_id)))
          failures.push_back("marker lost: " + j.request_id);
      });
    }
  }
  EXPECT_TRUE(failures.empty()) << failures.front();
}

// The group round's barrier: a background writeback of the round's
// unsynced files fails before the round syncs. Linux reports that error to
// syncfs only through a descriptor opened before it happened, so the
// round must hold one from before its first write; a descriptor opened at
// sync time reports success and the round would acknowledge lost contents.
TEST_F(WriterTest, AWritebackErrorBeforeTheGroupSyncRejectsTheRound) {
  for (std::size_t nth : {1u, 2u, 4u}) { // after a job file, a marker, the last file
    temp_dir run_dir;
    auto l = store_layout::for_data_dir(run_dir.path());
    power_cut_file_system fs{run_dir.path()};
    ASSERT_FALSE(ensure_store_dirs(fs, l));
    std::vector<write_op> ops;
    for (int i = 0; i < 2; ++i)
      ops.push_back({write_op::kind::create, job_n(20 + i), {}});
    fs.fail_writeback_after_write(nth, EIO);
    std::optional<io_error> latched;
    auto out = run_batched_round(fs, l, ops, latched);
    ASSERT_EQ(fs.writeback_errors(), 1u) << nth;
    ASSERT_TRUE(latched) << nth << ": the writeback error went unreported";
    EXPECT_EQ(latched->code, EIO);
    for (const auto& o : out) {
      EXPECT_FALSE(o.ok) << nth;
      EXPECT_EQ(o.error.code, EIO) << nth;
    }
  }
}

// The real barrier: opens before the writes, syncs them, refuses a missing
// path with the errno.
TEST_F(WriterTest, PosixBarrierSyncsAndRefusesAMissingPath) {
  posix_file_system fs;
  auto opened = fs.open_sync_barrier(layout.jobs_dir());
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<sync_barrier>>(opened));
  auto& barrier = std::get<std::unique_ptr<sync_barrier>>(opened);
  ASSERT_FALSE(fs.write_file_unsynced(layout.jobs_dir() / "f", "data"));
  EXPECT_FALSE(barrier->sync());
  EXPECT_FALSE(barrier->sync());
  auto missing = fs.open_sync_barrier(dir.path() / "missing");
  ASSERT_TRUE(std::holds_alternative<io_error>(missing));
  EXPECT_EQ(std::get<io_error>(missing).code, ENOENT);
}
