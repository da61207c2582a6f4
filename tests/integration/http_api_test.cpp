// The reference's HTTP API over real loopback HTTP: a node's actors in this
// process, cpp-httplib's client on 127.0.0.1.
#include "actors/node_bootstrap.hpp"
#include "tests/support/actor_system.hpp"
#include "tests/support/requests.hpp"
#include "tests/support/temp_dir.hpp"
#include "transport/http_server.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <httplib.h>

#include <regex>

using namespace covsigner;
using namespace std::chrono_literals;

namespace {

class HttpApi : public ::testing::Test {
protected:
  test_support::test_actor_system_config cfg;
  caf::actor_system system{cfg};
  test_support::temp_dir dir;
  actors::running_node node;
  std::unique_ptr<transport::node_client> client;
  std::unique_ptr<transport::http_server> server;
  std::unique_ptr<httplib::Client> http;
  boost::json::object qc = test_support::vector_request("qc_v1");

  void SetUp() override {
    actors::node_options options;
    options.data_dir = dir.path();
    auto started = actors::start_node(system, options);
    ASSERT_TRUE(std::holds_alternative<actors::running_node>(started));
    node = std::move(std::get<actors::running_node>(started));
    client = std::make_unique<transport::node_client>(system, node.node, node.published);
    transport::http_settings settings;
    settings.workers = 8;
    // The pinned vectors' certificates were made under the zero EIP-712
    // domain (chainId 0, all-zero salt), the reference Service default.
    settings.policy.validation.domain = {};
    server = std::make_unique<transport::http_server>(*client, settings);
    auto port = server->start(0);
    ASSERT_TRUE(std::holds_alternative<int>(port)) << std::get<std::string>(port);
    http = std::make_unique<httplib::Client>("127.0.0.1", std::get<int>(port));
    http->set_read_timeout(30, 0);
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

  std::string submit_ok(const std::string& rr) {
    auto res = post("/v1/qc_v1/signer/requests", test_support::submit_body(qc, rr));
    EXPECT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
    auto v = boost::json::parse(res->body);
    return std::string{v.at("requestId").as_string()};
  }
};

} // namespace

TEST_F(HttpApi, HealthzAnswersExactlyStatusOk) {
  auto res = http->Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"status":"ok"})");
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
}

