// Store load and write tests: the reference's store tests (§8) ported to our
// contract (DESIGN "Persistence contract"), plus the tests §10/§11 say are
// missing upstream (both-timestamps-invalid tiebreak, poisoning).
//
// Ported from store_test.go as-is (same scenario, same expectation):
//   TestStoreReloadPreservesJobs                         -> ReloadPreservesJobs
//   TestStorePutReturnsErrorWhenSaveFails                -> PutReturnsErrorWhenSaveFails
//   TestStoreLoadSelectsNewestJobForDuplicateRouteKeys   -> LoadSelectsNewestJobForDuplicateRouteKeys
//   TestStoreLoadResolvesInvalidUpdatedAtForDuplicateRouteKeys
//                                                        -> LoadResolvesInvalidUpdatedAtForDuplicateRouteKeys
//   TestStoreLoadSkipsInvalidTimestampOnDuplicateRouteKey (and the seed's
//   TestStoreLoadFailsOnInvalidUpdatedAtForDuplicateRouteKeys, which also
//   asserts success)                                     -> LoadSkipsInvalidTimestampOnDuplicateRouteKey
// Adapted (upstream aborts the load or skips silently; our contract is
// quarantine + poison + load succeeds):
//   TestStoreLoadRejectsUnreadablePersistedJobFile / seed TestStoreLoadSkipsUnreadableFile
//                                                        -> LoadQuarantinesUnreadableJobFile
//   TestStoreLoadRejectsMalformedPersistedJobFile / seed TestStoreLoadSkipsMalformedJSON
//                                                        -> LoadQuarantinesMalformedJobFile
// Not ported: TestStorePutKeepsNewRouteMappingWhenOldDeleteFails — the
// in-memory route index lives in the job_store actor (lead), and our writer
// never replaces one job by another.
#include "persistence/audit_log.hpp"
#include "persistence/job_writer.hpp"
#include "persistence/power_cut_file_system.hpp"
#include "persistence/prune.hpp"
#include "persistence/quarantine.hpp"
#include "persistence/store_loader.hpp"
#include "persistence/timestamp.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

using namespace covsigner;
using namespace covsigner::persistence;
using namespace covsigner::persistence::testing;

namespace {

constexpr std::string_view load_now = "2026-04-01T00:00:00Z";

class StoreTest : public ::testing::Test {
protected:
  temp_dir dir;
  store_layout layout = store_layout::for_data_dir(dir.path() / "data");
  posix_file_system posix;

  void SetUp() override { ASSERT_FALSE(ensure_store_dirs(posix, layout)); }

  loaded_store load(file_system& fs) {
    auto result = load_store(fs, layout, load_now);
    if (auto* err = std::get_if<io_error>(&result))
      ADD_FAILURE() << "load failed: " << err->message;
    return std::move(std::get<loaded_store>(result));
  }
  loaded_store load() { return load(posix); }

  void create(file_system& fs, const covenant::job& j) {
    std::optional<io_error> latched;
    auto out = run_write_round(fs, layout, {write_op{write_op::kind::create, j, {}}}, latched);
    ASSERT_TRUE(out[0].ok) << out[0].error.message;
  }
  void create(const covenant::job& j) { create(posix, j); }

