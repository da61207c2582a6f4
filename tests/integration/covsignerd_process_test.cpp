// covsignerd as users run it: a child process serving HTTP on 127.0.0.1,
// stopped with SIGTERM, restarted on the same data dir.
#include "tests/support/child_process.hpp"
#include "tests/support/dev_examples.hpp"
#include "tests/support/requests.hpp"
#include "tests/support/temp_dir.hpp"

#include "bitcoin/covenant_transaction.hpp"
#include "bitcoin/interpreter.hpp"
#include "bitcoin/script.hpp"
#include "covenant/handoff.hpp"
#include "covenant/signing_engine.hpp"
#include "persistence/audit_log.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

using namespace covsigner;
using namespace std::chrono_literals;

namespace {

const std::string covsignerd = std::string{COVSIGNER_BINARY_DIR} + "/covsignerd";

class Covsignerd : public ::testing::Test {
protected:
  test_support::temp_dir dir;
  int port = test_support::free_loopback_port();
  std::string log = (dir.path() / "covsignerd.log").string();

  std::unique_ptr<test_support::child_process> start(std::vector<std::string> extra = {}) {
    // The pinned vectors were made under the zero EIP-712 domain.
    std::vector<std::string> args{"--data-dir=" + (dir.path() / "data").string(),
                                  "--port=" + std::to_string(port),
                                  "--eip712-salt=0x" + std::string(64, '0')};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<test_support::child_process>(covsignerd, args, log);
  }

  // Waits until /healthz answers (the node has loaded its store).
  bool wait_healthy(test_support::child_process& child) {
    httplib::Client http("127.0.0.1", port);
    http.set_connection_timeout(0, 200000);
    for (int i = 0; i < 200 && child.running(); ++i) {
      if (auto res = http.Get("/healthz"); res && res->status == 200)
        return true;
      child.wait_for_exit(50ms);
    }
    return false;
  }

  std::string log_text() {
    std::ifstream in(log);
    return {std::istreambuf_iterator<char>(in), {}};
  }
};

} // namespace

TEST_F(Covsignerd, ServesSubmitsAndStopsCleanlyOnSigterm) {
  auto child = start();
  ASSERT_TRUE(wait_healthy(*child)) << log_text();
  httplib::Client http("127.0.0.1", port);
  auto qc = test_support::vector_request("qc_v1");
  auto res = http.Post("/v1/qc_v1/signer/requests", test_support::submit_body(qc, "proc-1"),
                       "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto id = std::string{boost::json::parse(res->body).at("requestId").as_string()};

  child->signal(SIGTERM);
  auto status = child->wait_for_exit(20s);
  ASSERT_TRUE(status) << "covsignerd did not stop on SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0) << log_text();

  // The lock was released: a new process opens the same data dir, and the
  // acknowledged job is still there.
  auto again = start();
  ASSERT_TRUE(wait_healthy(*again)) << log_text();
  auto poll = http.Post(("/v1/qc_v1/signer/requests/" + id + ":poll").c_str(),
                        test_support::submit_body(qc, "proc-1"), "application/json");
  ASSERT_TRUE(poll);
  EXPECT_EQ(poll->status, 200) << poll->body;
  EXPECT_NE(poll->body.find(id), std::string::npos);
  again->signal(SIGINT);
  auto stopped = again->wait_for_exit(20s);
  ASSERT_TRUE(stopped);
  EXPECT_EQ(WEXITSTATUS(*stopped), 0);
}

TEST_F(Covsignerd, RefusesToStartWhileAnotherProcessHoldsTheDataDir) {
  auto first = start();
  ASSERT_TRUE(wait_healthy(*first)) << log_text();
  port = test_support::free_loopback_port();
  auto second = start();
  auto status = second->wait_for_exit(20s);
  ASSERT_TRUE(status) << "second covsignerd kept running";
  EXPECT_NE(WEXITSTATUS(*status), 0);
  EXPECT_NE(log_text().find("cannot acquire exclusive lock"), std::string::npos) << log_text();
}

TEST_F(Covsignerd, HelpListsEveryOptionWithItsDefault) {
  auto child = std::make_unique<test_support::child_process>(
    covsignerd, std::vector<std::string>{"--help"}, log);
  auto status = child->wait_for_exit(20s);
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  auto text = log_text();
  for (auto option : {"--port", "--listen-address", "--data-dir", "--enable-self-v1",
                      "--store.sync", "--http.workers", "--sessions.max-in-flight",
                      "--eip712-chain-id", "--eip712-salt", "--auth-token-file",
                      "--admin-auth-token-file", "--http.open-probes",
                      "--http.max-waiting-submits", "--http.max-waiting-connections",
                      "--http.keep-alive-max-requests", "--rate-limit.requests-per-minute",
                      "--rate-limit.submit-per-minute", "--rate-limit.submit-burst",
                      "--rate-limit.poll-per-minute", "--rate-limit.poll-burst",
                      "--config-file"})
    EXPECT_NE(text.find(option), std::string::npos) << option << "\n" << text;
  EXPECT_NE(text.find("default: 8640"), std::string::npos);
}

TEST_F(Covsignerd, RejectsAnInvalidPort) {
  auto child = start({"--port=70000"});
  auto status = child->wait_for_exit(20s);
  ASSERT_TRUE(status);
  EXPECT_NE(WEXITSTATUS(*status), 0);
  EXPECT_NE(log_text().find("invalid covenant signer port [70000]"), std::string::npos)
    << log_text();
}

namespace {

// Sets an environment variable for the children started in its lifetime
// (they inherit it at fork), and removes it afterwards.
struct scoped_env {
  std::string name;
  scoped_env(std::string n, const std::string& value) : name(std::move(n)) {
    setenv(name.c_str(), value.c_str(), 1);
  }
  ~scoped_env() { unsetenv(name.c_str()); }
};

} // namespace

TEST_F(Covsignerd, RefusesANonLoopbackAddressWithoutTokens) {
  auto child = start({"--listen-address=0.0.0.0"});
  auto status = child->wait_for_exit(20s);
  ASSERT_TRUE(status);
  EXPECT_NE(WEXITSTATUS(*status), 0);
  EXPECT_NE(log_text().find(
              "covenant signer authToken is required for non-loopback listenAddress [0.0.0.0]"),
            std::string::npos)
    << log_text();
  // Refused before the store was opened: the data dir was not even created.
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "data"));
}

