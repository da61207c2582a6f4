// The CovenantSpendAuthorization gate through covsignerd on a real chain:
// anvil (tests/peers) running the committed test contracts (TestBridge with
// the registry pointer, TestWalletRegistry, TestCovenantSpendAuthorization),
// the development wallet of the PUBLIC signer dev key, and the dev fixture
// file for the Bitcoin side only (SIMULATED funding transactions). The
// authorization is posted the way an operator would: `covsignerctl
// spend-key` prints the tuple, authorizeCovenantSpend posts it.
#include "tests/support/anvil.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/dev_examples.hpp"
#include "tests/support/temp_dir.hpp"

#include "actors/signing_session.hpp"
#include "persistence/audit_log.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

using namespace covsigner;
using namespace std::chrono_literals;

namespace {

const std::string covsignerd = std::string{COVSIGNER_BINARY_DIR} + "/covsignerd";
const std::string covsignerctl = std::string{COVSIGNER_BINARY_DIR} + "/covsignerctl";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string example_body(const std::string& route) {
  return read_file(test_support::examples_path("requests/" + route + "-certified.json"));
}

std::string json_string(const boost::json::value& v, const char* key) {
  const auto* o = v.if_object();
  const auto* member = o ? o->if_contains(key) : nullptr;
  return member && member->is_string() ? std::string(member->as_string()) : "<missing>";
}

// `covsignerctl spend-key` of a route's certified example, as key -> value.
std::map<std::string, std::string> spend_key(const std::string& route,
                                             const std::filesystem::path& dir) {
  auto out = dir / ("spend-key-" + route + ".txt");
  test_support::child_process ctl(
    covsignerctl, {"spend-key", test_support::examples_path("requests/" + route + "-certified.json")},
    out.string());
  auto status = ctl.wait_for_exit(10s);
  EXPECT_TRUE(status && WEXITSTATUS(*status) == 0) << read_file(out.string());
  std::map<std::string, std::string> lines;
  std::istringstream text(read_file(out.string()));
  for (std::string line; std::getline(text, line);)
    if (auto colon = line.find(": "); colon != std::string::npos)
      lines[line.substr(0, colon)] = line.substr(colon + 2);
  return lines;
}

// The dev wallet (examples/chain/dev-chain.json) on the Bridge and the
// Wallet Registry, and a fresh registry the Bridge points at.
struct deployed {
  chain::eth_address bridge{}, wallet_registry{}, spend_registry{};
};

std::optional<deployed> deploy(test_support::anvil_node& node) {
  std::string error;
  deployed d;
  auto bridge = node.deploy("TestBridge", error);
  auto wallets = node.deploy("TestWalletRegistry", error);
  auto spends = node.deploy("TestCovenantSpendAuthorization", error);
  EXPECT_TRUE(bridge && wallets && spends) << error;
  if (!bridge || !wallets || !spends)
    return std::nullopt;
  d = {*bridge, *wallets, *spends};
  auto chain_file = boost::json::parse(read_file(test_support::examples_path("chain/dev-chain.json")));
  const auto& w = chain_file.at("wallets").at(0).as_object();
  auto hex32 = [&](const char* k) { return *crypto::fixed_from_0x_hex<32>(std::string(w.at(k).as_string())); };
  using namespace chain;
  auto pkh = *crypto::fixed_from_0x_hex<20>(std::string(w.at("walletPubKeyHash").as_string()));
  const crypto::hash32 zero{};
  auto set_wallet = encode_call(
    "setWallet(bytes20,(bytes32,bytes32,uint64,uint32,uint32,uint32,uint32,uint8,bytes32))",
    {word_from_bytes20(pkh), word_from_bytes32(hex32("ecdsaWalletID")), word_from_bytes32(zero),
     word_from_uint(0), word_from_uint(w.at("createdAt").to_number<std::uint64_t>()),
     word_from_uint(0), word_from_uint(0), word_from_uint(0),
     word_from_uint(w.at("state").to_number<std::uint64_t>()), word_from_bytes32(zero)});
  EXPECT_TRUE(node.transact(d.bridge, set_wallet, error)) << error;
  crypto::hash32 x{}, y{};
  x.fill(0x55);
  y.fill(0x66);
  EXPECT_TRUE(node.transact(d.wallet_registry,
                            encode_call("setWallet(bytes32,bytes32,bytes32,bytes32)",
                                        {word_from_bytes32(hex32("ecdsaWalletID")),
                                         word_from_bytes32(hex32("membersIdsHash")),
                                         word_from_bytes32(x), word_from_bytes32(y)}),
                            error))
    << error;
  // As a deployment would: the Bridge names its registry.
  abi_word pointer{};
  std::copy(d.spend_registry.begin(), d.spend_registry.end(), pointer.begin() + 12);
  EXPECT_TRUE(node.transact(d.bridge, encode_call("setCovenantSpendAuthorization(address)", {pointer}),
                            error))
    << error;
  return d;
}

// authorizeCovenantSpend for the tuple spend-key printed (outputs_hash
// replaced when given: an authorization of another spend of the outpoint).
void authorize(test_support::anvil_node& node, const chain::eth_address& registry,
               std::map<std::string, std::string> tuple,
               std::optional<std::string> outputs_hash = std::nullopt) {
  using namespace chain;
  std::string error;
  auto call = encode_call(
    "authorizeCovenantSpend(bytes32,uint32,bytes20,uint64,bytes32)",
    {word_from_bytes32(*crypto::fixed_from_0x_hex<32>(tuple["fundingTxHash"])),
     word_from_uint(std::stoull(tuple["fundingOutputIndex"])),
     word_from_bytes20(*crypto::fixed_from_0x_hex<20>(tuple["walletPKH"])),
     word_from_uint(std::stoull(tuple["value"])),
     word_from_bytes32(*crypto::fixed_from_0x_hex<32>(outputs_hash.value_or(tuple["outputsHash"])))});
  ASSERT_TRUE(node.transact(registry, call, error)) << error;
}

void mine(test_support::anvil_node& node, std::uint64_t blocks) {
  auto r = node.client().call("anvil_mine", boost::json::array{"0x" + std::to_string(blocks)});
  ASSERT_TRUE(r.ok()) << r.message;
}

class SpendAuthorizationGate : public ::testing::Test {
protected:
  static inline std::unique_ptr<test_support::temp_dir> suite_dir;
  static inline std::unique_ptr<test_support::anvil_node> anvil;