TEST_F(HttpApi, SubmitAnswersPendingWithANewRequestId) {
  auto res = post("/v1/qc_v1/signer/requests", test_support::submit_body(qc, "ors-1"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_TRUE(std::regex_match(
    res->body, std::regex(R"(\{"status":"PENDING","requestId":"kcs_qc_[0-9a-f]{16}","detail":"accepted for covenant signing"\}\n)")))
    << res->body;
}

TEST_F(HttpApi, IdenticalSubmitAnswersTheSameRequestId) {
  EXPECT_EQ(submit_ok("ors-2"), submit_ok("ors-2"));
}

TEST_F(HttpApi, ChangedPayloadOnTheSameRouteRequestIdIs400) {
  submit_ok("ors-3");
  auto changed = qc;
  changed["facadeRequestId"] = "rf_other";
  auto res = post("/v1/qc_v1/signer/requests", test_support::submit_body(changed, "ors-3"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body, "routeRequestId already exists with a different request payload\n");
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
}

TEST_F(HttpApi, PollByPathAndByBodyAnswerTheSameJob) {
  auto id = submit_ok("ors-4");
  auto by_path = post("/v1/qc_v1/signer/requests/" + id + ":poll", test_support::submit_body(qc, "ors-4"));
  ASSERT_TRUE(by_path);
  EXPECT_EQ(by_path->status, 200) << by_path->body;
  auto by_body = post("/v1/qc_v1/signer/requests:poll", test_support::poll_body(qc, "ors-4", id));
  ASSERT_TRUE(by_body);
  EXPECT_EQ(by_body->status, 200) << by_body->body;
  EXPECT_EQ(by_path->body, by_body->body);
  EXPECT_NE(by_body->body.find(id), std::string::npos);
}

TEST_F(HttpApi, PollWithDifferentBodyAndPathIdsIs400) {
  auto id = submit_ok("ors-5");
  auto res = post("/v1/qc_v1/signer/requests/" + id + ":poll",
                  test_support::poll_body(qc, "ors-5", "kcs_qc_ffffffffffffffff"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body, "requestId in body does not match path\n");
}

TEST_F(HttpApi, PollOfAnUnknownJobIs404) {
  auto res = post("/v1/qc_v1/signer/requests:poll",
                  test_support::poll_body(qc, "ors-6", "kcs_qc_0123456789abcdef"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->body, "covenant signer job not found\n");
}

TEST_F(HttpApi, BodyPollWithoutRequestIdIs400) {
  auto res = post("/v1/qc_v1/signer/requests:poll", test_support::submit_body(qc, "ors-7"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body, "requestId is required\n");
}

TEST_F(HttpApi, UnknownFieldsAndTrailingJsonAreMalformed) {
  auto body = test_support::submit_body(qc, "ors-8");
  auto unknown = body;
  unknown.insert(1, R"("surprise":1,)");
  for (const auto& bad : {unknown, body + " {}", std::string{"{"}, std::string{}}) {
    auto res = post("/v1/qc_v1/signer/requests", bad);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << bad;
    EXPECT_EQ(res->body, "malformed request body\n");
  }
}

TEST_F(HttpApi, BodiesOverTwoMebibytesAreMalformed) {
  auto big = test_support::submit_body(qc, "ors-9");
  big.insert(big.size() - 1, std::string((2u << 20), ' '));
  auto res = post("/v1/qc_v1/signer/requests", big);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body, "malformed request body\n");
}

TEST_F(HttpApi, EnvelopeChecksFollowTheReferenceOrder) {
  auto res = post("/v1/qc_v1/signer/requests", test_support::submit_body(qc, ""));
  EXPECT_EQ(res->body, "routeRequestId is required\n");
  auto wrong_stage = boost::json::parse(test_support::submit_body(qc, "ors-10")).as_object();
  wrong_stage["stage"] = "OTHER";
  res = post("/v1/qc_v1/signer/requests", boost::json::serialize(wrong_stage));
  EXPECT_EQ(res->body, "stage must be SIGNER_COORDINATION\n");
  auto other_route = qc;
  other_route["route"] = "self_v1";
  res = post("/v1/qc_v1/signer/requests", test_support::submit_body(other_route, "ors-10"));
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body, "request.route does not match endpoint route\n");
}

TEST_F(HttpApi, WrongMethodsGet405WithAllowPost) {
  auto res = http->Get("/v1/qc_v1/signer/requests");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->get_header_value("Allow"), "POST");
  res = http->Get("/v1/qc_v1/signer/requests/kcs_qc_1:poll");
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->body, "method not allowed\n");
}

TEST_F(HttpApi, SelfV1RoutesStayDarkByDefault) {
  auto self_v1 = test_support::vector_request("self_v1");
  auto res = post("/v1/self_v1/signer/requests", test_support::submit_body(self_v1, "ors-11"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->body, "404 page not found\n");
}

TEST_F(HttpApi, ReadyzReportsAReadyNode) {
  auto res = http->Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  auto v = boost::json::parse(res->body);
  EXPECT_TRUE(v.at("ready").as_bool());
}

// DESIGN.md's dedupe fast path: a retried submit is answered from the
// node's published durable state by the HTTP worker. With the node actor
// gone, a retry still gets its job (byte-identical answer), while a new
// key, which needs the node, does not.
TEST_F(HttpApi, DedupeHitIsAnsweredFromPublishedStateWithoutTheNodeActor) {
  auto first = post("/v1/qc_v1/signer/requests", test_support::submit_body(qc, "ors-fast"));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  {
    caf::scoped_actor self{system};
    self->monitor(node.node);
    self->send_exit(node.node, caf::exit_reason::kill);
    self->receive([](const caf::down_msg&) {});
  }
  auto retry = post("/v1/qc_v1/signer/requests", test_support::submit_body(qc, "ors-fast"));
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->status, 200);
  EXPECT_EQ(retry->body, first->body);
  auto fresh = post("/v1/qc_v1/signer/requests", test_support::submit_body(qc, "ors-fast-new"));
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->status, 500) << fresh->body;
}