  std::vector<std::string> quarantine_names() {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(layout.quarantine_dir()))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

std::vector<std::string> ids(const loaded_store& s) {
  std::vector<std::string> out;
  for (const auto& j : s.jobs)
    out.push_back(j.request_id);
  return out;
}

} // namespace

TEST_F(StoreTest, ReloadPreservesJobs) {
  auto j = sample_job("kcs_self_0000000000000001", "ors_1");
  create(j);
  auto loaded = load();
  ASSERT_EQ(loaded.jobs.size(), 1u);
  EXPECT_EQ(loaded.jobs[0], j);
  EXPECT_EQ(loaded.jobs[0].request_json, j.request_json);
  EXPECT_TRUE(loaded.poisoned.empty());
  EXPECT_FALSE(loaded.unattributable_corruption);
  EXPECT_EQ(loaded.summary_line, "store loaded: 1 jobs, 0 quarantined, 0 route keys poisoned");
  // The marker binds the request id to its route key, digest and file.
  auto marker = decode_route_marker(read_raw(layout.marker_file(j.request_id)));
  ASSERT_TRUE(std::holds_alternative<route_marker>(marker));
  EXPECT_EQ(std::get<route_marker>(marker).route_key(), "self_v1:ors_1");
  EXPECT_EQ(std::get<route_marker>(marker).job_file_sha256, sha256_hex(read_raw(layout.job_file(j.request_id))));
}

TEST_F(StoreTest, PutReturnsErrorWhenSaveFails) {
  power_cut_file_system fs{dir.path()};
  fs.fail_nth_write(1, ENOSPC);
  std::optional<io_error> latched;
  auto j = sample_job("kcs_self_0000000000000001", "ors_1");
  auto out = run_write_round(fs, layout, {write_op{write_op::kind::create, j, {}}}, latched);
  EXPECT_FALSE(out[0].ok);
  EXPECT_EQ(out[0].error.code, ENOSPC);
  ASSERT_TRUE(latched);
  // Nothing was created: no job, no marker, no poison on reload.
  EXPECT_FALSE(std::filesystem::exists(layout.job_file(j.request_id)));
  EXPECT_FALSE(std::filesystem::exists(layout.marker_file(j.request_id)));
  auto loaded = load();
  EXPECT_TRUE(loaded.jobs.empty());
  EXPECT_TRUE(loaded.poisoned.empty());
}

TEST_F(StoreTest, LoadSelectsNewestJobForDuplicateRouteKeys) {
  auto older = sample_job("kcs_self_0000000000000001", "ors_dup", "2026-03-09T00:00:00Z");
  auto newer = sample_job("kcs_self_0000000000000002", "ors_dup", "2026-03-09T00:00:01Z");
  put_job_file(layout, older);
  put_job_file(layout, newer);
  auto loaded = load();
  EXPECT_EQ(ids(loaded), std::vector<std::string>{newer.request_id});
  EXPECT_TRUE(loaded.poisoned.empty()); // the winner is not poisoned
  EXPECT_EQ(loaded.summary.duplicates, 1u);
  EXPECT_EQ(loaded.summary_line, "store loaded: 1 jobs, 1 quarantined (duplicate: 1), 0 route keys poisoned; "
                                 "1 duplicate jobs quarantined");
  // The loser is kept as evidence, never deleted.
  EXPECT_EQ(read_raw(layout.quarantine_dir() / (older.request_id + ".json")), encode_job_file(older));
  EXPECT_FALSE(std::filesystem::exists(layout.job_file(older.request_id)));
  // And it stays resolved: the next load sees one job and no new duplicate.
  auto again = load();
  EXPECT_EQ(ids(again), std::vector<std::string>{newer.request_id});
  EXPECT_EQ(again.summary.duplicates, 0u);
  EXPECT_TRUE(again.poisoned.empty());
}

TEST_F(StoreTest, LoadResolvesInvalidUpdatedAtForDuplicateRouteKeys) {
  // The invalid one has the smaller id: the valid timestamp still wins.
  auto bad = sample_job("kcs_self_0000000000000001", "ors_dup", "yesterday");
  auto good = sample_job("kcs_self_0000000000000002", "ors_dup", "2026-03-09T00:00:00Z");
  put_job_file(layout, bad);
  put_job_file(layout, good);
  auto loaded = load();
  EXPECT_EQ(ids(loaded), std::vector<std::string>{good.request_id});
  EXPECT_TRUE(loaded.poisoned.empty());
  EXPECT_TRUE(std::filesystem::exists(layout.quarantine_dir() / (bad.request_id + ".json")));
}

TEST_F(StoreTest, LoadSkipsInvalidTimestampOnDuplicateRouteKey) {
  auto good = sample_job("kcs_self_0000000000000001", "ors_dup", "2026-03-09T00:00:00Z");
  auto bad = sample_job("kcs_self_0000000000000002", "ors_dup", "2026-03-09T25:00:00Z");
  put_job_file(layout, good);
  put_job_file(layout, bad);
  auto loaded = load();
  EXPECT_EQ(ids(loaded), std::vector<std::string>{good.request_id});
}

TEST_F(StoreTest, BothTimestampsInvalidKeepsSmallerRequestId) {
  auto a = sample_job("kcs_self_000000000000000a", "ors_dup", "bad-1");
  auto b = sample_job("kcs_self_000000000000000b", "ors_dup", "bad-2");
  put_job_file(layout, b);
  put_job_file(layout, a);
  auto loaded = load();
  EXPECT_EQ(ids(loaded), std::vector<std::string>{a.request_id});
  EXPECT_EQ(loaded.summary.duplicates, 1u);
}

TEST_F(StoreTest, DuplicateResolutionIsTheSameForEveryDirectoryOrder) {
  // Four jobs on one key: a valid older, b and d valid newest at the same
  // instant (offset notation differs), c invalid. Winner: b (smaller id than d).
  std::vector<covenant::job> jobs = {
    sample_job("kcs_self_000000000000000a", "ors_dup", "2026-03-09T00:00:00Z"),
    sample_job("kcs_self_000000000000000b", "ors_dup", "2026-03-09T01:00:00Z"),
    sample_job("kcs_self_000000000000000c", "ors_dup", "garbage"),
    sample_job("kcs_self_000000000000000d", "ors_dup", "2026-03-09T02:00:00+01:00"),
  };
  std::vector<std::size_t> order = {0, 1, 2, 3};
  int runs = 0;
  do {
    temp_dir run_dir;
    auto run_layout = store_layout::for_data_dir(run_dir.path());
    ASSERT_FALSE(ensure_store_dirs(posix, run_layout));
    for (const auto& j : jobs)
      put_job_file(run_layout, j);
    faulty_file_system fs;
    // List the four job files in this permutation's order (others after).
    fs.reorder = [&](std::vector<dir_entry>& entries) {
      std::vector<dir_entry> front, rest;
      for (auto i : order)
        for (const auto& e : entries)
          if (e.name == jobs[i].request_id + ".json")
            front.push_back(e);
      for (const auto& e : entries)
        if (!e.name.ends_with(".json"))
          rest.push_back(e);
      front.insert(front.end(), rest.begin(), rest.end());
      entries = front;
    };
    auto result = load_store(fs, run_layout, load_now);
    ASSERT_TRUE(std::holds_alternative<loaded_store>(result));
    const auto& loaded = std::get<loaded_store>(result);
    EXPECT_EQ(ids(loaded), std::vector<std::string>{"kcs_self_000000000000000b"});
    EXPECT_EQ(loaded.summary.duplicates, 3u);
    EXPECT_TRUE(loaded.poisoned.empty());
    for (auto id : {"a", "c", "d"})
      EXPECT_TRUE(std::filesystem::exists(run_layout.quarantine_dir() / ("kcs_self_00000000000000" + std::string("0") + id + ".json")));
    ++runs;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(runs, 24);
}

TEST_F(StoreTest, LoadQuarantinesUnreadableJobFile) {
  auto sibling = sample_job("kcs_self_0000000000000001", "ors_ok");
  create(sibling);
  auto victim = sample_job("kcs_self_0000000000000002", "ors_victim");
  create(victim);
  write_raw(layout.jobs_dir() / "corrupted_file.json", "{}");
  faulty_file_system fs;
  fs.read_faults[victim.request_id + ".json"] = EIO;
  fs.read_faults["corrupted_file.json"] = EIO;
  auto loaded = load(fs);
  EXPECT_EQ(ids(loaded), std::vector<std::string>{sibling.request_id});
  // With a marker the key is known and poisoned; without one it is not.
  EXPECT_EQ(loaded.poisoned, (std::map<std::string, std::string>{{"self_v1:ors_victim", "unreadable"}}));
  EXPECT_TRUE(loaded.unattributable_corruption);
  EXPECT_EQ(loaded.summary.quarantined_by_reason.at("unreadable"), 2u);
  EXPECT_EQ(quarantine_names(),
            (std::vector<std::string>{"corrupted_file.json", "corrupted_file.json.reason",
                                      victim.request_id + ".json", victim.request_id + ".json.marker",
                                      victim.request_id + ".json.reason"}));
}

TEST_F(StoreTest, LoadQuarantinesMalformedJobFile) {
  auto sibling = sample_job("kcs_self_0000000000000001", "ors_ok");
  create(sibling);
  write_raw(layout.jobs_dir() / "malformed.json", "{not json");
  auto loaded = load();
  EXPECT_EQ(ids(loaded), std::vector<std::string>{sibling.request_id});
  EXPECT_TRUE(loaded.poisoned.empty());
  EXPECT_TRUE(loaded.unattributable_corruption);
  EXPECT_EQ(read_raw(layout.quarantine_dir() / "malformed.json"), "{not json");
  EXPECT_EQ(loaded.summary_line, "store loaded: 1 jobs, 1 quarantined (malformed: 1), 0 route keys poisoned; "
                                 "unattributable corruption: new submits refused");
}

TEST_F(StoreTest, EveryCorruptionKindWithMarkerQuarantinesAndPoisons) {
  auto j = sample_job("kcs_self_0000000000000007", "ors_7");
  auto bytes = encode_job_file(j);
  auto other = j;
  other.request_id = "kcs_self_0000000000000008";
  auto moved_key = j;
  moved_key.route_request_id = "ors_elsewhere";
  struct tcase {
    std::string reason;
    std::function<void(const store_layout&)> damage;
    std::vector<std::string> poisoned;
  };
  std::vector<tcase> cases = {
    {"empty", [&](const store_layout& l) { write_raw(l.job_file(j.request_id), ""); }, {"self_v1:ors_7"}},
    {"truncated", [&](const store_layout& l) { write_raw(l.job_file(j.request_id), bytes.substr(0, 40)); },
     {"self_v1:ors_7"}},
    {"malformed", [&](const store_layout& l) { write_raw(l.job_file(j.request_id), "@@garbage"); },
     {"self_v1:ors_7"}},
    {"wrong_type", [&](const store_layout& l) { write_raw(l.job_file(j.request_id), "[1,2,3]"); },
     {"self_v1:ors_7"}},
    {"unreadable",
     [&](const store_layout& l) {
       std::filesystem::remove(l.job_file(j.request_id));
       std::filesystem::create_directory(l.job_file(j.request_id));
     },
     {"self_v1:ors_7"}},
    {"name_mismatch", [&](const store_layout& l) { write_raw(l.job_file(j.request_id), encode_job_file(other)); },
     {"self_v1:ors_7"}},
    {"marker_mismatch",
     [&](const store_layout& l) { write_raw(l.job_file(j.request_id), encode_job_file(moved_key)); },
     {"self_v1:ors_7", "self_v1:ors_elsewhere"}},
  };
  for (const auto& c : cases) {
    temp_dir run_dir;
    auto l = store_layout::for_data_dir(run_dir.path());
    ASSERT_FALSE(ensure_store_dirs(posix, l));
    std::optional<io_error> latched;
    ASSERT_TRUE(run_write_round(posix, l, {write_op{write_op::kind::create, j, {}}}, latched)[0].ok);
    c.damage(l);
    auto result = load_store(posix, l, load_now);
    ASSERT_TRUE(std::holds_alternative<loaded_store>(result)) << c.reason;
    const auto& loaded = std::get<loaded_store>(result);
    EXPECT_TRUE(loaded.jobs.empty()) << c.reason;
    EXPECT_FALSE(loaded.unattributable_corruption) << c.reason;
    std::vector<std::string> keys;
    for (const auto& [k, why] : loaded.poisoned) {
      keys.push_back(k);
      EXPECT_EQ(why, c.reason);
    }
    EXPECT_EQ(keys, c.poisoned) << c.reason;
    EXPECT_EQ(loaded.summary.quarantined_by_reason, (std::map<std::string, std::size_t>{{c.reason, 1}}));
    // The file and its marker moved, together, and stay poisoned next time.
    EXPECT_TRUE(std::filesystem::exists(l.quarantine_dir() / (j.request_id + ".json"))) << c.reason;
    EXPECT_TRUE(std::filesystem::exists(l.quarantine_dir() / (j.request_id + ".json.marker"))) << c.reason;
    EXPECT_FALSE(std::filesystem::exists(l.marker_file(j.request_id))) << c.reason;
    auto again = load_store(posix, l, load_now);
    ASSERT_TRUE(std::holds_alternative<loaded_store>(again));
    EXPECT_EQ(std::get<loaded_store>(again).poisoned, loaded.poisoned) << c.reason;
    EXPECT_EQ(std::get<loaded_store>(again).summary.quarantined_now, 0u);
  }
}

TEST_F(StoreTest, CorruptJobWithoutMarkerPoisonsKeyFromReadablePrefix) {
  auto j = sample_job("kcs_self_0000000000000009", "ors_9");
  auto bytes = encode_job_file(j);
  write_raw(layout.job_file(j.request_id), bytes.substr(0, bytes.size() / 2)); // as a Go crash leaves it
  auto loaded = load();
  EXPECT_TRUE(loaded.jobs.empty());
  EXPECT_EQ(loaded.poisoned, (std::map<std::string, std::string>{{"self_v1:ors_9", "truncated"}}));
  EXPECT_FALSE(loaded.unattributable_corruption);
  auto reason = read_raw(layout.quarantine_dir() / (j.request_id + ".json.reason"));
  EXPECT_NE(reason.find(R"("reason":"truncated")"), std::string::npos) << reason;
  EXPECT_NE(reason.find(R"("routeKeys":["self_v1:ors_9"])"), std::string::npos) << reason;
  EXPECT_NE(reason.find(R"("quarantinedAt":"2026-04-01T00:00:00Z")"), std::string::npos) << reason;
}

TEST_F(StoreTest, MarkerWithoutJobFilePoisonsItsKey) {
  auto j = sample_job("kcs_self_000000000000000e", "ors_lost");
  create(j);
  std::filesystem::remove(layout.job_file(j.request_id));
  auto loaded = load();
  EXPECT_TRUE(loaded.jobs.empty());
  EXPECT_EQ(loaded.poisoned, (std::map<std::string, std::string>{{"self_v1:ors_lost", "missing_job_file"}}));
  EXPECT_EQ(loaded.summary_line,
            "store loaded: 0 jobs, 1 quarantined (missing_job_file: 1), 1 route keys poisoned");
  EXPECT_EQ(load().poisoned, loaded.poisoned); // persists
}

TEST_F(StoreTest, JobWithoutMarkerGetsMarkerBackfilled) {
  auto j = sample_job("kcs_self_000000000000000f", "ors_f");
  put_job_file(layout, j);
  auto loaded = load();
  EXPECT_EQ(ids(loaded), std::vector<std::string>{j.request_id});
  EXPECT_EQ(loaded.summary.markers_backfilled, 1u);
  auto marker = decode_route_marker(read_raw(layout.marker_file(j.request_id)));
  ASSERT_TRUE(std::holds_alternative<route_marker>(marker));
  EXPECT_EQ(std::get<route_marker>(marker),
            (route_marker{j.request_id, "self_v1", "ors_f", j.request_digest, sha256_hex(encode_job_file(j))}));
  EXPECT_EQ(load().summary.markers_backfilled, 0u);
}

TEST_F(StoreTest, DamagedMarkerBesideValidJobIsReplacedWithoutPoison) {
  auto j = sample_job("kcs_self_0000000000000010", "ors_10");
  create(j);
  write_raw(layout.marker_file(j.request_id), "{\"requestId\":");
  auto loaded = load();
  EXPECT_EQ(ids(loaded), std::vector<std::string>{j.request_id});
  EXPECT_TRUE(loaded.poisoned.empty());
  EXPECT_FALSE(loaded.unattributable_corruption);
  EXPECT_EQ(loaded.summary.quarantined_by_reason.at("damaged_marker"), 1u);
  EXPECT_TRUE(std::holds_alternative<route_marker>(decode_route_marker(read_raw(layout.marker_file(j.request_id)))));
}

TEST_F(StoreTest, DamagedMarkerWithoutJobPoisonsRecoveredKey) {
  auto marker = encode_route_marker({"kcs_qc_0000000000000011", "qc_v1", "r11", "0x00", sha256_hex("")});
  write_raw(layout.marker_file("kcs_qc_0000000000000011"), marker.substr(0, marker.size() - 12));
  auto loaded = load();
  EXPECT_EQ(loaded.poisoned, (std::map<std::string, std::string>{{"qc_v1:r11", "damaged_marker"}}));
}

TEST_F(StoreTest, SigningJobLoadsAsInterruptedAndIsRewrittenDurably) {
  auto j = sample_job("kcs_self_0000000000000012", "ors_12");
  j.state = covenant::job_state::signing;
  create(j);
  auto loaded = load();
  ASSERT_EQ(loaded.jobs.size(), 1u);
  const auto& got = loaded.jobs[0];
  EXPECT_EQ(got.state, covenant::job_state::failed);
  EXPECT_EQ(got.reason, "PROVIDER_FAILED");
  EXPECT_EQ(got.detail, "interrupted; may have been signed");
  EXPECT_EQ(got.updated_at, load_now);
  EXPECT_EQ(got.failed_at, load_now);
  EXPECT_EQ(loaded.summary.interrupted_signing, 1u);
  auto on_disk = decode_job_file(read_raw(layout.job_file(j.request_id)));
  ASSERT_TRUE(std::holds_alternative<covenant::job>(on_disk));
  EXPECT_EQ(std::get<covenant::job>(on_disk), got);
  // Not interrupted twice, and other states are untouched.
  EXPECT_EQ(load().summary.interrupted_signing, 0u);
}

TEST_F(StoreTest, SubmittedAndPendingJobsLoadUnchanged) {
  auto a = sample_job("kcs_self_0000000000000013", "ors_13");
  auto b = sample_job("kcs_self_0000000000000014", "ors_14");
  b.state = covenant::job_state::pending;
  b.detail = std::string{covenant::accepted_detail};
  create(a);
  create(b);
  auto loaded = load();
  ASSERT_EQ(loaded.jobs.size(), 2u);
  EXPECT_EQ(loaded.jobs[0], a);
  EXPECT_EQ(loaded.jobs[1], b);
}

TEST_F(StoreTest, TemporaryLeftoversAreRemoved) {
  write_raw(layout.jobs_dir() / ".tmp-kcs_self_1.json.tmp", "half");
  write_raw(layout.routes_dir() / ".tmp-kcs_self_1.route.tmp", "half");
  auto loaded = load();
  EXPECT_EQ(loaded.summary.temp_files_removed, 2u);
  EXPECT_FALSE(std::filesystem::exists(layout.jobs_dir() / ".tmp-kcs_self_1.json.tmp"));
  EXPECT_TRUE(loaded.jobs.empty());
  EXPECT_TRUE(loaded.poisoned.empty());
  EXPECT_FALSE(loaded.unattributable_corruption);
}

TEST_F(StoreTest, PruneLeavesTombstonesSoKeysNeverReopen) {
  auto old_done = sample_job("kcs_self_0000000000000020", "ors_20", "2026-01-01T00:00:00Z");
  old_done.state = covenant::job_state::artifact_ready;
  auto old_pending = sample_job("kcs_self_0000000000000021", "ors_21", "2026-01-01T00:00:00Z");
  auto new_done = sample_job("kcs_self_0000000000000022", "ors_22", "2026-03-31T00:00:00Z");
  new_done.state = covenant::job_state::failed;
  for (const auto& j : {old_done, old_pending, new_done})
    create(j);
  auto now = *parse_rfc3339nano("2026-04-01T00:00:00Z");
  auto ops = plan_prune(load().jobs, now, std::chrono::hours{24 * 30});
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].job.request_id, old_done.request_id);
  auto pruned = prune_jobs(posix, layout, ops);
  ASSERT_TRUE(std::holds_alternative<std::vector<tombstone>>(pruned));
  auto loaded = load();
  EXPECT_EQ(ids(loaded), (std::vector<std::string>{old_pending.request_id, new_done.request_id}));
  ASSERT_EQ(loaded.tombstones.size(), 1u);
  EXPECT_EQ(loaded.tombstones[0], (tombstone{old_done.request_id, "self_v1", "ors_20", old_done.request_digest,
                                             covenant::job_state::artifact_ready, "2026-04-01T00:00:00Z"}));
  EXPECT_EQ(loaded.tombstones[0].route_key(), "self_v1:ors_20");
  EXPECT_FALSE(std::filesystem::exists(layout.job_file(old_done.request_id)));
  EXPECT_FALSE(std::filesystem::exists(layout.marker_file(old_done.request_id)));
  EXPECT_TRUE(loaded.poisoned.empty()); // the marker went with the job: no false "lost job"
}