  static void SetUpTestSuite() {
    suite_dir = std::make_unique<test_support::temp_dir>();
    anvil = std::make_unique<test_support::anvil_node>((suite_dir->path() / "anvil.log").string());
  }
  static void TearDownTestSuite() {
    anvil.reset(); // stops anvil by PID
    suite_dir.reset();
  }

  test_support::temp_dir dir;
  int port = test_support::free_loopback_port();
  std::string log = (dir.path() / "covsignerd.log").string();
  std::optional<deployed> contracts;
  std::unique_ptr<test_support::child_process> child;
  std::string data_name = "data"; // a fresh one per node started in a test

  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(test_support::anvil_binary()))
      << "anvil missing: run npm install --ignore-scripts in tests/peers";
    ASSERT_TRUE(anvil->ready()) << read_file((suite_dir->path() / "anvil.log").string());
    contracts = deploy(*anvil);
    ASSERT_TRUE(contracts);
  }

  void TearDown() override {
    if (child && child->running()) {
      child->signal(SIGTERM);
      child->wait_for_exit(20s);
    }
  }

  // covsignerd on `node` with the gate's registry at `registry` ("" = unset).
  void start(test_support::anvil_node& node, const std::string& registry,
             std::vector<std::string> extra = {}, int session_timeout_ms = 4000) {
    std::vector<std::string> args{
      "--port=" + std::to_string(port), "--data-dir=" + (dir.path() / data_name).string(),
      "--enable-self-v1", "--bridge-covenant-fraud-defense-confirmed",
      "--chain.backend=ethereum", "--chain.rpc-url=" + node.url(),
      "--chain.bridge-address=" + crypto::to_0x_hex(contracts->bridge),
      "--chain.wallet-registry-address=" + crypto::to_0x_hex(contracts->wallet_registry),
      "--chain.bitcoin-backend=fixture",
      "--chain.fixture-file=" + test_support::examples_path("chain/dev-chain.json"),
      "--signer.backend=local_key",
      "--signer.key-file=" + test_support::copy_dev_signer_key(dir.path()).string(),
      // Short bounds so the wait and its end fit in seconds: the gate waits
      // three quarters of the session timeout.
      "--sessions.timeout-ms=" + std::to_string(session_timeout_ms), "--http.submit-wait-ms=500"};
    if (!registry.empty())
      args.push_back("--chain.spend-authorization-address=" + registry);
    args.insert(args.end(), extra.begin(), extra.end());
    child = std::make_unique<test_support::child_process>(covsignerd, args, log);
    httplib::Client http("127.0.0.1", port);
    http.set_connection_timeout(0, 200000);
    for (int i = 0; i < 200 && child->running(); ++i) {
      if (auto res = http.Get("/readyz"); res && res->status == 200)
        return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "covsignerd not ready:\n" << read_file(log);
  }

  std::string registry_hex() const { return crypto::to_0x_hex(contracts->spend_registry); }

  boost::json::value submit(const std::string& route) {
    httplib::Client http("127.0.0.1", port);
    http.set_read_timeout(30, 0);
    auto res = http.Post("/v1/" + route + "/signer/requests", example_body(route), "application/json");
    EXPECT_TRUE(res);
    if (!res)
      return {};
    EXPECT_EQ(res->status, 200) << res->body;
    return boost::json::parse(res->body);
  }

  boost::json::value poll(const std::string& route, const std::string& request_id) {
    httplib::Client http("127.0.0.1", port);
    auto res = http.Post("/v1/" + route + "/signer/requests/" + request_id + ":poll",
                         example_body(route), "application/json");
    EXPECT_TRUE(res);
    return res ? boost::json::parse(res->body) : boost::json::value{};
  }

  // Polls until the job leaves PENDING (bounded: 10 s, past every session timeout here).
  boost::json::value settle(const std::string& route, const std::string& request_id) {
    boost::json::value last;
    for (int i = 0; i < 100; ++i) {
      last = poll(route, request_id);
      if (json_string(last, "status") != "PENDING")
        break;
      std::this_thread::sleep_for(100ms);
    }
    return last;
  }

  // The value of one series in /metrics (-1 when it is absent).
  double metric(const std::string& series) {
    httplib::Client http("127.0.0.1", port);
    auto res = http.Get("/metrics");
    EXPECT_TRUE(res);
    if (!res)
      return -1;
    auto at = res->body.find(series + " ");
    if (at == std::string::npos)
      return -1;
    return std::stod(res->body.substr(at + series.size() + 1));
  }

  static std::string answers(const std::string& answer) {
    return R"(covsigner_spend_authorization_answers{answer=")" + answer + R"("})";
  }

  std::size_t audited() {
    auto path = persistence::audit_log_path(dir.path() / data_name);
    if (!std::filesystem::exists(path))
      return 0;
    auto read = persistence::read_audit_log(path);
    EXPECT_TRUE((std::holds_alternative<std::vector<persistence::audit_entry>>(read)));
    auto* entries = std::get_if<std::vector<persistence::audit_entry>>(&read);
    return entries ? entries->size() : 0;
  }
};

} // namespace

