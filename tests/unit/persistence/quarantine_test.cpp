// Operator resolution of the quarantine: a repaired job file is restored
// and its route key is no longer poisoned; a released entry frees its key
// and is kept as evidence; nothing is ever deleted.
#include "persistence/audit_log.hpp"
#include "persistence/job_file.hpp"
#include "persistence/quarantine.hpp"
#include "persistence/store_loader.hpp"
#include "tests/support/dir_snapshot.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace covsigner;
using namespace covsigner::persistence;

namespace {

covenant::job sample(const std::string& id, const std::string& rr) {
  covenant::job j;
  j.request_id = id;
  j.route_request_id = rr;
  j.route = "qc_v1";
  j.request_digest = "0x" + std::string(64, 'd');
  j.state = covenant::job_state::pending;
  j.detail = std::string{covenant::accepted_detail};
  j.created_at = j.updated_at = "2026-11-24T10:00:00Z";
  j.request_json = R"({"route":"qc_v1"})";
  return j;
}

class Quarantine : public ::testing::Test {
protected:
  test_support::temp_dir dir;
  posix_file_system fs;
  store_layout layout = store_layout::for_data_dir(dir.path());
  const std::string id = "kcs_qc_00000000000000a1";

  loaded_store load() {
    auto opened = open_store(fs, layout);
    EXPECT_TRUE(std::holds_alternative<opened_store>(opened));
    return std::move(std::get<opened_store>(opened).loaded);
  }

  // A torn job file whose readable prefix names its route key.
  void tear_job_file() {
    ASSERT_FALSE(ensure_store_dirs(fs, layout));
    auto bytes = encode_job_file(sample(id, "rr-torn"));
    std::ofstream(layout.job_file(id)) << bytes.substr(0, bytes.size() / 2);
  }
};

} // namespace

TEST_F(Quarantine, ListsEntriesWithTheirReasonAndKeys) {
  tear_job_file();
  auto loaded = load();
  ASSERT_EQ(loaded.poisoned.count("qc_v1:rr-torn"), 1u);
  auto listed = list_quarantine(fs, layout);
  ASSERT_TRUE(std::holds_alternative<std::vector<quarantine_entry>>(listed));
  auto entries = std::get<std::vector<quarantine_entry>>(listed);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name, id + ".json");
  ASSERT_TRUE(entries[0].record);
  EXPECT_EQ(entries[0].record->reason, "truncated");
  EXPECT_TRUE(entries[0].record->poisons);
  EXPECT_EQ(entries[0].record->route_keys, std::vector<std::string>{"qc_v1:rr-torn"});
}

TEST_F(Quarantine, RestoringARepairedFileUnpoisonsItsKey) {
  tear_job_file();
  load();
  auto quarantined = layout.quarantine_dir() / (id + ".json");
  ASSERT_TRUE(std::filesystem::exists(quarantined));
  // Still corrupt: refused, nothing moves.
  auto refused = resolve_quarantine(fs, layout, id + ".json", quarantine_action::restore, "try");
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->message.find("still does not decode"), std::string::npos) << refused->message;
  EXPECT_TRUE(std::filesystem::exists(quarantined));
  // Repaired by the operator, then restored.
  std::ofstream(quarantined, std::ios::trunc) << encode_job_file(sample(id, "rr-torn"));
  auto err = resolve_quarantine(fs, layout, id + ".json", quarantine_action::restore, "repaired");
  ASSERT_FALSE(err) << err->message;
  auto loaded = load();
  EXPECT_EQ(loaded.poisoned.count("qc_v1:rr-torn"), 0u);
  ASSERT_EQ(loaded.jobs.size(), 1u);
  EXPECT_EQ(loaded.jobs[0].request_id, id);
  EXPECT_TRUE(std::filesystem::exists(layout.quarantine_dir() / "resolved" / (id + ".json.reason")));
  EXPECT_TRUE(std::filesystem::exists(layout.quarantine_dir() / "resolved" / (id + ".json.resolution")));
}