TEST_F(StoreTest, InterruptedPruneIsCompletedOnLoad) {
  auto j = sample_job("kcs_self_0000000000000023", "ors_23");
  j.state = covenant::job_state::failed;
  create(j);
  write_raw(layout.tombstone_file(j.request_id),
            encode_tombstone({j.request_id, j.route, j.route_request_id, j.request_digest, j.state, "x"}));
  auto loaded = load();
  EXPECT_TRUE(loaded.jobs.empty());
  EXPECT_EQ(loaded.tombstones.size(), 1u);
  EXPECT_EQ(loaded.summary.prunes_completed, 1u);
  EXPECT_TRUE(loaded.poisoned.empty());
  EXPECT_FALSE(std::filesystem::exists(layout.marker_file(j.request_id)));
}

TEST_F(StoreTest, DamagedTombstonePoisonsItsKey) {
  auto t = encode_tombstone({"kcs_qc_0000000000000024", "qc_v1", "r24", "0x00", covenant::job_state::failed, "x"});
  write_raw(layout.tombstone_file("kcs_qc_0000000000000024"), t.substr(0, t.size() - 5));
  auto loaded = load();
  EXPECT_EQ(loaded.poisoned, (std::map<std::string, std::string>{{"qc_v1:r24", "damaged_tombstone"}}));
}

