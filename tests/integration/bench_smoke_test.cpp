// covsigner-bench at tiny scale, one run per scenario (and both transports
// where they differ): the binary exits 0, the store check after the run
// passed, the answers are the ones the scenario defines, and the --json
// file has the fields the README and `make bench` consumers read. Every run
// is bounded (the child is SIGKILLed by PID after 120 s) and talks only to
// 127.0.0.1. Data lives under the build dir (a real disk; the bench refuses
// tmpfs).
#include "apps/covsigner-bench/correctness.hpp"
#include "apps/covsigner-bench/signing_check.hpp"
#include "persistence/audit_log.hpp"
#include "persistence/job_writer.hpp"
#include "persistence/store_loader.hpp"
#include "persistence/timestamp.hpp"
#include "tests/support/child_process.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <sstream>
#include <sys/statfs.h>

using namespace covsigner;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string bench_binary = std::string{COVSIGNER_BINARY_DIR} + "/covsigner-bench";

class BenchSmoke : public ::testing::Test {
protected:
  fs::path dir;
  void SetUp() override {
    std::random_device rd;
    dir = fs::path(COVSIGNER_BINARY_DIR).parent_path() /
          ("bench-smoke-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(dir);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  struct run_result {
    std::optional<int> status; // waitpid status; nullopt: killed after the bound
    boost::json::object json;
    std::string log;
  };

  run_result run(std::vector<std::string> args) {
    run_result r;
    auto json_file = dir / "result.json";
    fs::remove(json_file);
    args.push_back("--data-dir=" + (dir / "data").string());
    args.push_back("--json=" + json_file.string());
    auto log_file = (dir / "bench.log").string();
    {
      test_support::child_process child(bench_binary, args, log_file);
      r.status = child.wait_for_exit(120s);
      // The child_process destructor SIGKILLs it by PID if still running.
    }
    std::ifstream log(log_file);
    r.log.assign(std::istreambuf_iterator<char>(log), {});
    std::ifstream in(json_file);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      boost::system::error_code ec;
      auto v = boost::json::parse(ss.str(), ec);
      if (!ec && v.is_object())
        r.json = v.as_object();
    }
    return r;
  }

  // Runs one scenario and checks what every run must show; returns its
  // first scenario object.
  boost::json::object scenario(const std::string& name, const std::string& transport,
                               std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--scenario=" + name, "--transport=" + transport,
                                  "--concurrency=4", "--warmup=0", "--no-baselines"};
    if (extra.empty())
      extra = {"--count=40"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run(args);
    EXPECT_TRUE(r.status.has_value()) << "bench did not finish within 120 s\n" << r.log;
    if (!r.status)
      return {};
    EXPECT_TRUE(WIFEXITED(*r.status) && WEXITSTATUS(*r.status) == 0)
      << "status " << *r.status << "\n" << r.log;
    EXPECT_TRUE(r.json.contains("scenarios")) << r.log;
    if (!r.json.contains("scenarios"))
      return {};
    EXPECT_TRUE(r.json.at("passed").as_bool());
    const auto& machine = r.json.at("machine").as_object();
    EXPECT_FALSE(machine.at("fs_type").as_string().empty());
    EXPECT_NE(machine.at("fs_type").as_string(), "tmpfs");
    auto& scenarios = r.json.at("scenarios").as_array();
    EXPECT_EQ(scenarios.size(), 1u);
    auto s = scenarios.at(0).as_object();
    EXPECT_EQ(s.at("scenario").as_string(), name);
    EXPECT_EQ(s.at("transport").as_string(), transport);
    const auto& c = s.at("correctness").as_object();
    EXPECT_TRUE(c.at("passed").as_bool()) << boost::json::serialize(c) << "\n" << r.log;
    EXPECT_EQ(c.at("acknowledged_missing").as_int64(), 0);
    EXPECT_EQ(c.at("duplicates_on_disk").as_int64(), 0);
    EXPECT_EQ(c.at("stray_jobs").as_int64(), 0);
    EXPECT_EQ(c.at("quarantined").as_int64(), 0);
    for (const auto& p : s.at("phases").as_array()) {
      const auto& sum = p.at("summary").as_object();
      EXPECT_GT(sum.at("count").as_int64(), 0);
      EXPECT_GT(sum.at("throughput_per_s").as_double(), 0);
      const auto& lat = sum.at("latency_us").as_object();
      for (auto key : {"p50", "p90", "p99", "p99_9", "max"})
        EXPECT_TRUE(lat.contains(key)) << key;
      EXPECT_LE(lat.at("p50").as_double(), lat.at("p99").as_double());
      EXPECT_LE(lat.at("p99").as_double(), lat.at("max").as_double());
      EXPECT_TRUE(sum.at("errors").as_object().contains("503"));
      EXPECT_FALSE(p.at("series").as_array().empty());
    }
    return s;
  }

