// The bounded worker pool and the overflow responder, without HTTP: tasks
// beyond the workers and the waiting room run in reject mode at once, a
// waiting task that outlives max_wait is turned away, and the responder
// answers a turned-away socket from its request head.
#include "transport/admission_queue.hpp"
#include "transport/overflow_responder.hpp"

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>

using namespace covsigner::transport;
using namespace std::chrono_literals;

TEST(AdmissionQueue, TurnsAwayBeyondTheWaitingRoomAndAfterMaxWait) {
  admission_queue q({/*workers=*/1, /*max_waiting=*/1, /*max_wait=*/150ms});
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<bool> a_rejecting, b_rejecting, c_rejecting;
  std::atomic<bool> a_started{false};
  q.enqueue([&] {
    a_started = true;
    a_rejecting.set_value(admission_queue::rejecting());
    released.wait();
  });
  while (!a_started)
    std::this_thread::sleep_for(1ms);
  EXPECT_EQ(q.busy(), 1u);
  auto b_queued = std::chrono::steady_clock::now();
  q.enqueue([&] { b_rejecting.set_value(admission_queue::rejecting()); });
  EXPECT_TRUE(q.under_pressure()); // B waits for the only worker
  // C finds the waiting room full: it runs in reject mode inside enqueue.
  q.enqueue([&] { c_rejecting.set_value(admission_queue::rejecting()); });
  auto c = c_rejecting.get_future();
  ASSERT_EQ(c.wait_for(0s), std::future_status::ready);
  EXPECT_TRUE(c.get());
  // B is turned away once it has waited max_wait, not left hanging.
  auto b = b_rejecting.get_future();
  ASSERT_EQ(b.wait_for(2s), std::future_status::ready);
  EXPECT_TRUE(b.get());
  EXPECT_GE(std::chrono::steady_clock::now() - b_queued, 150ms);
  EXPECT_EQ(q.rejected(), 2u);
  EXPECT_FALSE(a_rejecting.get_future().get());
  release.set_value();
  q.shutdown();
}

TEST(AdmissionQueue, RejectThreadsRunTurnedAwayTasksOffTheCallersThread) {
  admission_settings s{1, 0, 100ms, /*reject_threads=*/2};
  admission_queue q(s);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<bool> a_started{false};
  q.enqueue([&] {
    a_started = true;
    released.wait();
  });
  while (!a_started)
    std::this_thread::sleep_for(1ms);
  std::promise<std::thread::id> where;
  q.enqueue([&] { where.set_value(std::this_thread::get_id()); });
  auto id = where.get_future();
  ASSERT_EQ(id.wait_for(2s), std::future_status::ready);
  EXPECT_NE(id.get(), std::this_thread::get_id());
  release.set_value();
  q.shutdown();
}

namespace {

std::string read_until_eof(int fd, std::chrono::milliseconds limit) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0)
      continue;
    char buf[1024];
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

} // namespace

// A flood of turned-away TLS connections cannot queue without bound: past
// max_queued_rejects a task runs at once on the caller's thread in drop
// mode (the server only closes its socket).
TEST(AdmissionQueue, TheRejectQueueIsBoundedAndOverflowRunsInDropMode) {
  admission_settings s{1, 0, 100ms, /*reject_threads=*/1, /*max_queued_rejects=*/2};
  admission_queue q(s);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<int> started{0};
  // One task holds the worker, the next the only reject thread.
  q.enqueue([&] {
    ++started;
    released.wait();
  });
  while (started < 1)
    std::this_thread::sleep_for(1ms);
  q.enqueue([&] {
    ++started;
    released.wait();
  });
  while (started < 2)
    std::this_thread::sleep_for(1ms);
  std::atomic<int> dropped{0};
  std::atomic<int> queued_ran{0};
  auto caller = std::this_thread::get_id();
  for (int i = 0; i < 5; ++i)
    q.enqueue([&] {
      if (admission_queue::dropping()) {
        EXPECT_TRUE(admission_queue::rejecting());
        EXPECT_EQ(std::this_thread::get_id(), caller);
        ++dropped;
      } else {
        ++queued_ran;
      }
    });
  // Two wait for the reject thread; three found the queue full.
  EXPECT_EQ(dropped.load(), 3);
  EXPECT_EQ(queued_ran.load(), 0);
  EXPECT_FALSE(admission_queue::dropping());
  release.set_value();
  q.shutdown();
  EXPECT_EQ(queued_ran.load(), 2);
  EXPECT_EQ(q.rejected(), 6u);
}

TEST(OverflowResponder, AnswersProbesAndTurnsTheRestAway) {
  overflow_responder responder(
    [](std::string_view method, std::string_view path, std::string_view) -> std::optional<canned_reply> {
      if (method == "GET" && path == "/healthz")
        return canned_reply{200, "application/json", R"({"status":"ok"})", {}};
      return std::nullopt;
    },
    overflow_settings{64, 300ms, 200ms, 1});
  int probe[2], other[2], silent[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, probe), 0);
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, other), 0);
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, silent), 0);
  responder.adopt(probe[1]);
  responder.adopt(other[1]);
  responder.adopt(silent[1]);
  std::string get = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string post = "POST /v1/qc_v1/signer/requests HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_GT(::send(probe[0], get.data(), get.size(), 0), 0);
  ASSERT_GT(::send(other[0], post.data(), post.size(), 0), 0);
  EXPECT_EQ(read_until_eof(probe[0], 2s),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n"
            "Connection: close\r\n\r\n{\"status\":\"ok\"}");
  auto turned_away = read_until_eof(other[0], 2s);
  EXPECT_TRUE(turned_away.starts_with("HTTP/1.1 503 Service Unavailable\r\n")) << turned_away;
  EXPECT_NE(turned_away.find("Retry-After: 1\r\n"), std::string::npos);
  EXPECT_TRUE(turned_away.ends_with("\r\n\r\nserver overloaded\n"));
  // A client that never sends its head gets the 503 after head_timeout.
  auto started = std::chrono::steady_clock::now();
  auto silent_answer = read_until_eof(silent[0], 3s);
  EXPECT_TRUE(silent_answer.starts_with("HTTP/1.1 503")) << silent_answer;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_EQ(responder.answered(), 3u);
  for (int fd : {probe[0], other[0], silent[0]})
    ::close(fd);
}