TEST_F(SpendAuthorizationGate, AuthorizedSpendsAreSignedForBothRoutes) {
  for (std::string route : {"self_v1", "qc_v1"})
    authorize(*anvil, contracts->spend_registry, spend_key(route, dir.path()));
  mine(*anvil, 6); // the default depth
  start(*anvil, registry_hex());
  for (std::string route : {"self_v1", "qc_v1"}) {
    auto answer = submit(route);
    auto settled = json_string(answer, "status") == "PENDING"
                     ? settle(route, json_string(answer, "requestId"))
                     : answer;
    EXPECT_EQ(json_string(settled, "status"), "READY") << route << ": " << settled;
  }
  EXPECT_EQ(audited(), 2u);
  // The gate's reader shows its breaker like the others.
  httplib::Client http("127.0.0.1", port);
  auto ready = http.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_NE(ready->body.find(R"("spend authorization":"closed")"), std::string::npos) << ready->body;
  EXPECT_EQ(metric(answers("authorized")), 2.0);
  EXPECT_EQ(metric(answers("not_authorized")), 0.0);
}

TEST_F(SpendAuthorizationGate, AnUnauthorizedSpendWaitsThenFailsAndIsNeverSigned) {
  // The registry holds another spend of the same outpoint (other outputs):
  // the tuple must match as a whole.
  auto tuple = spend_key("self_v1", dir.path());
  authorize(*anvil, contracts->spend_registry, tuple, "0x" + std::string(64, 'e'));
  mine(*anvil, 6);
  start(*anvil, registry_hex());
  auto started = std::chrono::steady_clock::now();
  auto answer = submit("self_v1");
  ASSERT_EQ(json_string(answer, "status"), "PENDING") << answer;
  auto settled = settle("self_v1", json_string(answer, "requestId"));
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(json_string(settled, "status"), "FAILED") << settled;
  EXPECT_EQ(json_string(settled, "reason"), "POLICY_REJECTED") << settled;
  const auto detail = json_string(settled, "detail");
  EXPECT_TRUE(detail.starts_with(actors::spend_not_authorized_detail)) << detail;
  EXPECT_NE(detail.find("utxoKey " + tuple["utxoKey"]), std::string::npos) << detail;
  EXPECT_NE(detail.find("outputsHash " + tuple["outputsHash"]), std::string::npos) << detail;
  EXPECT_NE(detail.find("value " + tuple["value"]), std::string::npos) << detail;
  // It waited for most of the gate's 3 s (three quarters of 4 s), not less.
  EXPECT_GE(waited, 2500ms);
  EXPECT_EQ(audited(), 0u);
  // Each re-check is counted: waits of 0.2, 0.4, 0.8 s and then the
  // deadline give five "no"s in the gate's 3 s.
  EXPECT_GE(metric(answers("not_authorized")), 4.0);
  EXPECT_EQ(metric(answers("authorized")), 0.0);
}

