// The benchmark-only no-fsync mode (unsynced_file_system, --store.sync=none):
// the store does the same work (temporary files, RENAME_NOREPLACE creates,
// route markers, group and per-job rounds) and no sync reaches the wrapped
// file system; and "none" is refused without the explicit unsafe flag.
// Counts through the SIMULATED power_cut_file_system.
#include "persistence/job_writer.hpp"
#include "persistence/power_cut_file_system.hpp"
#include "persistence/store_loader.hpp"
#include "persistence/sync_option.hpp"
#include "persistence/unsynced_file_system.hpp"
#include "test_support.hpp"

#include <future>
#include <gtest/gtest.h>

using namespace covsigner;
using namespace covsigner::persistence;
using namespace covsigner::persistence::testing;

namespace {

class UnsyncedTest : public ::testing::TestWithParam<sync_mode> {
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

  // Creates jobs 0..n-1 concurrently (so group rounds carry several), then
  // a second create of job 0's request id; returns the outcomes.
  static std::vector<write_outcome> create_jobs(file_system& fs, const store_layout& layout,
                                                sync_mode mode, int n) {
    std::vector<std::promise<write_outcome>> done(static_cast<std::size_t>(n));
    std::vector<write_outcome> out;
    {
      job_writer w{fs, layout, mode};
      for (int i = 0; i < n; ++i)
        w.submit({write_op::kind::create, job_n(i), {}},
                 [&, i](write_outcome o) { done[static_cast<std::size_t>(i)].set_value(std::move(o)); });
      for (auto& d : done)
        out.push_back(d.get_future().get());
      auto again = job_n(0);
      again.route_request_id = "ors_other";
      out.push_back(submit_and_wait(w, {write_op::kind::create, again, {}}));
    }
    return out;
  }

  static covenant::job job_n(int n) {
    char id[32];
    std::snprintf(id, sizeof id, "kcs_self_%016x", n);
    return sample_job(id, "ors_" + std::to_string(n));
  }
};

} // namespace

TEST_P(UnsyncedTest, WritesAreRenamedIntoPlaceButNothingIsSynced) {
  constexpr int n = 8;
  auto inner = std::make_unique<power_cut_file_system>(dir.path());
  auto* counted = inner.get();
  unsynced_file_system fs{std::move(inner)};
  auto out = create_jobs(fs, layout, GetParam(), n);

  ASSERT_EQ(out.size(), static_cast<std::size_t>(n + 1));
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(out[static_cast<std::size_t>(i)].ok) << out[static_cast<std::size_t>(i)].error.message;
    auto j = job_n(i);
    EXPECT_EQ(read_raw(layout.job_file(j.request_id)), encode_job_file(j));
    EXPECT_EQ(std::get<route_marker>(decode_route_marker(read_raw(layout.marker_file(j.request_id))))
                .route_key(),
              "self_v1:ors_" + std::to_string(i));
    EXPECT_FALSE(std::filesystem::exists(temp_path_for(layout.job_file(j.request_id))));
    EXPECT_FALSE(std::filesystem::exists(temp_path_for(layout.marker_file(j.request_id))));
  }
  // RENAME_NOREPLACE still refuses a second create of the same request id.
  EXPECT_FALSE(out.back().ok);
  EXPECT_EQ(out.back().error.code, EEXIST);
  EXPECT_EQ(read_raw(layout.job_file(job_n(0).request_id)), encode_job_file(job_n(0)));

  auto c = counted->stats();
  // Each create writes a job file and a marker under temporary names and
  // renames both into place (the refused create adds its own attempt).
  EXPECT_GE(c.writes, static_cast<std::size_t>(2 * n + 1));
  EXPECT_EQ(c.renames, static_cast<std::size_t>(2 * n + 1));
  EXPECT_EQ(c.file_fsyncs, 0u);
  EXPECT_EQ(c.dir_fsyncs, 0u);
  EXPECT_EQ(c.fs_syncs, 0u);
  // So none of it is durable: a power cut leaves the store as it started.
  counted->power_cut();
  EXPECT_FALSE(std::filesystem::exists(layout.job_file(job_n(0).request_id)));
}

TEST_P(UnsyncedTest, TheSameRunWithFsyncSyncsAndIsDurable) {
  // The control: the same writes straight through the counting file system
  // sync (so the zeros above are the decorator's doing) and survive a cut.
  constexpr int n = 8;
  power_cut_file_system counted{dir.path()};
  auto out = create_jobs(counted, layout, GetParam(), n);
  for (int i = 0; i < n; ++i)
    ASSERT_TRUE(out[static_cast<std::size_t>(i)].ok);
  auto c = counted.stats();
  EXPECT_EQ(c.renames, static_cast<std::size_t>(2 * n + 1));
  EXPECT_GT(c.dir_fsyncs + c.fs_syncs + c.file_fsyncs, 0u);
  counted.power_cut();
  EXPECT_EQ(read_raw(layout.job_file(job_n(0).request_id)), encode_job_file(job_n(0)));
}

INSTANTIATE_TEST_SUITE_P(Rounds, UnsyncedTest, ::testing::Values(sync_mode::group, sync_mode::per_job),
                         [](const auto& info) {
                           return std::string(info.param == sync_mode::group ? "Group" : "PerJob");
                         });

TEST(StoreSyncOption, ParsesTheSafeModes) {
  EXPECT_EQ(std::get<store_sync>(parse_store_sync("group", false)), (store_sync{sync_mode::group, true}));
  EXPECT_EQ(std::get<store_sync>(parse_store_sync("per-job", false)),
            (store_sync{sync_mode::per_job, true}));
  EXPECT_EQ(to_string(store_sync{sync_mode::group, true}), "group");
  EXPECT_EQ(to_string(store_sync{sync_mode::per_job, true}), "per-job");
}

TEST(StoreSyncOption, NoneIsRefusedWithoutTheUnsafeFlag) {
  auto r = parse_store_sync("none", false);
  ASSERT_TRUE(std::holds_alternative<std::string>(r));
  EXPECT_EQ(std::get<std::string>(r),
            "--store.sync=none disables every fsync: acknowledged jobs are lost on a power cut; "
            "it is for benchmarks only and needs --store.unsafe-no-fsync-for-benchmarks");
}

TEST(StoreSyncOption, NoneWithTheUnsafeFlagIsGroupRoundsWithoutFsync) {
  auto r = parse_store_sync("none", true);
  ASSERT_TRUE(std::holds_alternative<store_sync>(r));
  EXPECT_EQ(std::get<store_sync>(r), (store_sync{sync_mode::group, false}));
  EXPECT_EQ(to_string(std::get<store_sync>(r)), "none");
}

TEST(StoreSyncOption, TheUnsafeFlagAloneIsRefused) {
  EXPECT_EQ(std::get<std::string>(parse_store_sync("group", true)),
            "--store.unsafe-no-fsync-for-benchmarks is only valid with --store.sync=none (got group)");
  EXPECT_EQ(std::get<std::string>(parse_store_sync("per-job", true)),
            "--store.unsafe-no-fsync-for-benchmarks is only valid with --store.sync=none (got per-job)");
}

TEST(StoreSyncOption, UnknownModesAreRefused) {
  for (auto flag : {false, true})
    EXPECT_EQ(std::get<std::string>(parse_store_sync("off", flag)),
              "invalid --store.sync [off]: expected group, per-job or none");
}