TEST_F(Covsignerd, RefusesANonLoopbackAddressWithoutAnAdminToken) {
  scoped_env client{"COVSIGNER_AUTH_TOKEN", "env-client-token"};
  auto child = start({"--listen-address=0.0.0.0"});
  auto status = child->wait_for_exit(20s);
  ASSERT_TRUE(status);
  EXPECT_NE(WEXITSTATUS(*status), 0);
  EXPECT_NE(log_text().find("covenant signer adminAuthToken is required for non-loopback "
                            "listenAddress [0.0.0.0]"),
            std::string::npos)
    << log_text();
}

TEST_F(Covsignerd, TakesTheClientTokenFromTheEnvironment) {
  std::unique_ptr<test_support::child_process> child;
  {
    scoped_env client{"COVSIGNER_AUTH_TOKEN", "env-client-token"};
    child = start();
  }
  ASSERT_TRUE(wait_healthy(*child)) << log_text();
  httplib::Client http("127.0.0.1", port);
  auto body = test_support::submit_body(test_support::vector_request("qc_v1"), "env-1");
  auto refused = http.Post("/v1/qc_v1/signer/requests", body, "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  auto accepted = http.Post("/v1/qc_v1/signer/requests",
                            {{"Authorization", "Bearer env-client-token"}}, body,
                            "application/json");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->status, 200) << accepted->body;
  child->signal(SIGTERM);
  ASSERT_TRUE(child->wait_for_exit(20s));
  EXPECT_NE(log_text().find("auth=[true]"), std::string::npos) << log_text();
  EXPECT_EQ(log_text().find("env-client-token"), std::string::npos) << "a token was logged";
}

TEST_F(Covsignerd, TakesTokensFromTokenFiles) {
  auto client_file = (dir.path() / "client-tokens").string();
  auto admin_file = (dir.path() / "admin-token").string();
  std::ofstream(client_file) << "# one client per line\nfile-token-1\nfile-token-2\n";
  std::ofstream(admin_file) << "file-admin-token\n";
  auto child = start({"--auth-token-file=" + client_file, "--admin-auth-token-file=" + admin_file});
  ASSERT_TRUE(wait_healthy(*child)) << log_text();
  httplib::Client http("127.0.0.1", port);
  auto body = test_support::submit_body(test_support::vector_request("qc_v1"), "file-1");
  for (auto token : {"file-token-1", "file-token-2"}) {
    auto res = http.Post("/v1/qc_v1/signer/requests",
                         {{"Authorization", std::string{"Bearer "} + token}}, body,
                         "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
  }
  auto admin = http.Post("/v1/admin/signer-approval-certificates",
                         {{"Authorization", "Bearer file-admin-token"}}, "{}", "application/json");
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->status, 501);
  child->signal(SIGTERM);
  ASSERT_TRUE(child->wait_for_exit(20s));
  auto text = log_text();
  for (auto token : {"file-token-1", "file-token-2", "file-admin-token"})
    EXPECT_EQ(text.find(token), std::string::npos) << "a token was logged";
}