TEST_F(StoreTest, UnreadableReasonFileFailsClosed) {
  write_raw(layout.quarantine_dir() / "x.json.reason", "{broken");
  EXPECT_TRUE(load().unattributable_corruption);
}

TEST_F(StoreTest, LoadFailsWhenJobsDirCannotBeListed) {
  faulty_file_system fs;
  fs.list_faults["covenant-signer-jobs"] = EIO;
  auto result = load_store(fs, layout, load_now);
  ASSERT_TRUE(std::holds_alternative<io_error>(result));
  EXPECT_EQ(std::get<io_error>(result).code, EIO);
}

// --- Copies that may carry a signature (issue 20 item 2) ---------------------
// If any copy of a route key reached SIGNING or later, or the audit log names
// it, no other copy of that key is ever signed: that copy wins, or (when two
// copies may carry a signature, or a tombstone holds the key) the key is
// poisoned. Whatever the outcome, resumable_jobs never offers such a key.

namespace {

covenant::job with_state(covenant::job j, covenant::job_state state, std::string reason = {},
                         std::string detail = {}) {
  j.state = state;
  j.reason = std::move(reason);
  j.detail = std::move(detail);
  return j;
}

covenant::job interrupted(covenant::job j) {
  return with_state(std::move(j), covenant::job_state::failed, "PROVIDER_FAILED",
                    std::string{covenant::interrupted_detail});
}

void audit(const store_layout& layout, const std::string& request_id) {
  auto path = audit_log_path(layout.data_dir);
  auto line = format_audit_line({"2026-03-09T00:00:00Z", request_id, "0x" + std::string(64, '1'),
                                 std::string(64, '2')});
  write_raw(path, read_raw(path) + line);
}

quarantine_record reason_of(const store_layout& layout, const std::string& entry) {
  auto r = decode_quarantine_record(read_raw(layout.quarantine_dir() / (entry + ".reason")));
  if (!r) {
    ADD_FAILURE() << "no readable reason file for " << entry;
    return {};
  }
  return *r;
}

std::vector<std::string> resumable_ids(const loaded_store& s) {
  std::vector<std::string> out;
  for (const auto& j : resumable_jobs(s))
    out.push_back(j.request_id);
  return out;
}

const std::string t_old = "2026-03-09T00:00:00Z";
const std::string t_new = "2026-03-09T00:00:01Z";

} // namespace