TEST_F(SpendAuthorizationGate, AShallowAuthorizationWaitsUntilItIsDeepEnough) {
  authorize(*anvil, contracts->spend_registry, spend_key("self_v1", dir.path()));
  // Mined in the newest block: 0 blocks on top of it, 3 required.
  start(*anvil, registry_hex(), {"--chain.spend-authorization-confirmations=3"});
  auto answer = submit("self_v1");
  ASSERT_EQ(json_string(answer, "status"), "PENDING") << answer;
  EXPECT_EQ(audited(), 0u);
  mine(*anvil, 3);
  auto settled = settle("self_v1", json_string(answer, "requestId"));
  EXPECT_EQ(json_string(settled, "status"), "READY") << settled;
  EXPECT_EQ(audited(), 1u);
}

TEST_F(SpendAuthorizationGate, AnUnsetRegistryFailsClosed) {
  authorize(*anvil, contracts->spend_registry, spend_key("self_v1", dir.path()));
  mine(*anvil, 6);
  for (std::string registry : {std::string{}, "0x" + std::string(40, '0')}) {
    SCOPED_TRACE(registry.empty() ? "option absent" : "zero address");
    data_name = registry.empty() ? "data-absent" : "data-zero";
    port = test_support::free_loopback_port();
    start(*anvil, registry);
    auto answer = submit("self_v1");
    auto settled = json_string(answer, "status") == "PENDING"
                     ? settle("self_v1", json_string(answer, "requestId"))
                     : answer;
    EXPECT_EQ(json_string(settled, "status"), "FAILED") << settled;
    EXPECT_EQ(json_string(settled, "reason"), "POLICY_REJECTED") << settled;
    EXPECT_EQ(json_string(settled, "detail"),
              std::string{actors::spend_authorization_unset_detail} +
                "no CovenantSpendAuthorization registry is configured "
                "(--chain.spend-authorization-address is " +
                (registry.empty() ? "unset" : "the zero address") + ")")
      << settled;
    EXPECT_EQ(audited(), 0u);
    TearDown(); // stops this node before the next one starts
  }
}