TEST_F(Quarantine, ReleasingFreesTheKeyAndKeepsTheEvidence) {
  tear_job_file();
  load();
  auto err = resolve_quarantine(fs, layout, id + ".json", quarantine_action::release, "lost; ok");
  ASSERT_FALSE(err) << err->message;
  auto loaded = load();
  EXPECT_TRUE(loaded.poisoned.empty());
  EXPECT_TRUE(loaded.jobs.empty());
  EXPECT_TRUE(std::filesystem::exists(layout.quarantine_dir() / "resolved" / (id + ".json")));
  auto listed = std::get<std::vector<quarantine_entry>>(list_quarantine(fs, layout));
  EXPECT_TRUE(listed.empty());
}

TEST_F(Quarantine, RestoreNeverReplacesAJobFile) {
  tear_job_file();
  load();
  auto quarantined = layout.quarantine_dir() / (id + ".json");
  std::ofstream(quarantined, std::ios::trunc) << encode_job_file(sample(id, "rr-torn"));
  std::ofstream(layout.job_file(id)) << encode_job_file(sample(id, "rr-other"));
  auto err = resolve_quarantine(fs, layout, id + ".json", quarantine_action::restore, "x");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, EEXIST);
  EXPECT_TRUE(std::filesystem::exists(quarantined));
}

TEST_F(Quarantine, UnknownOrUnsafeEntriesAreRefused) {
  ASSERT_FALSE(ensure_store_dirs(fs, layout));
  for (auto name : {"nothing.json", "../escape", "", ".hidden", "resolved"}) {
    auto err = resolve_quarantine(fs, layout, name, quarantine_action::release, "x");
    ASSERT_TRUE(err) << name;
    EXPECT_EQ(err->code, EINVAL) << name;
  }
}

// --- Restore never reopens a key or un-poisons another (issue 20 item 3) -----
// Every refusal is checked before anything is written: the data dir is the
// same, byte for byte, afterwards.

namespace {

class QuarantineRestore : public Quarantine {
protected:
  std::filesystem::path quarantined() const { return layout.quarantine_dir() / (id + ".json"); }

  // The torn file quarantined (key qc_v1:rr-torn), then repaired as `repair`.
  void quarantine_then_repair(const covenant::job& repair) {
    tear_job_file();
    load();
    std::ofstream(quarantined(), std::ios::trunc) << encode_job_file(repair);
  }

  // Restores and expects a refusal naming `because`, with nothing changed.
  void expect_refused(const std::string& because) {
    auto before = test_support::snapshot_dir(dir.path());
    auto err = resolve_quarantine(fs, layout, id + ".json", quarantine_action::restore, "try");
    ASSERT_TRUE(err) << "restore was not refused (" << because << ")";
    EXPECT_NE(err->message.find(because), std::string::npos) << err->message;
    EXPECT_EQ(test_support::snapshot_dir(dir.path()), before) << err->message;
  }

  void audit(const std::string& request_id) {
    auto line = format_audit_line({"2026-11-24T10:00:01Z", request_id, "0x" + std::string(64, '1'),
                                   std::string(64, '2')});
    std::ofstream(audit_log_path(dir.path()), std::ios::app) << line;
  }
};

covenant::job with_state(covenant::job j, covenant::job_state state) {
  j.state = state;
  j.detail.clear();
  return j;
}

} // namespace

TEST_F(QuarantineRestore, RefusesAKeyAnotherJobHolds) {
  quarantine_then_repair(sample(id, "rr-torn"));
  // Another job holds the key now (e.g. the duplicate that won).
  std::ofstream(layout.job_file("kcs_qc_00000000000000a2")) << encode_job_file(sample("kcs_qc_00000000000000a2", "rr-torn"));
  expect_refused("route key qc_v1:rr-torn is held by job kcs_qc_00000000000000a2");
  // Also when that job's file is itself damaged: its readable prefix counts.
  auto other = encode_job_file(sample("kcs_qc_00000000000000a2", "rr-torn"));
  std::ofstream(layout.job_file("kcs_qc_00000000000000a2"), std::ios::trunc) << other.substr(0, other.size() / 2);
  expect_refused("route key qc_v1:rr-torn is held by job file kcs_qc_00000000000000a2.json");
}

