// covsignerctl's store and quarantine commands as an operator runs them:
// the real binary over a real data dir, refused while the store is locked.
#include "persistence/job_file.hpp"
#include "persistence/store_layout.hpp"
#include "persistence/store_lock.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace covsigner;
using namespace std::chrono_literals;

namespace {

const std::string covsignerctl = std::string{COVSIGNER_BINARY_DIR} + "/covsignerctl";

class CovsignerctlStore : public ::testing::Test {
protected:
  test_support::temp_dir dir;
  std::filesystem::path data = dir.path() / "data";
  persistence::store_layout layout = persistence::store_layout::for_data_dir(data);

  struct result {
    int code = -1;
    std::string output;
  };

  result run(std::vector<std::string> args) {
    auto log = (dir.path() / "ctl.log").string();
    std::filesystem::remove(log);
    test_support::child_process child(covsignerctl, args, log);
    auto status = child.wait_for_exit(30s);
    std::ifstream in(log);
    return {status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1,
            std::string(std::istreambuf_iterator<char>(in), {})};
  }

  covenant::job job(const std::string& id, const std::string& rr, covenant::job_state state,
                    const std::string& updated_at) {
    covenant::job j;
    j.request_id = id;
    j.route_request_id = rr;
    j.route = "qc_v1";
    j.request_digest = "0x" + std::string(64, 'd');
    j.state = state;
    j.created_at = j.updated_at = updated_at;
    j.request_json = R"({"route":"qc_v1"})";
    return j;
  }

  void write_job(const covenant::job& j, std::size_t truncate_to = std::string::npos) {
    std::filesystem::create_directories(layout.jobs_dir());
    std::ofstream(layout.job_file(j.request_id)) << persistence::encode_job_file(j).substr(0, truncate_to);
  }
};

} // namespace

TEST_F(CovsignerctlStore, ListsAndReleasesAPoisonedKey) {
  write_job(job("kcs_qc_00000000000000b1", "rr-torn", covenant::job_state::pending,
                "2026-11-24T10:00:00Z"),
            100); // torn after requestId, routeRequestId and route
  auto inspect = run({"store", "inspect", "--data-dir=" + data.string()});
  EXPECT_EQ(inspect.code, 0) << inspect.output;
  EXPECT_NE(inspect.output.find("poisoned: qc_v1:rr-torn"), std::string::npos) << inspect.output;

  auto list = run({"quarantine", "list", "--data-dir=" + data.string()});
  EXPECT_EQ(list.code, 0) << list.output;
  EXPECT_NE(list.output.find("kcs_qc_00000000000000b1.json"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("key=qc_v1:rr-torn"), std::string::npos) << list.output;

  auto resolve = run({"quarantine", "resolve", "--data-dir=" + data.string(),
                      "--entry=kcs_qc_00000000000000b1.json", "--action=release",
                      "--note=never signed; client confirmed"});
  EXPECT_EQ(resolve.code, 0) << resolve.output;
  auto after = run({"store", "inspect", "--data-dir=" + data.string()});
  EXPECT_EQ(after.output.find("poisoned:"), std::string::npos) << after.output;
  EXPECT_TRUE(std::filesystem::exists(layout.quarantine_dir() / "resolved" /
                                      "kcs_qc_00000000000000b1.json"));
}

TEST_F(CovsignerctlStore, PruneLeavesTombstonesForOldTerminalJobsOnly) {
  write_job(job("kcs_qc_00000000000000c1", "rr-old", covenant::job_state::failed,
                "2020-01-01T00:00:00Z"));
  write_job(job("kcs_qc_00000000000000c2", "rr-live", covenant::job_state::pending,
                "2020-01-01T00:00:00Z"));
  auto prune = run({"store", "prune", "--data-dir=" + data.string(), "--older-than=30d"});
  EXPECT_EQ(prune.code, 0) << prune.output;
  EXPECT_NE(prune.output.find("pruned 1 terminal jobs"), std::string::npos) << prune.output;
  EXPECT_FALSE(std::filesystem::exists(layout.job_file("kcs_qc_00000000000000c1")));
  EXPECT_TRUE(std::filesystem::exists(layout.tombstone_file("kcs_qc_00000000000000c1")));
  EXPECT_TRUE(std::filesystem::exists(layout.job_file("kcs_qc_00000000000000c2")));
  auto bad = run({"store", "prune", "--data-dir=" + data.string(), "--older-than=soon"});
  EXPECT_EQ(bad.code, 2);
}

TEST_F(CovsignerctlStore, RefusesWhileTheStoreIsLocked) {
  std::filesystem::create_directories(layout.jobs_dir());
  auto lock = persistence::store_lock::open(data);
  ASSERT_TRUE(std::holds_alternative<persistence::store_lock>(lock));
  for (auto args : std::vector<std::vector<std::string>>{
         {"store", "inspect", "--data-dir=" + data.string()},
         {"quarantine", "list", "--data-dir=" + data.string()},
         {"quarantine", "resolve", "--data-dir=" + data.string(), "--entry=x.json",
          "--action=release", "--note=n"}}) {
    auto r = run(args);
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_NE(r.output.find("is covsignerd running"), std::string::npos) << r.output;
  }
}