TEST_F(Covsignerd, RefusesATokenInBothTheEnvironmentAndAFile) {
  auto client_file = (dir.path() / "client-tokens").string();
  std::ofstream(client_file) << "file-token\n";
  scoped_env client{"COVSIGNER_AUTH_TOKEN", "env-token"};
  auto child = start({"--auth-token-file=" + client_file});
  auto status = child->wait_for_exit(20s);
  ASSERT_TRUE(status);
  EXPECT_NE(WEXITSTATUS(*status), 0);
  EXPECT_NE(log_text().find("both COVSIGNER_AUTH_TOKEN and the token file [" + client_file +
                            "] are set; use one"),
            std::string::npos)
    << log_text();
}

// keep-core TestInitializeRejectsInvalidOrUnavailablePort (port -1) and
// TestInitializeReleasesStoreLockAfterLaterStartupFailure (occupied port).
TEST_F(Covsignerd, RejectsANegativePort) {
  auto child = start({"--port=-1"});
  auto status = child->wait_for_exit(20s);
  ASSERT_TRUE(status);
  EXPECT_NE(WEXITSTATUS(*status), 0);
  EXPECT_NE(log_text().find("invalid covenant signer port [-1]"), std::string::npos) << log_text();
}

TEST_F(Covsignerd, AnOccupiedPortFailsStartupAndReleasesTheStoreLock) {
  // A plain listening socket (no SO_REUSEPORT) holds the port.
  int occupant = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(occupant, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(occupant, 4), 0);
  auto child = start();
  auto status = child->wait_for_exit(20s);
  ASSERT_TRUE(status) << "covsignerd kept running on an occupied port";
  EXPECT_NE(WEXITSTATUS(*status), 0);
  EXPECT_NE(log_text().find("failed to bind covenant signer port [" + std::to_string(port) + "]"),
            std::string::npos)
    << log_text();
  close(occupant);
  // The store it had opened was closed: a retry on the same data dir starts.
  port = test_support::free_loopback_port();
  auto again = start();
  ASSERT_TRUE(wait_healthy(*again)) << log_text();
  again->signal(SIGTERM);
  ASSERT_TRUE(again->wait_for_exit(20s));
}

TEST_F(Covsignerd, ServesHttpsWithACertificateAndKey) {
  auto cert = (dir.path() / "cert.pem").string();
  auto key = (dir.path() / "key.pem").string();
  auto cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
             "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
             key + " -out " + cert + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl could not make a test certificate";
  auto child = start({"--http.tls-cert-file=" + cert, "--http.tls-key-file=" + key});
  httplib::SSLClient https("127.0.0.1", port);
  https.set_ca_cert_path(cert.c_str());
  https.enable_server_certificate_verification(true);
  https.set_connection_timeout(0, 200000);
  bool healthy = false;
  for (int i = 0; i < 200 && child->running() && !healthy; ++i) {
    auto res = https.Get("/healthz");
    healthy = res && res->status == 200;
    if (!healthy)
      child->wait_for_exit(50ms);
  }
  ASSERT_TRUE(healthy) << log_text();
  child->signal(SIGTERM);
  ASSERT_TRUE(child->wait_for_exit(20s));
  EXPECT_NE(log_text().find("tls=[true]"), std::string::npos) << log_text();
}

// --- The chain, trust roots and the reference's startup checks (§7.3) ------

