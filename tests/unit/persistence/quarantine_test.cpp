// Operator resolution of the quarantine: a repaired job file is restored
// and its route key is no longer poisoned; a released entry frees its key
// and is kept as evidence; nothing is ever deleted.
#include "persistence/job_file.hpp"
#include "persistence/quarantine.hpp"
#include "persistence/store_loader.hpp"
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