TEST_F(QuarantineRestore, RefusesAKeyATombstoneHolds) {
  quarantine_then_repair(sample(id, "rr-torn"));
  auto tomb = tombstone{"kcs_qc_00000000000000a3", "qc_v1", "rr-torn", "0x" + std::string(64, 'd'),
                        covenant::job_state::handoff_ready, "2026-11-25T00:00:00Z"};
  std::ofstream(layout.tombstone_file(tomb.request_id)) << encode_tombstone(tomb);
  expect_refused("route key qc_v1:rr-torn is held by the tombstone of kcs_qc_00000000000000a3");
  std::filesystem::remove(layout.tombstone_file(tomb.request_id));
  // A tombstone of the request itself: the next load would delete the file.
  tomb.request_id = id;
  tomb.route_request_id = "rr-pruned";
  std::ofstream(layout.tombstone_file(id)) << encode_tombstone(tomb);
  expect_refused("the tombstone of " + id);
}

TEST_F(QuarantineRestore, KeepsTheEntrysOtherKeysPoisoned) {
  // The torn file named qc_v1:rr-torn; the operator's "repair" says
  // rr-other. Restoring it must not give up rr-torn.
  quarantine_then_repair(sample(id, "rr-other"));
  auto err = resolve_quarantine(fs, layout, id + ".json", quarantine_action::restore, "repaired");
  ASSERT_FALSE(err) << err->message;
  auto loaded = load();
  ASSERT_EQ(loaded.jobs.size(), 1u);
  EXPECT_EQ(loaded.jobs[0].route_key(), "qc_v1:rr-other");
  EXPECT_EQ(loaded.poisoned, (std::map<std::string, std::string>{{"qc_v1:rr-torn", "truncated"}}));
  // The kept poison is an entry of its own, which names why.
  auto listed = std::get<std::vector<quarantine_entry>>(list_quarantine(fs, layout));
  ASSERT_EQ(listed.size(), 1u);
  ASSERT_TRUE(listed[0].record);
  EXPECT_EQ(listed[0].record->route_keys, std::vector<std::string>{"qc_v1:rr-torn"});
  EXPECT_TRUE(listed[0].record->poisons);
  EXPECT_NE(listed[0].record->detail.find("not the restored job's own"), std::string::npos)
    << listed[0].record->detail;
}

TEST_F(QuarantineRestore, RefusesANotYetSignedJobTheAuditLogNames) {
  quarantine_then_repair(sample(id, "rr-torn"));
  audit(id);
  for (auto state : {covenant::job_state::submitted, covenant::job_state::validating,
                     covenant::job_state::pending}) {
    std::ofstream(quarantined(), std::ios::trunc) << encode_job_file(with_state(sample(id, "rr-torn"), state));
    expect_refused("the audit log");
  }
  // As SIGNING it may be restored: the next load fails it as interrupted.
  std::ofstream(quarantined(), std::ios::trunc)
    << encode_job_file(with_state(sample(id, "rr-torn"), covenant::job_state::signing));
  auto err = resolve_quarantine(fs, layout, id + ".json", quarantine_action::restore, "was signing");
  ASSERT_FALSE(err) << err->message;
  auto loaded = load();
  ASSERT_EQ(loaded.jobs.size(), 1u);
  EXPECT_EQ(loaded.jobs[0].state, covenant::job_state::failed);
  EXPECT_EQ(loaded.jobs[0].detail, covenant::interrupted_detail);
}

TEST_F(QuarantineRestore, EveryRefusalLeavesTheDataDirUntouched) {
  tear_job_file();
  load();
  expect_refused("still does not decode"); // not repaired yet
  std::ofstream(quarantined(), std::ios::trunc) << encode_job_file(sample("kcs_qc_00000000000000ff", "rr-torn"));
  expect_refused("holds request id kcs_qc_00000000000000ff");
  std::ofstream(quarantined(), std::ios::trunc) << encode_job_file(sample(id, "rr-torn"));
  std::ofstream(layout.job_file(id)) << encode_job_file(sample(id, "rr-torn"));
  expect_refused("already exists");
}