namespace {

const std::string source_dir = COVSIGNER_SOURCE_DIR;
const std::string required_when =
  " when covenantSigner.requireApprovalTrustRoots=true or for a non-loopback listen address";

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

// qc_v1 depositor and custodian roots for the examples' reserve: the dev keys.
std::string write_trust_roots(const std::filesystem::path& dir, const std::string& eth = "") {
  auto path = (dir / (eth.empty() ? "trust-roots.json" : "trust-roots-eth.json")).string();
  std::string eth_field = eth.empty() ? "" : R"(,"ethAddress":")" + eth + "\"";
  std::ofstream(path) << R"({"depositorTrustRoots":[{"route":"qc_v1","reserve":")"
                      << "0x" + std::string(40, '2') << R"(","network":"testnet","publicKey":")"
                      << test_support::dev_public_key_hex(0x11) << "\"" << eth_field
                      << R"(}],"custodianTrustRoots":[{"route":"qc_v1","reserve":")"
                      << "0x" + std::string(40, '2') << R"(","network":"testnet","publicKey":")"
                      << test_support::dev_public_key_hex(0x33) << R"("}]})";
  return path;
}

} // namespace

namespace {

// What `make run` starts (examples/dev.ini), with paths made absolute, the
// key file as `make run` leaves it (mode 0600) and `extra` options.
std::vector<std::string> dev_ini_args(const std::filesystem::path& dir,
                                      std::vector<std::string> extra) {
  std::vector<std::string> args{
    "--config-file=" + source_dir + "/examples/dev.ini",
    "--chain.fixture-file=" + source_dir + "/examples/chain/dev-chain.json",
    "--signer.key-file=" + test_support::copy_dev_signer_key(dir).string(),
    "--data-dir=" + (dir / "data").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::string json_string(const boost::json::value& v, const char* key) {
  const auto* o = v.if_object();
  const auto* member = o ? o->if_contains(key) : nullptr;
  return member && member->is_string() ? std::string(member->as_string()) : "<missing>";
}

} // namespace

TEST_F(Covsignerd, DevIniRunsTheSimulatedFixtureChainAndVerifiesCertificates) {
  // What `make run` starts, on a free port and a temporary data dir.
  auto child = std::make_unique<test_support::child_process>(
    covsignerd, dev_ini_args(dir.path(), {"--port=" + std::to_string(port)}), log);
  ASSERT_TRUE(wait_healthy(*child)) << log_text();
  httplib::Client http("127.0.0.1", port);
  int ready_status = 0;
  for (int i = 0; i < 40 && ready_status != 200; ++i) {
    if (auto res = http.Get("/readyz"))
      ready_status = res->status;
    if (ready_status != 200)
      std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(ready_status, 200) << log_text();
  EXPECT_NE(log_text().find("SIMULATED"), std::string::npos) << log_text();
  // Every chain reader's breaker shows in /readyz and /metrics.
  auto ready = http.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_NE(ready->body.find(R"("breakers":{)"), std::string::npos) << ready->body;
  EXPECT_NE(ready->body.find(R"("Bridge":"closed")"), std::string::npos) << ready->body;
  EXPECT_NE(ready->body.find(R"("wallet registry":"closed")"), std::string::npos) << ready->body;
  EXPECT_NE(ready->body.find(R"("Bitcoin":"closed")"), std::string::npos) << ready->body;
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find(R"(covsigner_reader_breaker_state{reader="Bridge",state="closed"} 1)"),
            std::string::npos) << metrics->body;

  // The README walk-through: the certified examples sign on the dev chain.
  std::map<std::string, boost::json::value> answers;
  for (std::string route : {"qc_v1", "self_v1"}) {
    const std::string body = slurp(source_dir + "/examples/requests/" + route + "-certified.json");
    auto res = http.Post("/v1/" + route + "/signer/requests", body, "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << route << ": " << res->body;
    auto answer = boost::json::parse(res->body);
    ASSERT_EQ(json_string(answer, "status"), "READY") << route << ": " << res->body;
    // The same body again (dedupe) and a poll answer the same result.
    auto again = http.Post("/v1/" + route + "/signer/requests", body, "application/json");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->body, res->body);
    auto poll = http.Post("/v1/" + route + "/signer/requests/" +
                            json_string(answer, "requestId") + ":poll",
                          body, "application/json");
    ASSERT_TRUE(poll);
    EXPECT_EQ(poll->body, res->body);
    answers[route] = std::move(answer);
  }

  // self_v1: READY with the signed transaction (reference §2.3, §6.7). It
  // spends the fixture's covenant output and our interpreter accepts it.
  const auto self_request =
    boost::json::parse(slurp(source_dir + "/examples/requests/self_v1-certified.json"))
      .at("request").as_object();
  const auto self_output = test_support::dev_chain_output_of(self_request);
  const auto& self_v1 = answers["self_v1"];
  EXPECT_EQ(json_string(self_v1, "detail"), covenant::self_v1_ready_detail);
  EXPECT_TRUE(json_string(self_v1, "requestId").starts_with("kcs_self_"));
  EXPECT_FALSE(self_v1.as_object().contains("handoff"));
  auto raw = crypto::from_0x_hex(json_string(self_v1, "transactionHex"));
  ASSERT_TRUE(raw) << self_v1;
  auto self_tx = bitcoin::parse_transaction(*raw);
  ASSERT_TRUE(self_tx.tx) << self_tx.error;
  ASSERT_EQ(self_tx.tx->inputs.size(), 1u);
  EXPECT_EQ(self_tx.tx->inputs[0].prevout, self_output.prevout);
  EXPECT_EQ(bitcoin::verify_input(*self_tx.tx, 0, self_output.script_pubkey, self_output.value),
            bitcoin::script_error::ok);
  EXPECT_EQ(json_string(self_v1, "psbtHash"), crypto::to_0x_hex(bitcoin::wtxid(*self_tx.tx)));

  // qc_v1: READY with the signer handoff; the custodian dev key completes
  // it into a spend of the fixture's covenant output that verifies.
  const auto qc_request =
    boost::json::parse(slurp(source_dir + "/examples/requests/qc_v1-certified.json"))
      .at("request").as_object();
  const auto qc_output = test_support::dev_chain_output_of(qc_request);
  const auto& qc_v1 = answers["qc_v1"];
  EXPECT_EQ(json_string(qc_v1, "detail"), covenant::qc_v1_ready_detail);
  EXPECT_FALSE(qc_v1.as_object().contains("transactionHex"));
  ASSERT_TRUE(qc_v1.as_object().contains("handoff")) << qc_v1;
  const auto& handoff = qc_v1.at("handoff");
  EXPECT_EQ(json_string(handoff, "kind"), covenant::handoff_kind_qc_v1);
  EXPECT_EQ(json_string(handoff, "signerRequestId"), json_string(qc_v1, "requestId"));
  EXPECT_EQ(json_string(handoff, "destinationCommitmentHash"),
            std::string(qc_request.at("destinationCommitmentHash").as_string()));
  auto unsigned_tx = bitcoin::parse_transaction(
    *crypto::from_0x_hex(json_string(handoff, "unsignedTransactionHex")));
  ASSERT_TRUE(unsigned_tx.tx) << unsigned_tx.error;
  EXPECT_EQ(unsigned_tx.tx->inputs[0].prevout, qc_output.prevout);
  const auto witness_script = *crypto::from_0x_hex(json_string(handoff, "witnessScript"));
  EXPECT_EQ(bitcoin::p2wsh_script_pubkey(witness_script), qc_output.script_pubkey);
  auto custodian = crypto::sign_der(
    test_support::dev_key(0x33),
    bitcoin::covenant_sighash(*unsigned_tx.tx, witness_script, qc_output.value));
  custodian.push_back(0x01);
  auto completed = bitcoin::with_input_witness(
    *unsigned_tx.tx,
    bitcoin::qc_v1_migration_witness(*crypto::from_0x_hex(json_string(handoff, "signerSignature")),
                                     custodian, witness_script));
  EXPECT_EQ(bitcoin::verify_input(completed, 0, qc_output.script_pubkey, qc_output.value),
            bitcoin::script_error::ok);

  // Each was signed exactly once, each signature audited first.
  auto audit = persistence::read_audit_log(persistence::audit_log_path(dir.path() / "data"));
  ASSERT_TRUE((std::holds_alternative<std::vector<persistence::audit_entry>>(audit)));
  EXPECT_EQ(std::get<std::vector<persistence::audit_entry>>(audit).size(), 2u);

  // Both jobs were written durably, in at least one group-commit round.
  metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  auto gauge_value = [&](const std::string& name) {
    auto at = metrics->body.find("\n" + name + " ");
    return at == std::string::npos ? -1.0 : std::stod(metrics->body.substr(at + name.size() + 2));
  };
  EXPECT_GE(gauge_value("covsigner_store_durable_writes"), 2.0) << metrics->body;
  EXPECT_GE(gauge_value("covsigner_store_write_rounds"), 1.0) << metrics->body;
  EXPECT_EQ(gauge_value("covsigner_sessions_started"), 2.0) << metrics->body;
  // The uncertified examples are refused once a verifier exists.
  auto res = http.Post("/v1/qc_v1/signer/requests",
                       slurp(source_dir + "/examples/requests/qc_v1.json"), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body,
            "request.signerApproval is required when the signer approval verifier is configured\n");
  child->signal(SIGTERM);
  auto status = child->wait_for_exit(20s);
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 0) << log_text();
}

TEST_F(Covsignerd, DevIniRefusesANonLoopbackAddress) {
  // dev.ini configures no auth tokens, so only loopback is allowed.
  auto child = std::make_unique<test_support::child_process>(
    covsignerd,
    dev_ini_args(dir.path(), {"--port=" + std::to_string(port), "--listen-address=0.0.0.0"}), log);
  auto status = child->wait_for_exit(20s);
  ASSERT_TRUE(status) << "covsignerd kept running on 0.0.0.0";
  EXPECT_NE(WEXITSTATUS(*status), 0);
  EXPECT_NE(log_text().find(
              "covenant signer authToken is required for non-loopback listenAddress [0.0.0.0]"),
            std::string::npos)
    << log_text();
}

TEST_F(Covsignerd, DevIniRefusesTheKeyFileAsGitChecksItOut) {
  // A mode-0644 key (what a fresh checkout has until `make run` chmods it)
  // stops startup, naming the file and its mode.
  auto key = dir.path() / "dev-signer.key";
  std::filesystem::copy_file(test_support::examples_path("dev-signer.key"), key);
  ::chmod(key.c_str(), 0644);
  auto child = std::make_unique<test_support::child_process>(
    covsignerd,
    std::vector<std::string>{"--config-file=" + source_dir + "/examples/dev.ini",
                             "--chain.fixture-file=" + source_dir + "/examples/chain/dev-chain.json",
                             "--signer.key-file=" + key.string(),
                             "--data-dir=" + (dir.path() / "data").string(),
                             "--port=" + std::to_string(port)},
    log);
  auto status = child->wait_for_exit(20s);
  ASSERT_TRUE(status) << "covsignerd started with a 0644 key file";
  EXPECT_NE(WEXITSTATUS(*status), 0);
  EXPECT_NE(log_text().find("has mode 0644; it must be 0600"), std::string::npos) << log_text();
}

TEST_F(Covsignerd, RequiredTrustRootsRefuseStartupInTheReferenceOrder) {
  auto roots = write_trust_roots(dir.path());
  auto fixture = "--chain.fixture-file=" + source_dir + "/examples/chain/dev-chain.json";
  struct scenario {
    std::vector<std::string> args;
    std::string message;
  };
  const scenario scenarios[] = {
    {{"--require-approval-trust-roots"},
     "covenant signer qc_v1 routes require depositorTrustRoots" + required_when},
    {{"--require-approval-trust-roots", "--enable-self-v1", "--trust-roots-file=" + roots},
     "covenant signer self_v1 routes require depositorTrustRoots" + required_when},
    {{"--require-approval-trust-roots", "--trust-roots-file=" + roots},
     "covenant signer requires a signerApprovalVerifier" + required_when},
    {{"--trust-roots-file=" + roots},
     "trust roots are configured but the engine does not implement SignerApprovalVerifier; "
     "signer approval certificates cannot be verified -- remove trust root configuration or use "
     "an engine that supports approval verification"},
    {{"--trust-roots-file=" + write_trust_roots(dir.path(), "0x" + std::string(40, 'e')),
      "--chain.backend=fixture", fixture},
     "covenant signer depositorTrustRoots pin an ethAddress but covenantSigner.eip712ChainId is "
     "unset; set it to the covenant's Ethereum chainId so wallet-signed approvals can verify"},
    {{"--chain.backend=infura"}, "invalid --chain.backend [infura]: expected none, fixture or "
                                 "ethereum"},
  };
  for (const auto& s : scenarios) {
    std::filesystem::remove(log);
    auto child = start(s.args);
    auto status = child->wait_for_exit(20s);
    ASSERT_TRUE(status);
    EXPECT_NE(WEXITSTATUS(*status), 0) << s.message;
    EXPECT_NE(log_text().find(s.message), std::string::npos) << s.message << "\n" << log_text();
  }
  // Roots, a chain (the verifier) and the requirement: it starts.
  std::filesystem::remove(log);
  auto child = start({"--require-approval-trust-roots", "--trust-roots-file=" + roots,
                      "--chain.backend=fixture", fixture});
  ASSERT_TRUE(wait_healthy(*child)) << log_text();
  child->signal(SIGTERM);
  auto status = child->wait_for_exit(20s);
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 0) << log_text();
}
