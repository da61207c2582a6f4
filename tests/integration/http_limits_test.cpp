// Per-token rate limits over real loopback HTTP: each bearer token has its
// own budgets (the reference shares two buckets among all callers, §1.4),
// 429 `rate limit exceeded` carries Retry-After, dedupe hits are free.
#include "tests/support/http_node.hpp"
#include "tests/support/requests.hpp"

#include <gtest/gtest.h>

using namespace covsigner;

namespace {

const std::string submit_path = "/v1/qc_v1/signer/requests";

transport::http_settings limited(double submits, double polls, double requests = 6000) {
  transport::http_settings s;
  s.workers = 8;
  s.client_tokens = {"token-a", "token-b"};
  s.admin_tokens = {"admin"};
  // Per minute, so nothing refills during a test.
  s.limits.submit = {submits, submits};
  s.limits.poll = {polls, polls};
  s.limits.requests = {requests, requests};
  return s;
}

httplib::Headers as(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

class HttpLimits : public ::testing::Test {
protected:
  boost::json::object qc = test_support::vector_request("qc_v1");

  httplib::Result submit(httplib::Client& http, const std::string& token, const std::string& rr) {
    return http.Post(submit_path.c_str(), as(token), test_support::submit_body(qc, rr),
                     "application/json");
  }

  static void expect_429(const httplib::Result& res) {
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 429);
    EXPECT_EQ(res->body, "rate limit exceeded\n");
    auto retry = res->get_header_value("Retry-After");
    ASSERT_FALSE(retry.empty());
    EXPECT_GE(std::stoi(retry), 1);
  }
};

} // namespace

TEST_F(HttpLimits, TwoTokensHaveIsolatedSubmitBudgets) {
  test_support::http_node node{limited(2, 60)};
  auto http = node.client();
  for (auto rr : {"a-1", "a-2"}) {
    auto res = submit(*http, "token-a", rr);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
  }
  expect_429(submit(*http, "token-a", "a-3"));
  // token-b's budget is untouched by token-a's.
  for (auto rr : {"b-1", "b-2"}) {
    auto res = submit(*http, "token-b", rr);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
  }
  expect_429(submit(*http, "token-b", "b-3"));
}

TEST_F(HttpLimits, DedupeHitsAreNotChargedToTheSubmitBudget) {
  test_support::http_node node{limited(1, 60)};
  auto http = node.client();
  auto first = submit(*http, "token-a", "dup-1");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  expect_429(submit(*http, "token-a", "dup-2")); // the budget is spent
  for (int i = 0; i < 5; ++i) {
    auto again = submit(*http, "token-a", "dup-1");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200) << again->body;
    EXPECT_EQ(again->body, first->body);
  }
  // The metric counts them.
  auto metrics = http->Get("/metrics", as("token-a"));
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("covsigner_submit_dedupe_hits_total 5"), std::string::npos)
    << metrics->body;
}

TEST_F(HttpLimits, PollsHaveTheirOwnBudget) {
  test_support::http_node node{limited(5, 2)};
  auto http = node.client();
  auto created = submit(*http, "token-a", "poll-1");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  auto id = std::string{boost::json::parse(created->body).at("requestId").as_string()};
  auto path = submit_path + "/" + id + ":poll";
  auto body = test_support::submit_body(qc, "poll-1");
  for (int i = 0; i < 2; ++i) {
    auto res = http->Post(path.c_str(), as("token-a"), body, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body; // PENDING: charged
  }
  expect_429(http->Post(path.c_str(), as("token-a"), body, "application/json"));
  auto other = http->Post(path.c_str(), as("token-b"), body, "application/json");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200) << other->body;
  // Polls did not touch the submit budget.
  auto next = submit(*http, "token-a", "poll-2");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200) << next->body;
}

TEST_F(HttpLimits, ThePreParseBudgetStopsEvenMalformedBodies) {
  test_support::http_node node{limited(5, 60, 3)};
  auto http = node.client();
  for (int i = 0; i < 3; ++i) {
    auto res = http->Post(submit_path.c_str(), as("token-a"), "{", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
    EXPECT_EQ(res->body, "malformed request body\n");
  }
  expect_429(http->Post(submit_path.c_str(), as("token-a"), "{", "application/json"));
  auto other = http->Post(submit_path.c_str(), as("token-b"), "{", "application/json");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 400);
}

TEST_F(HttpLimits, TheAdminRouteSpendsTheAdminTokensSubmitBudget) {
  test_support::http_node node{limited(1, 60)};
  auto http = node.client();
  auto path = "/v1/admin/signer-approval-certificates";
  auto first = http->Post(path, as("admin"), "{}", "application/json");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 501);
  expect_429(http->Post(path, as("admin"), "{}", "application/json"));
  // The client token's submit budget is its own.
  auto res = submit(*http, "token-a", "adm-1");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
}

TEST_F(HttpLimits, WithoutTokensThereIsNoIdentityToBudget) {
  auto settings = limited(1, 1, 1);
  settings.client_tokens.clear();
  settings.admin_tokens.clear();
  test_support::http_node node{settings};
  auto http = node.client();
  for (int i = 0; i < 4; ++i) {
    auto res = http->Post(submit_path.c_str(), test_support::submit_body(qc, "open-" + std::to_string(i)),
                          "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
  }
}

TEST_F(HttpLimits, EachRefusalIsCountedUnderItsBudget) {
  // One request, one submit and two polls fit; then one of each is refused.
  test_support::http_node node{limited(1, 2, 6)};
  auto http = node.client();
  auto created = submit(*http, "token-a", "count-1");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  expect_429(submit(*http, "token-a", "count-2"));
  auto id = std::string{boost::json::parse(created->body).at("requestId").as_string()};
  auto path = submit_path + "/" + id + ":poll";
  auto body = test_support::submit_body(qc, "count-1");
  for (int i = 0; i < 2; ++i) {
    auto res = http->Post(path.c_str(), as("token-a"), body, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
  }
  expect_429(http->Post(path.c_str(), as("token-a"), body, "application/json"));
  auto metrics = http->Get("/metrics", as("token-a")); // the request budget's last unit
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  expect_429(http->Get("/metrics", as("token-a")));
  auto text = http->Get("/metrics", as("token-b"))->body;
  for (const char* line : {R"(covsigner_http_rate_limited_total{budget="submit"} 1)",
                           R"(covsigner_http_rate_limited_total{budget="poll"} 1)",
                           R"(covsigner_http_rate_limited_total{budget="request"} 1)"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
}
