// The exclusive store lock and startup sequence. Ported from the reference's
// store_lock_test.go (§8): AcquiresFileLock, LockContention_ReturnsError,
// Close_ReleasesLock, Close_Idempotent, SequentialOpenCloseOpen — as-is,
// except that contention asserts the exact message (§4.3) rather than the
// word "lock". Not ported: InMemoryHandle_SkipsLock (we have no in-memory
// mode). From server_test.go: InitializeReleasesStoreLockAfterLaterStartupFailure
// (as ReleasesLockAfterLaterStartupFailure). From store_disk_test.go:
// ReloadPreservesJobsOnDisk and MigratesLegacyNestedJobs, as-is.
#include "persistence/job_writer.hpp"
#include "persistence/store_loader.hpp"
#include "persistence/store_lock.hpp"
#include "test_support.hpp"

#include <future>
#include <gtest/gtest.h>

using namespace covsigner;
using namespace covsigner::persistence;
using namespace covsigner::persistence::testing;

TEST(StoreLock, AcquiresFileLock) {
  temp_dir dir;
  auto lock = store_lock::open(dir.path());
  ASSERT_TRUE(std::holds_alternative<store_lock>(lock));
  EXPECT_TRUE(std::get<store_lock>(lock).held());
  EXPECT_TRUE(std::filesystem::is_regular_file(dir.path() / "covenant-signer-jobs" / ".lock"));
  auto perms = std::filesystem::status(dir.path() / "covenant-signer-jobs").permissions();
  EXPECT_EQ(perms, std::filesystem::perms::owner_all);
}

TEST(StoreLock, LockContentionReturnsExactError) {
  temp_dir dir;
  auto first = store_lock::open(dir.path());
  ASSERT_TRUE(std::holds_alternative<store_lock>(first));
  auto second = store_lock::open(dir.path());
  ASSERT_TRUE(std::holds_alternative<io_error>(second));
  auto path = (dir.path() / "covenant-signer-jobs" / ".lock").string();
  EXPECT_EQ(std::get<io_error>(second).code, EWOULDBLOCK);
  EXPECT_EQ(std::get<io_error>(second).message,
            "cannot acquire exclusive lock on [" + path +
              "]: another process may already own the store: Resource temporarily unavailable");
}

TEST(StoreLock, CloseReleasesLockAndIsIdempotent) {
  temp_dir dir;
  auto first = store_lock::open(dir.path());
  ASSERT_TRUE(std::holds_alternative<store_lock>(first));
  std::get<store_lock>(first).release();
  EXPECT_FALSE(std::get<store_lock>(first).held());
  std::get<store_lock>(first).release(); // idempotent
  auto second = store_lock::open(dir.path());
  EXPECT_TRUE(std::holds_alternative<store_lock>(second));
}

TEST(StoreLock, SequentialOpenCloseOpen) {
  temp_dir dir;
  for (int i = 0; i < 3; ++i) {
    auto lock = store_lock::open(dir.path());
    ASSERT_TRUE(std::holds_alternative<store_lock>(lock)) << i;
  } // destructor releases
}

TEST(StoreLock, OpenStoreHoldsTheLockUntilDestroyed) {
  temp_dir dir;
  posix_file_system fs;
  auto layout = store_layout::for_data_dir(dir.path());
  {
    auto opened = open_store(fs, layout, "2026-04-01T00:00:00Z");
    ASSERT_TRUE(std::holds_alternative<opened_store>(opened));
    auto again = open_store(fs, layout, "2026-04-01T00:00:00Z");
    ASSERT_TRUE(std::holds_alternative<io_error>(again));
    EXPECT_NE(std::get<io_error>(again).message.find("cannot acquire exclusive lock on ["), std::string::npos);
  }
  EXPECT_TRUE(std::holds_alternative<opened_store>(open_store(fs, layout, "2026-04-01T00:00:00Z")));
}

