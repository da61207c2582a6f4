// Bounded concurrency over real loopback HTTP: more connections than
// workers get a 503 (Retry-After, Connection: close) within the admission
// timeout, never a hang; slow or idle connections cannot starve /healthz
// and /readyz; keep-alive connections yield their workers under pressure;
// the reference's header deadline and 8 KiB header cap hold.
#include "tests/support/http_node.hpp"
#include "tests/support/raw_http.hpp"
#include "tests/support/requests.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

using namespace covsigner;
using namespace std::chrono_literals;

namespace {

using clock_type = std::chrono::steady_clock;

using test_support::raw_connection;

transport::http_settings small_pool() {
  transport::http_settings s;
  s.workers = 2;
  s.connection.admission.max_waiting = 1;
  s.connection.admission.max_wait = 300ms;
  s.connection.timeouts.read_header = 2000ms;
  return s;
}

// Holds a worker: a request head that never ends.
std::unique_ptr<raw_connection> slow_client(int port) {
  auto c = std::make_unique<raw_connection>(port);
  c->send_all("POST /v1/qc_v1/signer/requests HTTP/1.1\r\nHost: x\r\n");
  return c;
}

std::unique_ptr<httplib::Client> quick_client(int port) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
  c->set_connection_timeout(3, 0);
  c->set_read_timeout(3, 0);
  return c;
}

} // namespace

TEST(HttpOverload, MoreConnectionsThanWorkersGet503QuicklyAndProbesStillAnswer) {
  auto settings = small_pool();
  settings.connection.timeouts.read_header = 4000ms; // the slow clients hold both workers
  test_support::http_node node{settings};
  std::vector<std::unique_ptr<raw_connection>> slow;
  for (int i = 0; i < 6; ++i)
    slow.push_back(slow_client(node.port()));
  std::this_thread::sleep_for(500ms); // every worker now holds a slow client

  auto started = clock_type::now();
  auto submit = quick_client(node.port())
                  ->Post("/v1/qc_v1/signer/requests",
                         test_support::submit_body(test_support::vector_request("qc_v1"), "ov-1"),
                         "application/json");
  auto took = clock_type::now() - started;
  ASSERT_TRUE(submit) << "no answer: " << httplib::to_string(submit.error());
  EXPECT_EQ(submit->status, 503);
  EXPECT_EQ(submit->body, "server overloaded\n");
  EXPECT_EQ(submit->get_header_value("Retry-After"), "1");
  EXPECT_EQ(submit->get_header_value("Connection"), "close");
  EXPECT_LT(took, 2500ms); // admission wait (300 ms) + slack for a loaded machine

  auto health = quick_client(node.port())->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, R"({"status":"ok"})");
  auto ready = quick_client(node.port())->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;
  EXPECT_NE(ready->body.find(R"("ready":true)"), std::string::npos);

  // The slow clients go away; the pool serves again.
  slow.clear();
  std::this_thread::sleep_for(500ms);
  auto again = quick_client(node.port())
                 ->Post("/v1/qc_v1/signer/requests",
                        test_support::submit_body(test_support::vector_request("qc_v1"), "ov-2"),
                        "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200) << again->body;
}

TEST(HttpOverload, AFloodOfIdleConnectionsDoesNotStarveHealthz) {
  test_support::http_node node{small_pool()};
  std::vector<std::unique_ptr<raw_connection>> idle;
  for (int i = 0; i < 200; ++i) {
    idle.push_back(std::make_unique<raw_connection>(node.port()));
    ASSERT_TRUE(idle.back()->connected());
  }
  std::this_thread::sleep_for(200ms);
  for (int i = 0; i < 5; ++i) {
    auto started = clock_type::now();
    auto health = quick_client(node.port())->Get("/healthz");
    ASSERT_TRUE(health) << "round " << i << ": " << httplib::to_string(health.error());
    EXPECT_EQ(health->status, 200);
    EXPECT_LT(clock_type::now() - started, 2500ms);
  }
}

TEST(HttpOverload, KeepAliveConnectionsYieldTheirWorkers) {
  test_support::http_node node{small_pool()};
  std::atomic<bool> stop{false};
  std::vector<std::thread> hogs;
  for (int i = 0; i < 2; ++i)
    hogs.emplace_back([&] {
      httplib::Client c("127.0.0.1", node.port());
      c.set_keep_alive(true);
      while (!stop)
        c.Get("/healthz");
    });
  std::this_thread::sleep_for(200ms);
  int answered = 0;
  for (int i = 0; i < 20; ++i) {
    auto started = clock_type::now();
    auto res = quick_client(node.port())->Get("/healthz");
    if (res) {
      ++answered;
      EXPECT_TRUE(res->status == 200 || res->status == 503) << res->status;
    }
    EXPECT_LT(clock_type::now() - started, 2500ms);
  }
  stop = true;
  for (auto& t : hogs)
    t.join();
  EXPECT_EQ(answered, 20);
}

TEST(HttpOverload, AHeaderDribbledPastTheDeadlineIsCutOff) {
  auto settings = small_pool();
  settings.workers = 4;
  settings.connection.timeouts.read_header = 800ms;
  test_support::http_node node{settings};
  raw_connection c(node.port());
  auto started = clock_type::now();
  std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  bool closed = false;
  for (std::size_t i = 0; i < head.size() + 40 && !closed; ++i) {
    c.send_all(std::string(1, i < head.size() ? head[i] : 'a'));
    c.read_all(50ms, closed);
  }
  EXPECT_TRUE(closed) << "the server kept a dribbling client";
  EXPECT_LT(clock_type::now() - started, 2500ms);
}

TEST(HttpOverload, HeadersOver8KiBAreRefused) {
  test_support::http_node node{small_pool()};
  auto http = quick_client(node.port());
  // The cap is on the whole block (Go's MaxHeaderBytes), not per line.
  auto ok = http->Get("/healthz", {{"X-Pad-1", std::string(3500, 'a')},
                                   {"X-Pad-2", std::string(3500, 'a')}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto big = quick_client(node.port())
               ->Get("/healthz", {{"X-Pad-1", std::string(3000, 'a')},
                                  {"X-Pad-2", std::string(3000, 'a')},
                                  {"X-Pad-3", std::string(3000, 'a')}});
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 400);
}

TEST(HttpOverload, TheOverflowResponderChecksTheTokenOnReadyz) {
  auto settings = small_pool();
  settings.connection.timeouts.read_header = 4000ms;
  settings.client_tokens = {"probe-token"};
  settings.admin_tokens = {"admin-token"};
  test_support::http_node node{settings};
  std::vector<std::unique_ptr<raw_connection>> slow;
  for (int i = 0; i < 4; ++i)
    slow.push_back(slow_client(node.port()));
  std::this_thread::sleep_for(500ms);
  auto refused = quick_client(node.port())->Get("/readyz");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(refused->body, "missing bearer token\n");
  EXPECT_EQ(refused->get_header_value("WWW-Authenticate"), "Bearer");
  auto ready = quick_client(node.port())->Get("/readyz", {{"Authorization", "Bearer probe-token"}});
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;
  EXPECT_EQ(ready->get_header_value("Connection"), "close"); // from the responder, not a worker
}