TEST_F(StoreTest, SigningCopyWinsOverANewerSubmittedDuplicate) {
  auto signing = with_state(sample_job("kcs_self_0000000000000101", "ors_dup", t_old),
                            covenant::job_state::signing, {}, "signing covenant transaction");
  auto fresh = sample_job("kcs_self_0000000000000102", "ors_dup", t_new);
  put_job_file(layout, signing);
  put_job_file(layout, fresh);
  auto loaded = load();
  ASSERT_EQ(ids(loaded), std::vector<std::string>{signing.request_id});
  EXPECT_EQ(loaded.jobs[0].detail, covenant::interrupted_detail); // SIGNING still fails as interrupted
  EXPECT_TRUE(loaded.poisoned.empty());                            // the winner holds the key
  EXPECT_TRUE(resumable_ids(loaded).empty());
  EXPECT_EQ(loaded.summary.duplicates, 1u);
  auto r = reason_of(layout, fresh.request_id + ".json");
  EXPECT_EQ(r.reason, "duplicate");
  EXPECT_FALSE(r.poisons);
  EXPECT_NE(r.detail.find(signing.request_id + " (kept: state SIGNING, may have been signed)"),
            std::string::npos)
    << r.detail;
}

TEST_F(StoreTest, ReadyCopyWinsOverANewerPendingDuplicate) {
  auto ready = with_state(sample_job("kcs_self_0000000000000111", "ors_dup", t_old),
                          covenant::job_state::artifact_ready, {}, "self_v1 artifact ready");
  auto pending = with_state(sample_job("kcs_self_0000000000000112", "ors_dup", t_new),
                            covenant::job_state::pending, {}, std::string{covenant::accepted_detail});
  put_job_file(layout, pending);
  put_job_file(layout, ready);
  auto loaded = load();
  ASSERT_EQ(loaded.jobs.size(), 1u);
  EXPECT_EQ(loaded.jobs[0], ready); // unchanged
  EXPECT_TRUE(loaded.poisoned.empty());
  EXPECT_TRUE(std::filesystem::exists(layout.quarantine_dir() / (pending.request_id + ".json")));
}