  static std::int64_t summary_field(const boost::json::object& s, const char* field,
                                    std::size_t phase = 0) {
    return s.at("phases").at(phase).at("summary").at(field).as_int64();
  }
  static std::int64_t errors_of(const boost::json::object& s, const char* kind, std::size_t phase = 0) {
    return s.at("phases").at(phase).at("summary").at("errors").at(kind).as_int64();
  }
  static std::int64_t check_field(const boost::json::object& s, const char* field) {
    return s.at("correctness").at(field).as_int64();
  }
};

} // namespace

TEST_F(BenchSmoke, UniqueSubmitsOverHttpEachCreateOneDurableJob) {
  auto s = scenario("unique", "http");
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(summary_field(s, "count"), 40);
  EXPECT_EQ(summary_field(s, "ok"), 40);
  EXPECT_EQ(check_field(s, "jobs_in_store"), 40);
  EXPECT_EQ(check_field(s, "keys_acknowledged"), 40);
}

TEST_F(BenchSmoke, UniqueSubmitsInProcessPerJobSync) {
  auto s = scenario("unique", "inproc", {"--count=40", "--store-sync=per-job"});
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s.at("store_sync").as_string(), "per-job");
  EXPECT_EQ(summary_field(s, "ok"), 40);
  EXPECT_EQ(check_field(s, "jobs_in_store"), 40);
}

TEST_F(BenchSmoke, UniqueSubmitsOverHttpWithFsyncDisabled) {
  // The standard suite's no-fsync comparison run: the same store work with
  // every fsync skipped, and the same store check after it.
  auto s = scenario("unique", "http", {"--count=40", "--store-sync=none"});
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s.at("store_sync").as_string(), "none");
  EXPECT_EQ(s.at("name").as_string(), "unique http c4 no-fsync");
  EXPECT_EQ(summary_field(s, "ok"), 40);
  EXPECT_EQ(check_field(s, "jobs_in_store"), 40);
  EXPECT_EQ(check_field(s, "keys_acknowledged"), 40);
}

TEST_F(BenchSmoke, SigkillWithFsyncDisabledStartsCovsignerdWithTheUnsafeFlag) {
  // The child covsignerd refuses --store.sync=none without
  // --store.unsafe-no-fsync-for-benchmarks; the bench passes both. (SIGKILL
  // keeps the page cache, so even unsynced acknowledged jobs must survive.)
  auto s = scenario("sigkill", "http", {"--duration=2s", "--kill-every=1s", "--store-sync=none"});
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s.at("store_sync").as_string(), "none");
  EXPECT_GT(summary_field(s, "ok"), 0);
  EXPECT_GT(check_field(s, "keys_acknowledged"), 0);
}

