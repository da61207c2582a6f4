// covsigner-bench against a node it did not start (--url): covsignerd run by
// the test as operators run it (a client token file; HTTPS in the second
// fixture), the bench driving it like wrk or k6 would, then checking it
// remotely (polls of every acknowledged requestId, resubmits of a sample).
// Also: the startup probe stops the bench with the node's own 401 / 400
// text, non-loopback targets are refused, and --find-knee finishes within
// its bound with a curve and a plot. Everything talks to 127.0.0.1 only, is
// bounded in time (children SIGKILLed by PID after 120 s) and short (a
// couple of seconds per scenario).
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace covsigner;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string bench_binary = std::string{COVSIGNER_BINARY_DIR} + "/covsigner-bench";
const std::string covsignerd = std::string{COVSIGNER_BINARY_DIR} + "/covsignerd";
const std::string token = "bench-remote-test-token";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string write_private(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
  fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  return p.string();
}

// A covsignerd child with a token file and its per-token budgets off (a
// benchmark measures the node, not its rate limiter), over HTTP or HTTPS.
class BenchRemote : public ::testing::Test {
protected:
  test_support::temp_dir dir;
  int port = test_support::free_loopback_port();
  std::unique_ptr<test_support::child_process> node;
  std::string cert; // HTTPS: the node's self-signed certificate (its own CA)

  std::string url() const {
    return (cert.empty() ? "http://127.0.0.1:" : "https://127.0.0.1:") + std::to_string(port);
  }
  std::string token_file() const { return (dir.path() / "token").string(); }

  void start_node(bool tls, std::vector<std::string> extra = {}) {
    write_private(token_file(), token + "\n");
    std::vector<std::string> args{"--port=" + std::to_string(port), "--listen-address=127.0.0.1",
                                  "--data-dir=" + (dir.path() / "data").string(),
                                  "--auth-token-file=" + token_file(),
                                  "--rate-limit.requests-per-minute=0",
                                  "--rate-limit.submit-per-minute=0",
                                  "--rate-limit.poll-per-minute=0"};
    if (tls) {
      cert = (dir.path() / "cert.pem").string();
      auto key = (dir.path() / "key.pem").string();
      auto cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
                 "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
                 key + " -out " + cert + " >/dev/null 2>&1";
      ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl could not make a test certificate";
      fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
      args.push_back("--http.tls-cert-file=" + cert);
      args.push_back("--http.tls-key-file=" + key);
    }
    args.insert(args.end(), extra.begin(), extra.end());
    node = std::make_unique<test_support::child_process>(covsignerd, args,
                                                         (dir.path() / "covsignerd.log").string());
    ASSERT_TRUE(wait_healthy()) << slurp(dir.path() / "covsignerd.log");
  }

  bool wait_healthy() {
    httplib::Client http(url());
    if (!cert.empty()) {
      http.set_ca_cert_path(cert);
      http.enable_server_certificate_verification(true);
    }
    http.set_connection_timeout(0, 200000);
    for (int i = 0; i < 200 && node->running(); ++i) {
      if (auto res = http.Get("/healthz"); res && res->status == 200)
        return true;
      node->wait_for_exit(50ms);
    }
    return false;
  }

  void TearDown() override {
    if (node && node->running()) {
      node->signal(SIGTERM);
      node->wait_for_exit(20s); // the destructor SIGKILLs by PID if it is still up
    }
  }

  struct run_result {
    std::optional<int> status; // waitpid status; nullopt: killed after the bound
    boost::json::object json;
    std::string log;           // stdout + stderr
    int exit_code() const { return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1; }
  };

  run_result bench(std::vector<std::string> args) {
    run_result r;
    auto json_file = dir.path() / "result.json";
    auto log_file = dir.path() / "bench.log";
    fs::remove(json_file);
    fs::remove(log_file);
    args.push_back("--json=" + json_file.string());
    {
      test_support::child_process child(bench_binary, args, log_file.string());
      r.status = child.wait_for_exit(120s);
    }
    r.log = slurp(log_file);
    boost::system::error_code ec;
    auto v = boost::json::parse(slurp(json_file), ec);
    if (!ec && v.is_object())
      r.json = v.as_object();
    return r;
  }

  // The bench on our node with the token (and, for HTTPS, the CA).
  std::vector<std::string> target_args() const {
    std::vector<std::string> a{"--url=" + url(), "--auth-token-file=" + token_file()};
    if (!cert.empty())
      a.push_back("--ca-file=" + cert);
    return a;
  }