TEST_F(StoreTest, FailedAfterSigningWinsOverANewerSubmittedDuplicate) {
  auto failed = interrupted(sample_job("kcs_self_0000000000000121", "ors_dup", t_old));
  auto fresh = sample_job("kcs_self_0000000000000122", "ors_dup", t_new);
  put_job_file(layout, failed);
  put_job_file(layout, fresh);
  auto loaded = load();
  EXPECT_EQ(ids(loaded), std::vector<std::string>{failed.request_id});
  EXPECT_TRUE(resumable_ids(loaded).empty());
  EXPECT_NE(reason_of(layout, fresh.request_id + ".json").detail.find("FAILED/PROVIDER_FAILED"),
            std::string::npos);
}

TEST_F(StoreTest, FailedBeforeSigningStillLosesToANewerDuplicate) {
  // POLICY_REJECTED and INVALID_INPUT are only ever given before a signature
  // is asked for: such a copy carries none, so updatedAt decides as before.
  for (auto reason : {"POLICY_REJECTED", "INVALID_INPUT"}) {
    temp_dir run_dir;
    auto l = store_layout::for_data_dir(run_dir.path());
    ASSERT_FALSE(ensure_store_dirs(posix, l));
    auto failed = with_state(sample_job("kcs_self_0000000000000131", "ors_dup", t_old),
                             covenant::job_state::failed, reason, "rejected");
    auto fresh = sample_job("kcs_self_0000000000000132", "ors_dup", t_new);
    put_job_file(l, failed);
    put_job_file(l, fresh);
    auto result = load_store(posix, l, load_now);
    ASSERT_TRUE(std::holds_alternative<loaded_store>(result));
    EXPECT_EQ(resumable_ids(std::get<loaded_store>(result)), std::vector<std::string>{fresh.request_id})
      << reason;
  }
}