TEST_F(BenchSmoke, CovsignerdRefusesNoFsyncWithoutTheUnsafeFlag) {
  const std::string covsignerd = std::string{COVSIGNER_BINARY_DIR} + "/covsignerd";
  auto log_file = (dir / "covsignerd.log").string();
  std::optional<int> status;
  {
    test_support::child_process child(
      covsignerd, {"--port=0", "--data-dir=" + (dir / "refused").string(), "--store.sync=none"},
      log_file);
    status = child.wait_for_exit(30s);
  }
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 1);
  std::ifstream log(log_file);
  std::string text((std::istreambuf_iterator<char>(log)), {});
  EXPECT_EQ(text, "--store.sync=none disables every fsync: acknowledged jobs are lost on a power "
                  "cut; it is for benchmarks only and needs --store.unsafe-no-fsync-for-benchmarks\n");
  // Nothing was created: the refusal comes before the store is opened.
  EXPECT_FALSE(fs::exists(dir / "refused"));
}

TEST_F(BenchSmoke, DuplicateStormLeavesOneJob) {
  for (auto transport : {"http", "inproc"}) {
    auto s = scenario("duplicate", transport);
    ASSERT_FALSE(s.empty()) << transport;
    EXPECT_EQ(summary_field(s, "ok"), 40) << transport;
    EXPECT_EQ(check_field(s, "jobs_in_store"), 1) << transport;
    EXPECT_EQ(check_field(s, "split_acknowledgements"), 0) << transport;
  }
}

TEST_F(BenchSmoke, ConflictStormAnswersOneJobAndRefusesTheOtherPayloads) {
  auto s = scenario("conflict", "http");
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(summary_field(s, "ok"), 1);
  EXPECT_EQ(errors_of(s, "400"), 39);
  EXPECT_EQ(check_field(s, "jobs_in_store"), 1);
}

TEST_F(BenchSmoke, PollsOfPreparedJobs) {
  for (auto transport : {"http", "inproc"}) {
    auto s = scenario("poll", transport);
    ASSERT_FALSE(s.empty()) << transport;
    EXPECT_EQ(summary_field(s, "ok"), 40) << transport;
    EXPECT_TRUE(s.at("phases").at(0).at("by_op").as_object().contains("poll"));
  }
}

TEST_F(BenchSmoke, MixedLoadReportsEachKind) {
  auto s = scenario("mixed", "http");
  ASSERT_FALSE(s.empty());
  const auto& ops = s.at("phases").at(0).at("by_op").as_object();
  for (auto op : {"new-submit", "dedupe-submit", "poll"})
    EXPECT_TRUE(ops.contains(op)) << op;
  EXPECT_EQ(summary_field(s, "ok"), 40);
}

TEST_F(BenchSmoke, RegistryOutageMeasuresDedupeHitsWithAndWithout) {
  // Time slices alternate the outage on and off: a duration run, not a count.
  auto s = scenario("outage", "http", {"--duration=2s"});
  ASSERT_FALSE(s.empty());
  auto& phases = s.at("phases").as_array();
  ASSERT_EQ(phases.size(), 2u);
  EXPECT_EQ(phases.at(0).at("name").as_string(), "no-outage");
  EXPECT_EQ(phases.at(1).at("name").as_string(), "outage");
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& dedupe = phases.at(i).at("by_op").at("dedupe-submit").as_object();
    EXPECT_EQ(dedupe.at("ok").as_int64(), dedupe.at("count").as_int64()) << i;
  }
}

TEST_F(BenchSmoke, SigkillAndRestartLosesNoAcknowledgedJob) {
  auto s = scenario("sigkill", "http", {"--duration=3s", "--kill-every=1s"});
  ASSERT_FALSE(s.empty());
  EXPECT_GT(summary_field(s, "ok"), 0);
  EXPECT_GT(check_field(s, "keys_acknowledged"), 0);
  // Two kills inside the 3 s run, each followed by a restart.
  std::size_t kills = 0;
  for (const auto& n : s.at("notes").as_array())
    if (std::string_view(n.as_string()).starts_with("SIGKILL at"))
      ++kills;
  EXPECT_EQ(kills, 2u);
}