  // One scenario for `seconds`; checks what every remote run must show and
  // returns its scenario object.
  boost::json::object scenario(const std::string& name, const std::string& seconds,
                               std::vector<std::string> extra = {}) {
    auto args = target_args();
    for (const auto& a : {"--scenario=" + name, "--duration=" + seconds, std::string("--concurrency=8"),
                          std::string("--warmup=0"), std::string("--check-rate=5000")})
      args.push_back(a);
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = bench(args);
    EXPECT_TRUE(r.status.has_value()) << "bench did not finish within 120 s\n" << r.log;
    EXPECT_EQ(r.exit_code(), 0) << r.log;
    if (!r.json.contains("scenarios")) {
      ADD_FAILURE() << "no JSON report\n" << r.log;
      return {};
    }
    EXPECT_TRUE(r.json.at("passed").as_bool()) << r.log;
    EXPECT_EQ(r.json.at("machine").at("target").as_string(), url());
    auto s = r.json.at("scenarios").at(0).as_object();
    EXPECT_EQ(s.at("scenario").as_string(), name);
    const auto& c = s.at("correctness").as_object();
    // The remote check ran (no store scan is possible) and found everything.
    EXPECT_EQ(c.at("check").as_string(), "remote polls") << r.log;
    EXPECT_TRUE(c.at("passed").as_bool()) << boost::json::serialize(c) << "\n" << r.log;
    EXPECT_GT(c.at("keys_acknowledged").as_int64(), 0);
    EXPECT_GT(c.at("polled").as_int64(), 0);
    EXPECT_EQ(c.at("found").as_int64(), c.at("polled").as_int64());
    EXPECT_GT(c.at("resubmitted").as_int64(), 0);
    EXPECT_EQ(c.at("resubmit_same_request_id").as_int64(), c.at("resubmitted").as_int64());
    EXPECT_EQ(c.at("split_acknowledgements").as_int64(), 0);
    EXPECT_NE(r.log.find("remote polls:"), std::string::npos) << "the table names the check\n" << r.log;
    return s;
  }

  static const boost::json::object& summary(const boost::json::object& s) {
    return s.at("phases").at(0).at("summary").as_object();
  }

  // Every scenario the issue names, against whatever node start_node made.
  void every_scenario(const std::string& seconds) {
    auto unique = scenario("unique", seconds);
    if (!unique.empty()) {
      EXPECT_GT(summary(unique).at("ok").as_int64(), 0);
      EXPECT_EQ(summary(unique).at("ok").as_int64(), summary(unique).at("count").as_int64());
      EXPECT_EQ(unique.at("correctness").at("keys_acknowledged").as_int64(),
                summary(unique).at("ok").as_int64());
    }
    // The dedupe storm, then wrk on the same URL and body (the client baseline).
    auto dup = scenario("duplicate", seconds);
    if (!dup.empty()) {
      EXPECT_EQ(summary(dup).at("ok").as_int64(), summary(dup).at("count").as_int64());
      EXPECT_EQ(dup.at("correctness").at("keys_acknowledged").as_int64(), 1);
      ASSERT_TRUE(dup.contains("wrk"));
      const auto& wrk = dup.at("wrk").as_object();
      ASSERT_FALSE(wrk.contains("error")) << boost::json::serialize(wrk);
      EXPECT_GT(wrk.at("requests_per_s").as_double(), 0);
      EXPECT_EQ(wrk.at("non_2xx").as_int64(), 0) << "wrk's dedupe hits were refused";
    }
    auto conflict = scenario("conflict", seconds);
    if (!conflict.empty()) {
      EXPECT_EQ(summary(conflict).at("ok").as_int64(), 1);
      EXPECT_EQ(summary(conflict).at("errors").at("400").as_int64(),
                summary(conflict).at("count").as_int64() - 1);
    }
    auto mixed = scenario("mixed", seconds);
    if (!mixed.empty()) {
      const auto& ops = mixed.at("phases").at(0).at("by_op").as_object();
      for (auto op : {"new-submit", "dedupe-submit", "poll"})
        EXPECT_TRUE(ops.contains(op)) << op;
      EXPECT_EQ(summary(mixed).at("ok").as_int64(), summary(mixed).at("count").as_int64());
    }
  }
};

} // namespace

TEST_F(BenchRemote, DrivesATokenedNodeInEveryScenarioAndChecksItRemotely) {
  ASSERT_NO_FATAL_FAILURE(start_node(false));
  every_scenario("2s");
}

TEST_F(BenchRemote, DrivesAnHttpsNodeWithItsCa) {
  ASSERT_NO_FATAL_FAILURE(start_node(true));
  every_scenario("1s");
}

