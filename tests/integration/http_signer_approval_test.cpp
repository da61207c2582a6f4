// Signer approval over real loopback HTTP (issue 6 acceptance): a node on
// the committed development fixture chain (examples/chain/dev-chain.json,
// simulated faults per source) behind http_server, configured as covsignerd
// configures it with a chain: verifier on, chain head height published to
// the workers.
#include "actors/node_bootstrap.hpp"
#include "tests/support/actor_system.hpp"
#include "tests/support/requests.hpp"
#include "tests/support/temp_dir.hpp"
#include "transport/http_server.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

using namespace covsigner;
using namespace std::chrono_literals;
namespace ts = covsigner::test_support;

namespace {

const covenant::eip712_domain domain{31337, covenant::default_approval_salt()};
const std::string submit_path = "/v1/qc_v1/signer/requests";

class HttpSignerApproval : public ::testing::Test {
protected:
  ts::test_actor_system_config cfg;
  caf::actor_system system{cfg};
  ts::temp_dir dir;
  actors::running_node node;
  std::unique_ptr<transport::node_client> client;
  std::unique_ptr<transport::http_server> server;
  std::unique_ptr<httplib::Client> http;
  boost::json::object qc = ts::certified_vector_request("qc_v1", domain);

  void SetUp() override {
    actors::node_options options;
    options.data_dir = dir.path();
    options.chain = chain::backend_config{};
    options.chain->fixture_file =
      std::string{COVSIGNER_SOURCE_DIR} + "/examples/chain/dev-chain.json";
    options.eip712 = domain;
    options.head.refresh_interval = 50ms;
    options.head.max_age = 400ms;
    options.head.reader.breaker.open_backoff = 100ms;
    auto started = actors::start_node(system, options);
    ASSERT_TRUE(std::holds_alternative<actors::running_node>(started))
      << std::get<std::string>(started);
    node = std::move(std::get<actors::running_node>(started));
    client = std::make_unique<transport::node_client>(system, node.node, node.published);
    transport::http_settings settings;
    settings.workers = 8;
    settings.policy.validation.domain = domain;
    settings.policy.validation.verifier_configured = true;
    settings.chain_height = node.head_height;
    server = std::make_unique<transport::http_server>(*client, settings);
    auto port = server->start(0);
    ASSERT_TRUE(std::holds_alternative<int>(port)) << std::get<std::string>(port);
    http = std::make_unique<httplib::Client>("127.0.0.1", std::get<int>(port));
    http->set_read_timeout(30, 0);
    std::this_thread::sleep_for(150ms); // the chain head's first refresh
  }

  void TearDown() override {
    http.reset();
    server->stop();
    server.reset();
    client.reset();
    actors::stop_node(system, node);
  }

  httplib::Result post(const std::string& path, const std::string& body) {
    return http->Post(path.c_str(), body, "application/json");
  }
};

std::string request_id_of(const std::string& body) {
  return std::string{boost::json::parse(body).at("requestId").as_string()};
}

} // namespace

TEST_F(HttpSignerApproval, RegistryOutageIs503ThenTheSameSubmitSucceeds) {
  auto body = ts::submit_body(qc, "rr-http-registry");
  node.chain_faults->set(chain::fault_mode::fail, 0ms, "WalletRegistry");
  auto res = post(submit_path, body);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  std::string id_hex;
  for (int i = 0; i < 32; ++i)
    id_hex += "a1";
  EXPECT_EQ(res->body, "wallet registry data unavailable for wallet 0x" + id_hex +
                         ": fixture WalletRegistry failed (simulated fault)\n");
  // Nothing was created: a poll of any id finds nothing, and the retry
  // after recovery creates the job.
  node.chain_faults->set(chain::fault_mode::none);
  res = post(submit_path, body);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto id = request_id_of(res->body);
  // Retried again while the whole chain is down: the dedupe hit answers.
  node.chain_faults->set(chain::fault_mode::fail);
  res = post(submit_path, body);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(request_id_of(res->body), id);
}

TEST_F(HttpSignerApproval, BridgeOutageIs503NamingTheBridge) {
  node.chain_faults->set(chain::fault_mode::fail, 0ms, "Bridge");
  auto res = post(submit_path, ts::submit_body(qc, "rr-http-bridge"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_TRUE(res->body.starts_with(
    "cannot resolve on-chain wallet for signer approval verification: Bridge unavailable: "))
    << res->body;
}

TEST_F(HttpSignerApproval, StaleChainHeadAnswers503ForCertificateSubmitsAndPolls) {
  auto res = post(submit_path, ts::submit_body(qc, "rr-http-stale"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto id = request_id_of(res->body);

  node.chain_faults->set(chain::fault_mode::fail, 0ms, "host chain");
  std::this_thread::sleep_for(600ms); // past the maximum age
  const std::string prefix = "cannot validate signer approval certificate expiry: chain_head has "
                             "no fresh host chain height: chain_head: host chain height 1000 is "
                             "stale: fetched ";
  // A new submit (worker-side expiry check).
  ts::certificate_options o;
  auto other = ts::certified_vector_request("qc_v1", domain, o);
  res = post(submit_path, ts::submit_body(other, "rr-http-stale-2"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_TRUE(res->body.starts_with(prefix)) << res->body;
  // A poll of the existing job carries the certificate too.
  res = post("/v1/qc_v1/signer/requests:poll", ts::poll_body(qc, "rr-http-stale", id));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_TRUE(res->body.starts_with(prefix)) << res->body;

  node.chain_faults->set(chain::fault_mode::none);
  std::this_thread::sleep_for(400ms);
  res = post("/v1/qc_v1/signer/requests:poll", ts::poll_body(qc, "rr-http-stale", id));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
}

TEST_F(HttpSignerApproval, AnExpiredCertificateIs400) {
  ts::certificate_options o;
  o.end_block = 999; // the fixture head is at 1000
  auto res = post(submit_path, ts::submit_body(ts::certified_vector_request("qc_v1", domain, o),
                                               "rr-http-expired"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body, "signer approval certificate has expired\n");
}

TEST_F(HttpSignerApproval, ARequestWithoutCertificateIsRefusedOnceAVerifierExists) {
  auto res = post(submit_path, ts::submit_body(ts::signed_vector_request("qc_v1", domain),
                                               "rr-http-nocert"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body,
            "request.signerApproval is required when the signer approval verifier is configured\n");
}