TEST_F(BenchSmoke, RefusesTmpfsForDurableScenarios) {
  struct statfs st {};
  if (statfs("/dev/shm", &st) != 0 || st.f_type != 0x01021994)
    GTEST_SKIP() << "/dev/shm is not tmpfs here";
  auto shm = fs::path("/dev/shm") / dir.filename();
  fs::create_directories(shm);
  test_support::child_process child(
    bench_binary, {"--scenario=unique", "--count=4", "--no-baselines", "--data-dir=" + shm.string()},
    (dir / "tmpfs.log").string());
  auto status = child.wait_for_exit(60s);
  std::error_code ec;
  fs::remove_all(shm, ec);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 2);
  std::ifstream log(dir / "tmpfs.log");
  std::string text((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(text.find("is on tmpfs"), std::string::npos) << text;
}

// The bench's store check itself (apps/covsigner-bench/correctness.cpp,
// compiled into this binary): it must fail on each thing it claims to catch,
// on a real store written by the node's own writer.
namespace {

covenant::job stored_job(const std::string& request_id, const std::string& rrid) {
  covenant::job j;
  j.request_id = request_id;
  j.route_request_id = rrid;
  j.route = "qc_v1";
  j.idempotency_key = "idem-" + rrid;
  j.facade_request_id = "facade-" + rrid;
  j.request_digest = "0x" + std::string(64, 'a');
  j.state = covenant::job_state::pending;
  j.detail = std::string{covenant::accepted_detail};
  j.created_at = persistence::now_rfc3339nano();
  j.updated_at = j.created_at;
  j.request_json = R"({"route":"qc_v1"})";
  return j;
}

class BenchStoreCheck : public BenchSmoke {
protected:
  const std::string id1 = "kcs_qc_00000000000000a1", id2 = "kcs_qc_00000000000000a2";
  const std::string key1 = "qc_v1:r1", key2 = "qc_v1:r2";

  void SetUp() override {
    BenchSmoke::SetUp();
    persistence::posix_file_system fs;
    auto layout = persistence::store_layout::for_data_dir(dir / "data");
    auto opened = persistence::open_store(fs, layout);
    ASSERT_TRUE(std::holds_alternative<persistence::opened_store>(opened));
    persistence::job_writer writer(fs, layout, persistence::sync_mode::group);
    for (auto [id, rrid] : {std::pair{id1, "r1"}, std::pair{id2, "r2"}}) {
      std::promise<bool> done;
      persistence::write_op op;
      op.job = stored_job(id, rrid);
      writer.submit(std::move(op), [&](persistence::write_outcome o) { done.set_value(o.ok); });
      ASSERT_TRUE(done.get_future().get());
    }
  }

  bench::correctness_report check(const bench::ack_log& log) {
    return bench::check_store(dir / "data", log.merge());
  }
};

} // namespace

TEST_F(BenchStoreCheck, PassesWhenEveryAcknowledgedJobIsStoredOnce) {
  bench::ack_log log(2);
  log.sent(0, key1);
  log.sent(1, key2);
  log.acked(0, key1, id1);
  log.acked(1, key2, id2);
  auto r = check(log);
  EXPECT_TRUE(r.passed) << (r.problems.empty() ? "" : r.problems.front());
  EXPECT_EQ(r.jobs_in_store, 2u);
  EXPECT_EQ(r.keys_acked, 2u);
}

TEST_F(BenchStoreCheck, FailsOnAnAcknowledgedJobMissingFromTheStore) {
  bench::ack_log log(1);
  for (auto& [k, id] : {std::pair{key1, id1}, std::pair{key2, id2}, std::pair{std::string("qc_v1:r3"), std::string("kcs_qc_00000000000000a3")}}) {
    log.sent(0, k);
    log.acked(0, k, id);
  }
  auto r = check(log);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.acked_missing, 1u);
}