TEST_F(StoreTest, TheCopyTheAuditLogNamesWinsAndIsFailedAsInterrupted) {
  auto audited = sample_job("kcs_self_0000000000000141", "ors_dup", t_old);
  auto fresh = sample_job("kcs_self_0000000000000142", "ors_dup", t_new);
  put_job_file(layout, audited);
  put_job_file(layout, fresh);
  audit(layout, audited.request_id);
  auto loaded = load();
  ASSERT_EQ(ids(loaded), std::vector<std::string>{audited.request_id});
  EXPECT_EQ(loaded.jobs[0].state, covenant::job_state::failed);
  EXPECT_EQ(loaded.jobs[0].detail, covenant::interrupted_detail);
  EXPECT_TRUE(resumable_ids(loaded).empty());
  EXPECT_NE(reason_of(layout, fresh.request_id + ".json").detail.find("named by the audit log"),
            std::string::npos);
  // Durably: the next load finds the FAILED file, not a SUBMITTED one.
  auto on_disk = decode_job_file(read_raw(layout.job_file(audited.request_id)));
  ASSERT_TRUE(std::holds_alternative<covenant::job>(on_disk));
  EXPECT_EQ(std::get<covenant::job>(on_disk).state, covenant::job_state::failed);
}

TEST_F(StoreTest, TwoCopiesThatMayBothCarryASignaturePoisonTheKey) {
  struct tcase {
    std::string name;
    covenant::job older, newer;
    bool audit_older = false;
  };
  auto a = sample_job("kcs_self_0000000000000151", "ors_dup", t_old);
  auto b = sample_job("kcs_self_0000000000000152", "ors_dup", t_new);
  std::vector<tcase> cases = {
    {"SIGNING vs ARTIFACT_READY", with_state(a, covenant::job_state::signing),
     with_state(b, covenant::job_state::artifact_ready)},
    {"audit-only SUBMITTED vs HANDOFF_READY", a, with_state(b, covenant::job_state::handoff_ready), true},
    {"FAILED/PROVIDER_FAILED vs ARTIFACT_READY", interrupted(a),
     with_state(b, covenant::job_state::artifact_ready)},
  };
  for (const auto& c : cases) {
    temp_dir run_dir;
    auto l = store_layout::for_data_dir(run_dir.path());
    ASSERT_FALSE(ensure_store_dirs(posix, l));
    put_job_file(l, c.older);
    put_job_file(l, c.newer);
    // A third copy that never signed changes nothing: still ambiguous.
    put_job_file(l, sample_job("kcs_self_0000000000000153", "ors_dup", "2026-03-09T00:00:02Z"));
    if (c.audit_older)
      audit(l, c.older.request_id);
    auto result = load_store(posix, l, load_now);
    ASSERT_TRUE(std::holds_alternative<loaded_store>(result)) << c.name;
    const auto& loaded = std::get<loaded_store>(result);
    EXPECT_EQ(loaded.poisoned,
              (std::map<std::string, std::string>{{"self_v1:ors_dup", "ambiguous_duplicate"}}))
      << c.name;
    // The newer of the two keeps answering its polls; nothing resumes.
    EXPECT_EQ(ids(loaded), std::vector<std::string>{c.newer.request_id}) << c.name;
    EXPECT_TRUE(resumable_ids(loaded).empty()) << c.name;
    EXPECT_EQ(loaded.summary.duplicates, 2u) << c.name;
    auto r = reason_of(l, c.older.request_id + ".json");
    EXPECT_EQ(r.reason, "ambiguous_duplicate") << c.name;
    EXPECT_TRUE(r.poisons) << c.name;
    EXPECT_EQ(r.route_keys, std::vector<std::string>{"self_v1:ors_dup"}) << c.name;
    EXPECT_EQ(reason_of(l, "kcs_self_0000000000000153.json").reason, "duplicate") << c.name;
    // The poison is on disk: it survives the next load.
    auto again = load_store(posix, l, load_now);
    ASSERT_TRUE(std::holds_alternative<loaded_store>(again));
    EXPECT_EQ(std::get<loaded_store>(again).poisoned, loaded.poisoned) << c.name;
    EXPECT_EQ(std::get<loaded_store>(again).summary.quarantined_now, 0u) << c.name;
  }
}

