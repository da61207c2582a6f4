// Bearer authentication over real loopback HTTP (reference §1.3, keep-core
// server_test.go TestServerRequiresBearerTokenWhenConfigured,
// TestServerBoundaryErrorMatrix, TestServerRequiresAdminBearerTokenForCertificateIssuer,
// TestServerReturns501WhenEngineLacksCertificateIssuer).
#include "tests/support/http_node.hpp"
#include "tests/support/requests.hpp"

#include <gtest/gtest.h>

using namespace covsigner;

namespace {

const std::string submit_path = "/v1/qc_v1/signer/requests";
const std::string admin_path = "/v1/admin/signer-approval-certificates";

transport::http_settings with_tokens(bool open_probes = false) {
  transport::http_settings s;
  s.workers = 8;
  s.client_tokens = {"client-secret-1", "client-secret-2"};
  s.admin_tokens = {"admin-secret"};
  s.open_probes = open_probes;
  return s;
}

httplib::Headers bearer(const std::string& value) {
  return {{"Authorization", value}};
}

class HttpAuth : public ::testing::Test {
protected:
  test_support::http_node node{with_tokens()};
  std::unique_ptr<httplib::Client> http = node.client();
  std::string body = test_support::submit_body(test_support::vector_request("qc_v1"), "auth-1");

  httplib::Result submit(const httplib::Headers& headers) {
    return http->Post(submit_path.c_str(), headers, body, "application/json");
  }

  static void expect_401(const httplib::Result& res, const std::string& message) {
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401);
    EXPECT_EQ(res->body, message + "\n");
    EXPECT_EQ(res->get_header_value("WWW-Authenticate"), "Bearer");
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; charset=utf-8");
  }
};

} // namespace

TEST_F(HttpAuth, HealthzGetAndHeadNeedNoToken) {
  auto get = http->Get("/healthz");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, R"({"status":"ok"})");
  auto head = http->Head("/healthz");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
}

TEST_F(HttpAuth, PostHealthzWithATokenConfiguredIs401) {
  expect_401(http->Post("/healthz", "", "application/json"), "missing bearer token");
}

TEST_F(HttpAuth, SubmitWithoutTokenIs401Missing) {
  expect_401(submit({}), "missing bearer token");
}

TEST_F(HttpAuth, WrongTokenIs401Invalid) {
  expect_401(submit(bearer("Bearer not-the-secret")), "invalid bearer token");
}

TEST_F(HttpAuth, LowercaseBearerSchemeIsMissing) {
  expect_401(submit(bearer("bearer client-secret-1")), "missing bearer token");
}

TEST_F(HttpAuth, TokensPaddedWithCharactersAreInvalid) {
  expect_401(submit(bearer("Bearer client-secret-1x")), "invalid bearer token");
  expect_401(submit(bearer("Bearer xclient-secret-1")), "invalid bearer token");
  expect_401(submit(bearer("Bearer client-secret-")), "invalid bearer token");
  expect_401(submit(bearer("Bearer")), "missing bearer token");
}

TEST_F(HttpAuth, WhitespaceAroundTheTokenIsTrimmedAsTheReferenceDoes) {
  auto res = submit(bearer("Bearer   client-secret-1 \t"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
}

TEST_F(HttpAuth, EveryConfiguredClientTokenOpensTheApi) {
  auto first = submit(bearer("Bearer client-secret-1"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200) << first->body;
  auto second = submit(bearer("Bearer client-secret-2"));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200) << second->body;
  EXPECT_EQ(first->body, second->body); // the same job: a dedupe hit
}

TEST_F(HttpAuth, AuthIsCheckedBeforeTheRouter) {
  expect_401(http->Get("/no/such/path"), "missing bearer token");
  auto found = http->Get("/no/such/path", bearer("Bearer client-secret-1"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->status, 404);
  EXPECT_EQ(found->body, "404 page not found\n");
}

TEST_F(HttpAuth, AdminRouteNeedsTheAdminTokenNeverTheClientToken) {
  expect_401(http->Post(admin_path.c_str(), "{}", "application/json"), "missing bearer token");
  expect_401(http->Post(admin_path.c_str(), bearer("Bearer client-secret-1"), "{}",
                        "application/json"),
             "invalid bearer token");
  auto res = http->Post(admin_path.c_str(), bearer("Bearer admin-secret"), "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 501);
  EXPECT_EQ(res->body,
            "covenant signer engine does not support signer approval certificate issuance\n");
}

TEST_F(HttpAuth, AdminTokenDoesNotOpenTheClientApi) {
  expect_401(submit(bearer("Bearer admin-secret")), "invalid bearer token");
}

TEST_F(HttpAuth, AdminRouteAnswers405ForOtherMethods) {
  auto res = http->Get(admin_path.c_str(), bearer("Bearer admin-secret"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->get_header_value("Allow"), "POST");
}

TEST_F(HttpAuth, ReadyzAndMetricsNeedTheClientToken) {
  expect_401(http->Get("/readyz"), "missing bearer token");
  expect_401(http->Get("/metrics"), "missing bearer token");
  auto ready = http->Get("/readyz", bearer("Bearer client-secret-2"));
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;
  auto metrics = http->Get("/metrics", bearer("Bearer client-secret-1"));
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
}

TEST(HttpAuthOpenProbes, ReadyzAndMetricsCanBeConfiguredOpen) {
  test_support::http_node node{with_tokens(true)};
  auto http = node.client();
  auto ready = http->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;
  auto metrics = http->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  // Only the probes: the API still needs the token.
  auto submit = http->Post(submit_path.c_str(), "{}", "application/json");
  ASSERT_TRUE(submit);
  EXPECT_EQ(submit->status, 401);
}

TEST(HttpAuthStartup, NonLoopbackAddressWithoutTokensDoesNotStart) {
  test_support::node_test_config cfg;
  caf::actor_system system{cfg};
  test_support::temp_dir dir;
  actors::node_options options;
  options.data_dir = dir.path();
  auto started = actors::start_node(system, options);
  ASSERT_TRUE(std::holds_alternative<actors::running_node>(started));
  auto& node = std::get<actors::running_node>(started);
  {
    transport::node_client client{system, node.node};
    transport::http_settings s;
    s.listen_address = "0.0.0.0";
    transport::http_server server{client, s};
    auto bound = server.start(0);
    ASSERT_TRUE(std::holds_alternative<std::string>(bound));
    EXPECT_EQ(std::get<std::string>(bound),
              "covenant signer authToken is required for non-loopback listenAddress [0.0.0.0]");
    s.client_tokens = {"t"};
    transport::http_server client_only{client, s};
    bound = client_only.start(0);
    ASSERT_TRUE(std::holds_alternative<std::string>(bound));
    EXPECT_EQ(std::get<std::string>(bound),
              "covenant signer adminAuthToken is required for non-loopback listenAddress [0.0.0.0]");
  }
  actors::stop_node(system, node);
}

TEST(HttpAuthTokens, ConfiguredTokensAreTrimmedAndBlankOnesIgnored) {
  transport::http_settings s;
  s.workers = 4;
  s.client_tokens = {"  padded-token \n", "   "};
  test_support::http_node node{s};
  auto http = node.client();
  auto ok = http->Get("/readyz", bearer("Bearer padded-token"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto blank = http->Get("/readyz", bearer("Bearer "));
  ASSERT_TRUE(blank);
  EXPECT_EQ(blank->status, 401);
}