TEST_F(BenchStoreCheck, FailsOnAKeyAcknowledgedWithTwoRequestIds) {
  bench::ack_log log(2);
  log.sent(0, key1);
  log.sent(0, key2);
  log.acked(0, key1, id1);
  log.acked(1, key1, "kcs_qc_00000000000000ff");
  log.acked(0, key2, id2);
  auto r = check(log);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.split_acks, 1u);
}

TEST_F(BenchStoreCheck, FailsOnAJobForAKeyTheBenchNeverSent) {
  bench::ack_log log(1);
  log.sent(0, key1);
  log.acked(0, key1, id1);
  auto r = check(log);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.stray_jobs, 1u);
}

TEST_F(BenchStoreCheck, FailsOnQuarantinedFiles) {
  // A torn job file the loader must quarantine (and poison its key).
  std::ofstream(dir / "data" / "covenant-signer-jobs" / "kcs_qc_00000000000000a9.json") << "{\"requestId\":";
  bench::ack_log log(1);
  log.sent(0, key1);
  log.sent(0, key2);
  log.acked(0, key1, id1);
  log.acked(0, key2, id2);
  auto r = check(log);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.quarantined, 1u);
}

// The signing scenarios: jobs signed to READY by the dev signer, each one
// checked afterwards (apps/covsigner-bench/signing_check.cpp).
TEST_F(BenchSmoke, SignedJobsReachReadyAndPassTheSignedJobCheck) {
  auto s = scenario("sign", "http", {"--count=24"});
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(summary_field(s, "ok"), 24);
  EXPECT_EQ(check_field(s, "jobs_in_store"), 24);
  EXPECT_EQ(check_field(s, "signed_checked"), 24);
  EXPECT_EQ(check_field(s, "audit_lines"), 24);
  EXPECT_EQ(check_field(s, "signed_not_ready"), 0);
  EXPECT_EQ(check_field(s, "signed_audit_mismatch"), 0);
  EXPECT_EQ(check_field(s, "signed_bad_witness"), 0);
}

TEST_F(BenchSmoke, SignMixedSignsBothRoutes) {
  auto s = scenario("sign-mixed", "http", {"--count=16"});
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(summary_field(s, "ok"), 16);
  EXPECT_EQ(check_field(s, "signed_checked"), 16);
  EXPECT_EQ(check_field(s, "audit_lines"), 16);
}

namespace {

crypto::private_key filled_key(std::uint8_t fill) {
  std::array<std::uint8_t, 32> scalar;
  scalar.fill(fill);
  return *crypto::parse_private_key(scalar);
}

// A kept sign run's data dir, and the check's inputs for it (every job in
// its store counted as signed).
class BenchSignedJobCheck : public BenchSmoke {
protected:
  bench::signed_check_inputs in;

  void SetUp() override {
    BenchSmoke::SetUp();
    auto r = run({"--scenario=sign", "--concurrency=2", "--count=6", "--warmup=0", "--no-baselines",
                  "--keep-data"});
    ASSERT_TRUE(r.status && WIFEXITED(*r.status) && WEXITSTATUS(*r.status) == 0) << r.log;
    for (const auto& e : fs::directory_iterator(dir / "data"))
      if (e.is_directory() && e.path().filename().string().starts_with("run-sign-"))
        in.data_dir = e.path();
    ASSERT_FALSE(in.data_dir.empty()) << r.log;
    in.chain_file = in.data_dir.string() + "-chain.json";
    in.signer_public_key = crypto::serialize_compressed(crypto::derive_public_key(filled_key(0x22)));
    in.custodian_key = filled_key(0x33);
    persistence::posix_file_system pfs;
    auto opened = persistence::open_store(pfs, persistence::store_layout::for_data_dir(in.data_dir));
    ASSERT_TRUE(std::holds_alternative<persistence::opened_store>(opened));
    for (const auto& j : std::get<persistence::opened_store>(opened).loaded.jobs)
      in.signed_request_ids.insert(j.request_id);
    ASSERT_EQ(in.signed_request_ids.size(), 6u);
  }
  bench::correctness_report check() {
    bench::correctness_report r;
    r.passed = true;
    bench::check_signed_jobs(in, r);
    return r;
  }
  fs::path audit_log() const { return persistence::audit_log_path(in.data_dir); }
};

} // namespace

