// The HTTP server's worker pool with a bound. cpp-httplib hands every
// accepted connection to TaskQueue::enqueue, which returns nothing, and its
// own ThreadPool queues without limit: under a flood, clients would wait
// forever. This queue admits a connection to a worker when one is free,
// lets a few wait briefly, and turns the rest away: it runs their task in
// "reject" mode (see rejecting()), which the server answers with a 503 from
// a thread of its own instead of a worker.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace covsigner::transport {

struct admission_settings {
  std::size_t workers = 64;
  std::size_t max_waiting = 32;                // connections waiting for a worker
  std::chrono::milliseconds max_wait{1000};    // then they are turned away
  /// 0: a turned-away task runs on the thread that turns it away (it must
  /// not block: the plain-HTTP server only hands its socket over). Else it
  /// runs on one of this many threads (the TLS server, whose turned-away
  /// connections httplib processes in full and the handler answers 503).
  std::size_t reject_threads = 0;
  /// Turned-away tasks that may wait for a reject thread; beyond, a task
  /// runs at once in drop mode (see dropping()), so a flood cannot queue
  /// without bound.
  std::size_t max_queued_rejects = 256;
};

class admission_queue final : public httplib::TaskQueue {
public:
  /// `on_destroy` runs in the destructor (httplib deletes its task queue
  /// when listening ends; owners that keep a pointer clear it there).
  explicit admission_queue(admission_settings settings, std::function<void()> on_destroy = {});
  ~admission_queue() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

  /// True while the current thread runs a task in reject mode.
  static bool rejecting();

  /// True while the current thread runs a task that must only close its
  /// connection (the reject queue was full). Implies rejecting().
  static bool dropping();

  /// Workers holding a connection (serving or waiting on keep-alive).
  std::size_t busy() const { return busy_.load(std::memory_order_relaxed); }

  /// Connections are waiting for a worker: keep-alive connections should
  /// close after their current response, idle ones at once. (A full pool
  /// alone is no reason: closing busy keep-alive connections that nobody
  /// waits behind would only make their clients reconnect.)
  bool under_pressure() const { return waiting() > 0; }

  std::size_t waiting() const { return waiting_.load(std::memory_order_relaxed); }
  std::size_t rejected() const { return rejected_.load(std::memory_order_relaxed); }

private:
  struct pending {
    std::function<void()> fn;
    std::chrono::steady_clock::time_point since;
  };

  std::size_t free_workers() const;
  void update_waiting();
  void work();
  void expire_waiting();
  void turn_away(std::function<void()> fn);
  void run_rejects();
  static void reject(std::function<void()>& fn, bool drop = false);

  admission_settings settings_;
  std::function<void()> on_destroy_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::condition_variable janitor_wake_;
  std::deque<pending> jobs_;
  bool stopping_ = false;
  std::atomic<std::size_t> busy_{0};
  std::atomic<std::size_t> waiting_{0};
  std::atomic<std::size_t> rejected_{0};
  std::vector<std::thread> threads_;
  std::thread janitor_;
  std::mutex reject_mutex_;
  std::condition_variable reject_ready_;
  std::deque<std::function<void()>> rejects_;
  bool rejects_stopping_ = false;
  std::vector<std::thread> reject_threads_;
};

} // namespace covsigner::transport
