// SIGKILL during load: a child covsignerd serves real HTTP while clients
// submit; a job counts as acknowledged only once its 200 was read. After
// every kill and restart, every acknowledged job polls and dedupes to the
// same request id. (SIGKILL keeps the page cache, so this proves crash
// consistency of the process, not fsync; the power-cut tests in
// tests/unit/persistence cover that.)
#include "tests/support/child_process.hpp"
#include "tests/support/requests.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

using namespace covsigner;
using namespace std::chrono_literals;

namespace {

const std::string covsignerd = std::string{COVSIGNER_BINARY_DIR} + "/covsignerd";

struct acknowledged {
  std::string route_request_id;
  std::string request_id;
};

bool wait_healthy(int port, test_support::child_process& child) {
  httplib::Client http("127.0.0.1", port);
  http.set_connection_timeout(0, 200000);
  for (int i = 0; i < 300 && child.running(); ++i) {
    if (auto res = http.Get("/healthz"); res && res->status == 200)
      return true;
    child.wait_for_exit(20ms);
  }
  return false;
}

} // namespace

TEST(StoreCrash, EveryAcknowledgedJobSurvivesSigkillDuringLoad) {
  constexpr int rounds = 20;
  constexpr int clients = 4;
  test_support::temp_dir dir;
  auto log = (dir.path() / "covsignerd.log").string();
  auto qc = test_support::vector_request("qc_v1");
  std::vector<acknowledged> acked;
  std::mutex acked_mutex;
  std::mt19937 rng{20261124};
  std::atomic<int> sequence{0};

  for (int round = 0; round < rounds; ++round) {
    int port = test_support::free_loopback_port();
    test_support::child_process child(
      covsignerd,
      {"--data-dir=" + (dir.path() / "data").string(), "--port=" + std::to_string(port),
       "--eip712-salt=0x" + std::string(64, '0'), "--http.workers=16"},
      log);
    ASSERT_TRUE(wait_healthy(port, child)) << "round " << round;

    // Everything acknowledged before this restart must be there.
    httplib::Client http("127.0.0.1", port);
    for (const auto& job : acked) {
      auto body = test_support::submit_body(qc, job.route_request_id);
      auto poll = http.Post(("/v1/qc_v1/signer/requests/" + job.request_id + ":poll").c_str(),
                            body, "application/json");
      ASSERT_TRUE(poll) << "round " << round;
      ASSERT_EQ(poll->status, 200) << job.request_id << ": " << poll->body;
    }
    if (!acked.empty()) {
      const auto& last = acked.back();
      auto again = http.Post("/v1/qc_v1/signer/requests",
                             test_support::submit_body(qc, last.route_request_id),
                             "application/json");
      ASSERT_TRUE(again);
      EXPECT_NE(again->body.find(last.request_id), std::string::npos) << again->body;
    }

    // Load, then a kill at a random moment.
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c)
      threads.emplace_back([&] {
        httplib::Client client("127.0.0.1", port);
        client.set_read_timeout(5, 0);
        while (!stop) {
          auto rr = "crash-" + std::to_string(sequence++);
          auto res = client.Post("/v1/qc_v1/signer/requests", test_support::submit_body(qc, rr),
                                 "application/json");
          if (!res)
            return; // the server died under us: not acknowledged
          if (res->status != 200)
            continue;
          auto id = boost::json::parse(res->body).at("requestId").as_string();
          std::lock_guard<std::mutex> guard{acked_mutex};
          acked.push_back({rr, std::string{id}});
        }
      });
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 250));
    child.signal(SIGKILL);
    ASSERT_TRUE(child.wait_for_exit(10s));
    stop = true;
    for (auto& t : threads)
      t.join();
  }
  EXPECT_GT(acked.size(), static_cast<std::size_t>(rounds)) << "the load acknowledged too little";
  std::cout << "acknowledged " << acked.size() << " jobs across " << rounds << " SIGKILL rounds\n";
}
