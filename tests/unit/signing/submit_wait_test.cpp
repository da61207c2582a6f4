// How long a submit waits for its job to settle (DESIGN.md "Submit and
// poll" step 7; issue 5: cap the submits waiting for signing, beyond the cap
// answer PENDING at once). The signer hangs, so every session stays in
// SIGNING and only the wait bound decides when a submit is answered.
#include "tests/support/hanging_signer.hpp"
#include "tests/support/signing_node.hpp"
#include "transport/http_server.hpp"

#include <httplib.h>

#include <filesystem>
#include <future>

using namespace covsigner;
using namespace std::chrono_literals;

namespace {

class SubmitWait : public test_support::signing_node_fixture {
protected:
  std::shared_ptr<test_support::hang_probe> probe = std::make_shared<test_support::hang_probe>();
  messages::signer_actor signer;

  void start_hanging(std::size_t max_in_flight = 64, std::size_t max_queued = 1024) {
    auto options = signing_options();
    options.sessions.max_in_flight = max_in_flight;
    options.sessions.max_queued = max_queued;
    options.signer.backend = "none";
    options.sessions.engine = actors::engine_kind::tbtc;
    options.sessions.tbtc.signer = test_support::spawn_hanging_signer(system, probe);
    signer = options.sessions.tbtc.signer->actor;
    start(options);
  }

  // The hanging signer outlives the node; the actor system waits for it.
  void TearDown() override {
    stop();
    if (signer)
      caf::anon_send_exit(signer, caf::exit_reason::user_shutdown);
  }

  // The queue shows in readiness (and so in /metrics).
  void readiness_has_queue(std::uint64_t n) {
    caf::scoped_actor self{system};
    self->request(node.node, 5s, messages::ready_atom::value)
      .receive([&](messages::readiness& r) { EXPECT_EQ(r.sessions.queued, n); },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
  }

  void wait_for_signer_requests(int n) {
    for (int i = 0; i < 1000 && probe->requests < n; ++i)
      std::this_thread::sleep_for(10ms);
    ASSERT_EQ(probe->requests, n);
  }
};

} // namespace

// wait_ms 0: the reply comes once the job is durable, not after the node's
// 25 s bound; the session carries on and reaches the signer.
TEST_F(SubmitWait, AZeroWaitAnswersPendingAsSoonAsTheJobIsDurable) {
  start_hanging();
  auto prepared = transport::prepare_submit(
    test_support::submit_body(self_v1.request, "ors_at_once"), "self_v1", {});
  auto cmd = std::get<messages::submit_command>(prepared);
  cmd.wait_ms = 0;
  messages::node_reply reply;
  caf::scoped_actor self{system};
  self->request(node.node, 5s, std::move(cmd))
    .receive([&](messages::node_reply& r) { reply = std::move(r); },
             [&](caf::error& e) { FAIL() << "no answer within 5 s: " << system.render(e); });
  EXPECT_EQ(reply.code, messages::reply_code::ok) << reply.message;
  EXPECT_EQ(reply.result.status, "PENDING");
  wait_for_signer_requests(1);
}

// workers 4 → at most 2 submits wait for signing; a third is answered at
// once instead of holding a worker for the whole wait.
TEST_F(SubmitWait, BeyondTheCapASubmitAnswersPendingAtOnce) {
  start_hanging();
  transport::node_client client{system, node.node, node.published};
  transport::http_settings settings;
  settings.workers = 4;
  settings.enable_self_v1 = true;
  settings.submit_wait = 6s;
  transport::http_server server{client, settings};
  auto port = server.start(0);
  ASSERT_TRUE(std::holds_alternative<int>(port)) << std::get<std::string>(port);
  auto submit = [&](const std::string& rr) {
    httplib::Client http{"127.0.0.1", std::get<int>(port)};
    http.set_read_timeout(3, 0); // well below the 6 s wait
    auto res = http.Post("/v1/self_v1/signer/requests",
                         test_support::submit_body(self_v1.request, rr), "application/json");
    return res ? std::optional<std::string>{res->body} : std::nullopt;
  };
  // Two submits take the two waiting slots (their sessions reach the signer).
  auto first = std::async(std::launch::async, submit, "ors_wait_1");
  auto second = std::async(std::launch::async, submit, "ors_wait_2");
  wait_for_signer_requests(2);
  auto third = submit("ors_wait_3");
  ASSERT_TRUE(third) << "the submit beyond the cap was held like the waiting ones";
  EXPECT_NE(third->find(R"("status":"PENDING")"), std::string::npos) << *third;
  // The two within the cap are still waiting when the client gives up.
  EXPECT_FALSE(first.get());
  EXPECT_FALSE(second.get());
  server.stop();
}

// Issue 7: at most max-in-flight sessions; the queue beyond is bounded. A
// job the node acknowledges must get a session, so while the queue is full
// new keys are refused (503, nothing created) and dedupe hits still answer.
TEST_F(SubmitWait, AFullSigningQueueRefusesNewJobsButAnswersDuplicates) {
  start_hanging(/*max_in_flight=*/1, /*max_queued=*/1);
  auto submit = [&](const std::string& rr) {
    auto prepared = transport::prepare_submit(test_support::submit_body(self_v1.request, rr),
                                              "self_v1", {});
    auto cmd = std::get<messages::submit_command>(prepared);
    cmd.wait_ms = 0;
    messages::node_reply reply;
    caf::scoped_actor self{system};
    self->request(node.node, 5s, std::move(cmd))
      .receive([&](messages::node_reply& r) { reply = std::move(r); },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
    return reply;
  };
  auto running = submit("ors_running");
  ASSERT_EQ(running.code, messages::reply_code::ok) << running.message;
  wait_for_signer_requests(1); // the one session hangs in the signer
  auto queued = submit("ors_queued");
  ASSERT_EQ(queued.code, messages::reply_code::ok) << queued.message;
  EXPECT_EQ(queued.result.status, "PENDING");
  readiness_has_queue(1);
  auto refused = submit("ors_refused");
  EXPECT_EQ(refused.code, messages::reply_code::unavailable);
  EXPECT_EQ(refused.message, "the signing queue is full (1 jobs wait for a session); retry later");
  auto again = submit("ors_queued");
  EXPECT_EQ(again.code, messages::reply_code::ok) << again.message;
  EXPECT_EQ(again.result.request_id, queued.result.request_id);
  // Nothing was created for the refused key.
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(data_dir() / "covenant-signer-jobs"))
    files += e.path().extension() == ".json";
  EXPECT_EQ(files, 2u);
}