TEST_F(BenchRemote, HttpsWithoutTheCaStopsAtStartup) {
  ASSERT_NO_FATAL_FAILURE(start_node(true));
  auto r = bench({"--url=" + url(), "--auth-token-file=" + token_file(), "--duration=1s"});
  EXPECT_EQ(r.exit_code(), 2) << r.log;
  EXPECT_NE(r.log.find(url() + " did not answer the bench's probe submit: SSLServerVerification"),
            std::string::npos)
    << r.log;
}

TEST_F(BenchRemote, AWrongTokenStopsAtStartupWithTheNodes401) {
  ASSERT_NO_FATAL_FAILURE(start_node(false));
  auto wrong = write_private(dir.path() / "wrong-token", "not-the-token\n");
  auto r = bench({"--url=" + url(), "--auth-token-file=" + wrong, "--duration=1s"});
  EXPECT_EQ(r.exit_code(), 2) << r.log;
  EXPECT_NE(r.log.find(url() + " refused the bench's submit body (dev-key qc_v1 body): HTTP 401 "
                             "invalid bearer token\n"),
            std::string::npos)
    << r.log;
  EXPECT_EQ(r.log.find(" done "), std::string::npos) << "a load ran after the refusal\n" << r.log;
  // No token at all: the node's other 401.
  auto none = bench({"--url=" + url(), "--duration=1s"});
  EXPECT_EQ(none.exit_code(), 2) << none.log;
  EXPECT_NE(none.log.find("HTTP 401 missing bearer token\n"), std::string::npos) << none.log;
}

TEST_F(BenchRemote, ABodyTheNodeRefusesStopsItWithTheNodes400) {
  // The dev body is signed under chainId 0; this node's domain is chainId 5.
  ASSERT_NO_FATAL_FAILURE(start_node(false, {"--eip712-chain-id=5"}));
  auto r = bench(target_args());
  EXPECT_EQ(r.exit_code(), 2) << r.log;
  EXPECT_NE(r.log.find("refused the bench's submit body (dev-key qc_v1 body): HTTP 400 "
                       "request.artifactApprovals.approvals[0].signature does not verify against "
                       "the required public key\n"),
            std::string::npos)
    << r.log;
  EXPECT_EQ(r.log.find(" done "), std::string::npos) << "a load ran after the refusal\n" << r.log;
}

TEST_F(BenchRemote, ASignedBodyTemplateServesEveryKey) {
  // The committed example (examples/requests/), as an operator's own signed
  // body: the bench rewrites only routeRequestId and facadeRequestId.
  ASSERT_NO_FATAL_FAILURE(start_node(false));
  auto s = scenario("unique", "1s",
                    {"--body-template=" + std::string{COVSIGNER_SOURCE_DIR} + "/examples/requests/qc_v1.json"});
  ASSERT_FALSE(s.empty());
  EXPECT_GT(summary(s).at("ok").as_int64(), 1);
}

TEST_F(BenchRemote, RefusesNonLoopbackTargetsWithoutAllowRemote) {
  // Refused before any connection: nothing listens there, nothing is sent.
  auto r = bench({"--url=http://192.0.2.1:8640", "--duration=1s"});
  EXPECT_EQ(r.exit_code(), 2) << r.log;
  EXPECT_NE(r.log.find("refusing to load-test [192.0.2.1]: it is not a loopback address"),
            std::string::npos)
    << r.log;
  EXPECT_EQ(r.log.find("probe:"), std::string::npos) << r.log;
  auto help = bench({"--help"});
  EXPECT_EQ(help.exit_code(), 0);
  EXPECT_NE(help.log.find("a LOAD TEST"), std::string::npos) << help.log;
  EXPECT_NE(help.log.find("--allow-remote"), std::string::npos);
}