TEST_F(BenchSignedJobCheck, PassesOnTheRunAsTheNodeLeftIt) {
  auto r = check();
  EXPECT_TRUE(r.passed) << (r.problems.empty() ? "" : r.problems.front());
  EXPECT_EQ(r.signed_checked, 6u);
  EXPECT_EQ(r.audit_lines, 6u);
}

TEST_F(BenchSignedJobCheck, FailsOnADuplicatedAuditLine) {
  std::string first;
  {
    std::ifstream log(audit_log());
    std::getline(log, first);
  }
  std::ofstream(audit_log(), std::ios::app) << first << "\n";
  auto r = check();
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.signed_audit_mismatch, 1u);
}

TEST_F(BenchSignedJobCheck, FailsOnAMissingAuditLine) {
  std::ifstream log(audit_log());
  std::string line, kept;
  std::getline(log, line); // dropped
  while (std::getline(log, line))
    kept += line + "\n";
  log.close();
  std::ofstream(audit_log(), std::ios::trunc) << kept;
  auto r = check();
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.signed_audit_mismatch, 1u);
}

TEST_F(BenchSignedJobCheck, FailsOnAWitnessTheInterpreterRefuses) {
  // The sign scenario's jobs are self_v1: tamper with one stored witness.
  persistence::posix_file_system pfs;
  auto layout = persistence::store_layout::for_data_dir(in.data_dir);
  covenant::job j;
  {
    auto opened = persistence::open_store(pfs, layout);
    ASSERT_TRUE(std::holds_alternative<persistence::opened_store>(opened));
    j = std::get<persistence::opened_store>(opened).loaded.jobs.front();
  }
  // Flip one hex digit 100 bytes from the end: inside the witness (its
  // script), which the txid does not cover, so only the interpreter sees it.
  auto& hex = j.transaction_hex;
  auto at = hex.size() - 200;
  hex[at] = hex[at] == '0' ? '1' : '0';
  persistence::write_op op;
  op.type = persistence::write_op::kind::update;
  op.job = j;
  std::optional<persistence::io_error> latched;
  auto outcomes = persistence::run_write_round(pfs, layout, {op}, latched);
  ASSERT_TRUE(outcomes.at(0).ok);
  auto r = check();
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.signed_bad_witness, 1u) << (r.problems.empty() ? "" : r.problems.front());
}

TEST_F(BenchSmoke, SignRunsMeasureTheSigningCpuLimit) {
  auto r = run({"--scenario=sign", "--concurrency=2", "--count=8", "--warmup=0",
                "--baseline-duration=300ms"});
  ASSERT_TRUE(r.status && WIFEXITED(*r.status) && WEXITSTATUS(*r.status) == 0) << r.log;
  ASSERT_TRUE(r.json.contains("baselines")) << r.log;
  const auto& limit = r.json.at("baselines").at("signing_cpu_limit").as_object();
  EXPECT_GT(limit.at("jobs").as_int64(), 0);
  EXPECT_GT(limit.at("cost_per_job_us").as_double(), 0);
  // limit = cores / cost, exactly.
  EXPECT_NEAR(limit.at("limit_per_s").as_double(),
              limit.at("cores").to_number<double>() / (limit.at("cost_per_job_us").as_double() / 1e6), 1e-6);
  EXPECT_NE(r.log.find("of the CPU limit"), std::string::npos) << r.log;
}
