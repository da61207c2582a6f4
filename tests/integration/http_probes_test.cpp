// /readyz and /metrics over real loopback HTTP.
#include "tests/support/http_node.hpp"
#include "tests/support/requests.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

using namespace covsigner;

namespace {

transport::http_settings plain() {
  transport::http_settings s;
  s.workers = 4;
  return s;
}

} // namespace

TEST(HttpReadyz, A503NamesEachFailingCheckWhenSubmitsAreRefused) {
  // A job file nobody can attribute to a route key: the store loads fail
  // closed and refuses new submits (DESIGN "Persistence contract").
  test_support::http_node node{plain(), [](const std::filesystem::path& dir) {
                                 std::filesystem::create_directories(dir / "covenant-signer-jobs");
                                 std::ofstream(dir / "covenant-signer-jobs" /
                                               "kcs_qc_0000000000000000.json")
                                   << "\x01garbage";
                               }};
  auto http = node.client();
  auto res = http->Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  auto v = boost::json::parse(res->body).as_object();
  EXPECT_FALSE(v.at("ready").as_bool());
  const auto& failing = v.at("failing").as_array();
  ASSERT_FALSE(failing.empty()) << res->body;
  for (const auto& f : failing)
    EXPECT_NE(std::string{f.as_string()}.find("refus"), std::string::npos) << res->body;
  // /healthz is liveness only: still 200.
  auto health = http->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST(HttpMetrics, PrometheusTextCountsRequestsByEndpointAndStatus) {
  test_support::http_node node{plain()};
  auto http = node.client();
  auto qc = test_support::vector_request("qc_v1");
  auto body = test_support::submit_body(qc, "metrics-1");
  ASSERT_EQ(http->Post("/v1/qc_v1/signer/requests", body, "application/json")->status, 200);
  ASSERT_EQ(http->Post("/v1/qc_v1/signer/requests", body, "application/json")->status, 200);
  auto changed = qc;
  changed["facadeRequestId"] = "rf_other";
  ASSERT_EQ(http->Post("/v1/qc_v1/signer/requests", test_support::submit_body(changed, "metrics-1"),
                       "application/json")
              ->status,
            400);
  ASSERT_EQ(http->Get("/nowhere")->status, 404);

  auto res = http->Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const auto& text = res->body;
  for (auto line : {R"(covsigner_http_requests_total{endpoint="submit",status="200"} 2)",
                    R"(covsigner_http_requests_total{endpoint="submit",status="400"} 1)",
                    R"(covsigner_http_requests_total{endpoint="other",status="404"} 1)",
                    R"(covsigner_http_request_duration_seconds_count{endpoint="submit"} 3)",
                    "covsigner_submit_dedupe_hits_total 1", "covsigner_submit_conflicts_total 1",
                    "covsigner_submit_poisoned_refusals_total 0", "# TYPE covsigner_http_busy_workers gauge",
                    "covsigner_ready 1", "covsigner_store_jobs 1", "covsigner_poisoned_route_keys 0"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
}

TEST(HttpStartup, ASecondServerCannotShareTheBoundPort) {
  // No SO_REUSEPORT: two nodes never split one port's connections.
  test_support::http_node first{plain()};
  test_support::http_node::with_server_on(first.port(), [&](std::variant<int, std::string> bound) {
    ASSERT_TRUE(std::holds_alternative<std::string>(bound));
    EXPECT_EQ(std::get<std::string>(bound), "failed to bind covenant signer port [" +
                                              std::to_string(first.port()) + "] on 127.0.0.1");
  });
}

TEST(HttpDisconnect, AClientThatHangsUpDoesNotCancelItsSubmit) {
  test_support::http_node node{plain()};
  auto body = test_support::submit_body(test_support::vector_request("qc_v1"), "gone-1");
  {
    // Send the whole request, then hang up without reading the answer.
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(node.port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    std::string request = "POST /v1/qc_v1/signer/requests HTTP/1.1\r\nHost: x\r\n"
                          "Content-Type: application/json\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body;
    ASSERT_EQ(send(fd, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
    close(fd);
  }
  // The job was created and answered all the same: the same body is now a
  // dedupe hit of it.
  auto http = node.client();
  std::string metrics;
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    metrics = http->Get("/metrics")->body;
    if (metrics.find(R"(covsigner_http_requests_total{endpoint="submit",status="200"} 1)") !=
        std::string::npos)
      break;
  }
  auto again = http->Post("/v1/qc_v1/signer/requests", body, "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200) << again->body;
  metrics = http->Get("/metrics")->body;
  EXPECT_NE(metrics.find("covsigner_submit_dedupe_hits_total 1"), std::string::npos) << metrics;
}

TEST(HttpMetrics, ASubmitOnAPoisonedKeyIsCountedAsAPoisonedRefusal) {
  // A truncated job file without a marker: its readable prefix names the
  // route key, which the load poisons.
  test_support::http_node node{plain(), [](const std::filesystem::path& dir) {
                                 std::filesystem::create_directories(dir / "covenant-signer-jobs");
                                 std::ofstream(dir / "covenant-signer-jobs" /
                                               "kcs_qc_0000000000000001.json")
                                   << R"({"requestId":"kcs_qc_0000000000000001",)"
                                      R"("routeRequestId":"poisoned-1","route":"qc_v1",)";
                               }};
  auto http = node.client();
  auto body = test_support::submit_body(test_support::vector_request("qc_v1"), "poisoned-1");
  auto res = http->Post("/v1/qc_v1/signer/requests", body, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503) << res->body;
  EXPECT_NE(res->body.find("route key qc_v1:poisoned-1 is poisoned"), std::string::npos)
    << res->body;
  auto text = http->Get("/metrics")->body;
  for (const char* line : {"covsigner_submit_poisoned_refusals_total 1",
                           "covsigner_submit_conflicts_total 0",
                           "covsigner_submit_dedupe_hits_total 0"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
}