TEST_F(SpendAuthorizationGate, ANodeWithoutTheGateSaysSoInOneWarningLine) {
  // CAF's command line takes a bool only as a flag that sets it: the gate
  // is switched off in the config file.
  const auto ini = (dir.path() / "no-gate.ini").string();
  std::ofstream(ini) << "[chain]\nrequire-spend-authorization=false\n";
  start(*anvil, registry_hex(), {"--config-file=" + ini});
  auto answer = submit("self_v1"); // unauthorized, yet signed: the gate is off
  auto settled = json_string(answer, "status") == "PENDING"
                   ? settle("self_v1", json_string(answer, "requestId"))
                   : answer;
  EXPECT_EQ(json_string(settled, "status"), "READY") << settled;
  auto text = read_file(log);
  std::size_t warnings = 0;
  for (auto at = text.find("require-spend-authorization=false"); at != std::string::npos;
       at = text.find("require-spend-authorization=false", at + 1))
    ++warnings;
  EXPECT_EQ(warnings, 1u) << text;
}

TEST_F(SpendAuthorizationGate, AStoppedChainSignsNothingAndOpensTheBreaker) {
  // Its own chain, stopped while the session waits for the authorization.
  test_support::anvil_node own((dir.path() / "own-anvil.log").string());
  ASSERT_TRUE(own.ready());
  contracts = deploy(own);
  ASSERT_TRUE(contracts);
  // 8 s: the gate asks for 6 s, often enough after the stop to open a
  // breaker of 2 failures.
  start(own, registry_hex(), {"--chain.breaker-failures=2"}, 8000);
  auto answer = submit("self_v1");
  ASSERT_EQ(json_string(answer, "status"), "PENDING") << answer;
  own.stop();
  httplib::Client http("127.0.0.1", port);
  bool open = false;
  std::string body;
  for (int i = 0; i < 60 && !open; ++i) {
    if (auto res = http.Get("/readyz")) {
      body = res->body;
      open = body.find(R"("spend authorization":"open")") != std::string::npos;
    }
    if (!open)
      std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(open) << body;
  // And in /metrics, with the failed calls counted.
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find(
              R"(covsigner_reader_breaker_state{reader="spend authorization",state="open"} 1)"),
            std::string::npos)
    << metrics->body;
  const std::string failures = R"(covsigner_reader_failures{reader="spend authorization"} )";
  auto at = metrics->body.find(failures);
  ASSERT_NE(at, std::string::npos) << metrics->body;
  EXPECT_GE(std::stod(metrics->body.substr(at + failures.size())), 2.0) << metrics->body;
  auto settled = settle("self_v1", json_string(answer, "requestId"));
  EXPECT_EQ(json_string(settled, "status"), "FAILED") << settled;
  EXPECT_EQ(json_string(settled, "reason"), "POLICY_REJECTED") << settled;
  EXPECT_EQ(audited(), 0u);
  EXPECT_GE(metric(answers("unavailable")), 2.0);
  EXPECT_EQ(metric(answers("authorized")), 0.0);
}
