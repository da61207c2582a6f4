// `covsignerctl quarantine resolve --action restore` run as a child process
// (issue 20 item 3): it never reopens a key another job or a tombstone
// holds, never restores as not yet signed a job the audit log names, and
// never un-poisons keys other than the restored file's own. Each refusal
// exits 1 with the cause and leaves the data dir byte for byte as it was.
#include "tests/unit/tools/run_ctl.hpp"

#include "persistence/audit_log.hpp"
#include "persistence/job_file.hpp"
#include "persistence/store_layout.hpp"
#include "tests/support/dir_snapshot.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace {

using namespace covsigner;
using test_support::run_ctl;
using test_support::snapshot_dir;

const std::string id = "kcs_qc_00000000000000d1";

covenant::job job(const std::string& request_id, const std::string& rr) {
  covenant::job j;
  j.request_id = request_id;
  j.route_request_id = rr;
  j.route = "qc_v1";
  j.request_digest = "0x" + std::string(64, 'd');
  j.state = covenant::job_state::submitted;
  j.created_at = j.updated_at = "2026-11-24T10:00:00Z";
  j.request_json = R"({"route":"qc_v1"})";
  return j;
}

class CtlRestore : public ::testing::Test {
protected:
  test_support::temp_dir dir;
  std::filesystem::path data = dir.path() / "data";
  persistence::store_layout layout = persistence::store_layout::for_data_dir(data);

  // A torn job file (key qc_v1:rr-torn) that `store inspect` quarantines,
  // then repaired in place as `repair`.
  void SetUp() override {
    std::filesystem::create_directories(layout.jobs_dir());
    auto bytes = persistence::encode_job_file(job(id, "rr-torn"));
    std::ofstream(layout.job_file(id)) << bytes.substr(0, bytes.size() / 2);
    auto inspect = run_ctl({"store", "inspect", "--data-dir=" + data.string()});
    ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
    ASSERT_NE(inspect.out.find("poisoned: qc_v1:rr-torn"), std::string::npos) << inspect.out;
  }

  void repair(const covenant::job& j) {
    std::ofstream(layout.quarantine_dir() / (id + ".json"), std::ios::trunc) << persistence::encode_job_file(j);
  }

  test_support::ctl_result restore() {
    return run_ctl({"quarantine", "resolve", "--data-dir=" + data.string(), "--entry=" + id + ".json",
                    "--action=restore", "--note=repaired"});
  }

  void expect_refused(const std::string& because) {
    auto before = snapshot_dir(data);
    auto r = restore();
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find(because), std::string::npos) << r.err;
    EXPECT_EQ(snapshot_dir(data), before) << r.err;
  }
};

} // namespace

TEST_F(CtlRestore, RefusesAKeyAnotherJobHoldsAndChangesNothing) {
  repair(job(id, "rr-torn"));
  std::ofstream(layout.job_file("kcs_qc_00000000000000d2")) << persistence::encode_job_file(job("kcs_qc_00000000000000d2", "rr-torn"));
  expect_refused("route key qc_v1:rr-torn is held by job kcs_qc_00000000000000d2");
}

TEST_F(CtlRestore, RefusesAKeyATombstoneHoldsAndChangesNothing) {
  repair(job(id, "rr-torn"));
  std::ofstream(layout.tombstone_file("kcs_qc_00000000000000d3"))
    << persistence::encode_tombstone({"kcs_qc_00000000000000d3", "qc_v1", "rr-torn", "0x" + std::string(64, 'd'),
                                      covenant::job_state::failed, "2026-11-25T00:00:00Z"});
  expect_refused("is held by the tombstone of kcs_qc_00000000000000d3");
}

TEST_F(CtlRestore, RefusesANotYetSignedJobTheAuditLogNamesAndChangesNothing) {
  repair(job(id, "rr-torn"));
  std::ofstream(persistence::audit_log_path(data))
    << persistence::format_audit_line({"2026-11-24T10:00:01Z", id, "0x" + std::string(64, '1'), std::string(64, '2')});
  expect_refused("the audit log");
}

TEST_F(CtlRestore, KeepsTheEntrysOtherKeysPoisoned) {
  repair(job(id, "rr-other")); // "repaired" under another key
  auto r = restore();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto inspect = run_ctl({"store", "inspect", "--data-dir=" + data.string()});
  EXPECT_NE(inspect.out.find("poisoned: qc_v1:rr-torn (truncated)"), std::string::npos) << inspect.out;
  EXPECT_EQ(inspect.out.find("poisoned: qc_v1:rr-other"), std::string::npos) << inspect.out;
}