TEST_F(StoreTest, ATombstoneBesideALiveJobOfAnotherIdPoisonsTheKey) {
  for (auto state : {covenant::job_state::submitted, covenant::job_state::artifact_ready}) {
    temp_dir run_dir;
    auto l = store_layout::for_data_dir(run_dir.path());
    ASSERT_FALSE(ensure_store_dirs(posix, l));
    write_raw(l.tombstone_file("kcs_self_0000000000000161"),
              encode_tombstone({"kcs_self_0000000000000161", "self_v1", "ors_t", "0x" + std::string(64, 'a'),
                                covenant::job_state::artifact_ready, "2026-03-01T00:00:00Z"}));
    auto live = with_state(sample_job("kcs_self_0000000000000162", "ors_t"), state);
    std::optional<io_error> latched;
    ASSERT_TRUE(run_write_round(posix, l, {write_op{write_op::kind::create, live, {}}}, latched)[0].ok);
    auto result = load_store(posix, l, load_now);
    ASSERT_TRUE(std::holds_alternative<loaded_store>(result));
    const auto& loaded = std::get<loaded_store>(result);
    EXPECT_TRUE(loaded.jobs.empty());
    EXPECT_TRUE(resumable_ids(loaded).empty());
    EXPECT_EQ(loaded.poisoned, (std::map<std::string, std::string>{{"self_v1:ors_t", "tombstoned_key"}}));
    ASSERT_EQ(loaded.tombstones.size(), 1u); // the tombstone stays
    auto r = reason_of(l, live.request_id + ".json");
    EXPECT_TRUE(r.poisons);
    EXPECT_NE(r.detail.find("kcs_self_0000000000000161"), std::string::npos) << r.detail;
    // The job file and its marker are kept together as evidence.
    EXPECT_TRUE(std::filesystem::exists(l.quarantine_dir() / (live.request_id + ".json.marker")));
    auto again = load_store(posix, l, load_now);
    ASSERT_TRUE(std::holds_alternative<loaded_store>(again));
    EXPECT_EQ(std::get<loaded_store>(again).poisoned, loaded.poisoned);
  }
}

TEST_F(StoreTest, AJobOnAKeyAnotherCopyPoisonsIsNotResumed) {
  // The corrupt copy may have reached SIGNING; its key is poisoned, so the
  // valid copy stays loaded (polls answer) but no session starts for it.
  auto torn = sample_job("kcs_self_0000000000000171", "ors_dup", t_old);
  create(torn);
  write_raw(layout.job_file(torn.request_id), encode_job_file(torn).substr(0, 60));
  auto valid = sample_job("kcs_self_0000000000000172", "ors_dup", t_new);
  put_job_file(layout, valid);
  auto loaded = load();
  EXPECT_EQ(ids(loaded), std::vector<std::string>{valid.request_id});
  EXPECT_EQ(loaded.poisoned.count("self_v1:ors_dup"), 1u);
  EXPECT_TRUE(resumable_ids(loaded).empty());
}

TEST_F(StoreTest, NonTerminalJobsTheAuditLogNamesAreFailedAsInterrupted) {
  auto submitted = sample_job("kcs_self_0000000000000181", "ors_181");
  auto pending = with_state(sample_job("kcs_self_0000000000000182", "ors_182"), covenant::job_state::pending,
                            {}, std::string{covenant::accepted_detail});
  auto ready = with_state(sample_job("kcs_self_0000000000000183", "ors_183"),
                          covenant::job_state::artifact_ready, {}, "self_v1 artifact ready");
  auto unaudited = sample_job("kcs_self_0000000000000184", "ors_184");
  for (const auto& j : {submitted, pending, ready, unaudited}) {
    create(j);
    if (j.request_id != unaudited.request_id)
      audit(layout, j.request_id);
  }
  auto loaded = load();
  ASSERT_EQ(loaded.jobs.size(), 4u);
  for (std::size_t i : {0u, 1u}) {
    EXPECT_EQ(loaded.jobs[i].state, covenant::job_state::failed) << loaded.jobs[i].request_id;
    EXPECT_EQ(loaded.jobs[i].detail, covenant::interrupted_detail) << loaded.jobs[i].request_id;
  }
  EXPECT_EQ(loaded.jobs[2], ready); // terminal: never signed again anyway
  EXPECT_EQ(loaded.jobs[3], unaudited);
  EXPECT_EQ(resumable_ids(loaded), std::vector<std::string>{unaudited.request_id});
  EXPECT_TRUE(loaded.poisoned.empty());
}

TEST_F(StoreTest, AuditLogIdsAreReadFromDamagedLinesToo) {
  // A line torn by a crash, then the next append glued onto it, then a torn
  // last line: each id that can be read counts as a signature asked for.
  auto glued = sample_job("kcs_self_0000000000000191", "ors_191");
  auto after = sample_job("kcs_self_0000000000000192", "ors_192");
  auto torn = sample_job("kcs_self_0000000000000193", "ors_193");
  for (const auto& j : {glued, after, torn})
    create(j);
  auto line = [](const std::string& id) {
    return format_audit_line({"2026-03-09T00:00:00Z", id, "0x" + std::string(64, '1'), std::string(64, '2')});
  };
  auto first = line(glued.request_id);
  auto last = line(torn.request_id);
  write_raw(audit_log_path(layout.data_dir),
            first.substr(0, first.find("sighash")) + line(after.request_id) + last.substr(0, last.size() / 2));
  auto loaded = load();
  ASSERT_EQ(loaded.jobs.size(), 3u);
  for (const auto& j : loaded.jobs)
    EXPECT_EQ(j.state, covenant::job_state::failed) << j.request_id;
  EXPECT_TRUE(resumable_ids(loaded).empty());
}

TEST_F(StoreTest, AnUnreadableAuditLogFailsTheLoad) {
  // Without the audit log the load cannot tell which jobs were signed.
  create(sample_job("kcs_self_00000000000001a1", "ors_1a1"));
  audit(layout, "kcs_self_00000000000001a1");
  faulty_file_system fs;
  fs.read_faults["covenant-signer-audit.log"] = EIO;
  auto result = load_store(fs, layout, load_now);
  ASSERT_TRUE(std::holds_alternative<io_error>(result));
  EXPECT_EQ(std::get<io_error>(result).code, EIO);
  EXPECT_NE(std::get<io_error>(result).message.find("covenant-signer-audit.log"), std::string::npos)
    << std::get<io_error>(result).message;
}