TEST_F(BenchRemote, FindsTheKneeOfALocalCovsignerdWithinItsBound) {
  ASSERT_NO_FATAL_FAILURE(start_node(false));
  const auto plot = dir.path() / "knee.svg";
  auto args = target_args();
  // Short steps from a low rate: at most 6 x 1 s of load (plus each step's
  // drain) whatever the machine does.
  for (const auto& a : {"--scenario=unique", "--find-knee", "--rate=100", "--knee-growth=2",
                        "--step-duration=1s", "--knee-max-steps=6", "--p99-budget=500ms",
                        "--concurrency=32", "--warmup=0", "--check-rate=5000"})
    args.push_back(a);
  args.push_back("--plot=" + plot.string());
  auto r = bench(args);
  ASSERT_TRUE(r.status.has_value()) << "the knee search overran its bound\n" << r.log;
  EXPECT_EQ(r.exit_code(), 0) << r.log;
  ASSERT_TRUE(r.json.contains("scenarios")) << r.log;
  EXPECT_LT(r.json.at("wall_seconds").as_double(), 90);
  const auto& s = r.json.at("scenarios").at(0).as_object();
  const auto& knee = s.at("knee").as_object();
  ASSERT_TRUE(knee.at("knee_rate_per_s").is_double()) << boost::json::serialize(knee) << r.log;
  EXPECT_GE(knee.at("knee_rate_per_s").as_double(), 100);
  const auto& steps = knee.at("steps").as_array();
  // How many steps hold depends on the machine (a sanitizer build on a busy
  // 2-core host holds only the first): at least one held step and the step
  // that ended the search, and the search stops at the bound.
  EXPECT_GE(steps.size(), 2u) << r.log;
  EXPECT_LE(steps.size(), 6u);
  double offered = 100;
  for (const auto& st : steps) {
    EXPECT_DOUBLE_EQ(st.at("offered_per_s").as_double(), offered);
    EXPECT_GT(st.at("count").as_int64(), 0);
    EXPECT_LE(st.at("p50_us").as_double(), st.at("p99_us").as_double());
    EXPECT_TRUE(st.at("phase").as_object().contains("series"));
    offered *= 2;
  }
  // The knee is the last step that held; any step after it did not.
  for (std::size_t i = 0; i < steps.size(); ++i) {
    bool held = steps[i].at("held").as_bool();
    if (steps[i].at("offered_per_s").as_double() <= knee.at("knee_rate_per_s").as_double())
      EXPECT_TRUE(held) << i;
    else
      EXPECT_FALSE(held) << i;
  }
  EXPECT_FALSE(knee.at("stop_reason").as_string().empty());
  EXPECT_TRUE(s.at("correctness").at("passed").as_bool()) << r.log;
  EXPECT_NE(r.log.find("Knee: unique url c32 knee"), std::string::npos) << r.log;
  EXPECT_NE(r.log.find("knee: "), std::string::npos);
  auto svg = slurp(plot);
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("knee: unique url c32 knee"), std::string::npos);
  EXPECT_NE(svg.find("<circle"), std::string::npos);
}

TEST_F(BenchRemote, SpreadsClientsOverSeveralUrlsAndTheRemoteCheckCatchesWhatIsNotThere) {
  // Two nodes with separate stores: not a cluster (a cluster shares one
  // store). The clients alternate between them, so both create jobs; the
  // check's polls alternate too, and half of them ask the node that never
  // saw the job: it must answer 404 and the check must fail (exit 1).
  ASSERT_NO_FATAL_FAILURE(start_node(false));
  const int first_port = port;
  auto first = std::move(node);
  port = test_support::free_loopback_port();
  const auto second_data = (dir.path() / "data2").string();
  node = std::make_unique<test_support::child_process>(
    covsignerd,
    std::vector<std::string>{"--port=" + std::to_string(port), "--data-dir=" + second_data,
                             "--auth-token-file=" + token_file(),
                             "--rate-limit.requests-per-minute=0", "--rate-limit.submit-per-minute=0",
                             "--rate-limit.poll-per-minute=0"},
    (dir.path() / "covsignerd2.log").string());
  ASSERT_TRUE(wait_healthy()) << slurp(dir.path() / "covsignerd2.log");
  auto r = bench({"--url=http://127.0.0.1:" + std::to_string(first_port), "--url=" + url(),
                  "--auth-token-file=" + token_file(), "--scenario=unique", "--count=40",
                  "--concurrency=4", "--warmup=0"});
  first->signal(SIGTERM);
  first->wait_for_exit(20s);
  EXPECT_EQ(r.exit_code(), 1) << r.log;
  ASSERT_TRUE(r.json.contains("scenarios")) << r.log;
  const auto& c = r.json.at("scenarios").at(0).at("correctness").as_object();
  EXPECT_FALSE(c.at("passed").as_bool());
  EXPECT_EQ(c.at("keys_acknowledged").as_int64(), 40);
  EXPECT_EQ(c.at("polled").as_int64(), 40);
  EXPECT_GT(c.at("found").as_int64(), 0) << "every poll missed: were the clients spread?";
  EXPECT_LT(c.at("found").as_int64(), 40);
  EXPECT_GT(c.at("acknowledged_missing").as_int64(), 0);
  EXPECT_NE(r.log.find("HTTP 404"), std::string::npos) << r.log;
  EXPECT_NE(r.log.find("FAILED"), std::string::npos) << r.log;
}