TEST(StoreLock, ReleasesLockAfterLaterStartupFailure) {
  temp_dir dir;
  auto layout = store_layout::for_data_dir(dir.path());
  faulty_file_system fs;
  fs.list_faults["quarantine"] = EIO; // the load fails after the lock is taken
  auto failed = open_store(fs, layout, "2026-04-01T00:00:00Z");
  ASSERT_TRUE(std::holds_alternative<io_error>(failed));
  EXPECT_EQ(std::get<io_error>(failed).code, EIO);
  // A retry on the same data dir succeeds: the lock was released.
  posix_file_system posix;
  EXPECT_TRUE(std::holds_alternative<opened_store>(open_store(posix, layout, "2026-04-01T00:00:00Z")));
}

TEST(StoreDisk, ReloadPreservesJobsOnDisk) {
  temp_dir dir;
  posix_file_system fs;
  auto layout = store_layout::for_data_dir(dir.path());
  auto j = sample_job("kcs_qc_00000000000000aa", "ors_disk", "2026-03-09T00:00:00Z", "qc_v1");
  {
    auto opened = open_store(fs, layout, "2026-04-01T00:00:00Z");
    ASSERT_TRUE(std::holds_alternative<opened_store>(opened));
    job_writer writer{fs, layout, sync_mode::group};
    std::promise<write_outcome> created, updated;
    writer.submit({write_op::kind::create, j, {}}, [&](write_outcome o) { created.set_value(o); });
    ASSERT_TRUE(created.get_future().get().ok);
    covenant::apply_transition(j, {covenant::job_state::pending, std::string{covenant::accepted_detail}, "", "", "", ""},
                               "2026-03-09T00:00:01Z");
    writer.submit({write_op::kind::update, j, {}}, [&](write_outcome o) { updated.set_value(o); });
    ASSERT_TRUE(updated.get_future().get().ok);
  }
  auto reopened = open_store(fs, layout, "2026-04-01T00:00:00Z");
  ASSERT_TRUE(std::holds_alternative<opened_store>(reopened));
  const auto& loaded = std::get<opened_store>(reopened).loaded;
  ASSERT_EQ(loaded.jobs.size(), 1u);
  EXPECT_EQ(loaded.jobs[0], j);
  EXPECT_EQ(loaded.jobs[0].route_key(), "qc_v1:ors_disk");
}

TEST(StoreDisk, MigratesLegacyNestedJobs) {
  temp_dir dir;
  posix_file_system fs;
  auto layout = store_layout::for_data_dir(dir.path());
  auto legacy = sample_job("kcs_self_00000000000000bb", "ors_legacy");
  auto clash = sample_job("kcs_self_00000000000000cc", "ors_clash");
  write_raw(layout.legacy_jobs_dir() / (legacy.request_id + ".json"), encode_job_file(legacy));
  write_raw(layout.legacy_jobs_dir() / (clash.request_id + ".json"), "legacy copy");
  write_raw(layout.legacy_jobs_dir() / ".lock", "");
  put_job_file(layout, clash);
  auto opened = open_store(fs, layout, "2026-04-01T00:00:00Z");
  ASSERT_TRUE(std::holds_alternative<opened_store>(opened));
  const auto& o = std::get<opened_store>(opened);
  EXPECT_EQ(o.migration.moved, std::vector<std::string>{legacy.request_id + ".json"});
  EXPECT_EQ(o.migration.skipped, std::vector<std::string>{clash.request_id + ".json"});
  ASSERT_EQ(o.loaded.jobs.size(), 2u);
  EXPECT_EQ(o.loaded.jobs[0], legacy);
  EXPECT_FALSE(std::filesystem::exists(layout.legacy_jobs_dir() / (legacy.request_id + ".json")));
  // The same-named file in the flat dir wins; the legacy copy is left alone.
  EXPECT_EQ(read_raw(layout.legacy_jobs_dir() / (clash.request_id + ".json")), "legacy copy");
  EXPECT_TRUE(std::filesystem::exists(layout.marker_file(legacy.request_id)));
}
