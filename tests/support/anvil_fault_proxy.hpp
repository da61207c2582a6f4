// A loopback HTTP proxy in front of a JSON-RPC node that injects simulated
// faults: pass through, fail (HTTP 503), hang (hold the request until the
// mode changes; the client's socket timeout ends it first), or add latency.
// Test-only; every failure it produces is simulated.
#pragma once

#include "tests/support/child_process.hpp"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace covsigner::test_support {

class anvil_fault_proxy {
public:
  enum class mode { pass, fail, hang, delay };

  anvil_fault_proxy(std::string upstream_host, int upstream_port)
    : host_(std::move(upstream_host)), upstream_port_(upstream_port), port_(free_loopback_port()) {
    server_.new_task_queue = [] { return new httplib::ThreadPool(16); };
    server_.set_tcp_nodelay(true);
    server_.Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      mode m;
      std::chrono::milliseconds delay;
      std::uint64_t generation;
      {
        std::lock_guard lock(mutex_);
        m = mode_;
        delay = delay_;
        generation = generation_;
      }
      ++requests_;
      if (m == mode::fail) {
        res.status = 503;
        res.set_content("simulated fault: upstream unavailable", "text/plain");
        return;
      }
      if (m == mode::hang) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, std::chrono::seconds(30),
                          [&] { return generation_ != generation || stopping_; });
        res.status = 503;
        res.set_content("simulated fault: hung", "text/plain");
        return;
      }
      if (m == mode::delay)
        std::this_thread::sleep_for(delay);
      httplib::Client upstream(host_, upstream_port_);
      upstream.set_read_timeout(std::chrono::seconds(10));
      auto r = upstream.Post("/", req.body, "application/json");
      if (!r) {
        res.status = 502;
        return;
      }
      res.status = r->status;
      res.set_content(r->body, "application/json");
    });
    server_.bind_to_port("127.0.0.1", port_);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  ~anvil_fault_proxy() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      ++generation_;
    }
    changed_.notify_all();
    server_.stop();
    thread_.join();
  }

  void set(mode m, std::chrono::milliseconds delay = std::chrono::milliseconds(0)) {
    {
      std::lock_guard lock(mutex_);
      mode_ = m;
      delay_ = delay;
      ++generation_;
    }
    changed_.notify_all();
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::uint64_t requests() const { return requests_; }

private:
  std::string host_;
  int upstream_port_;
  int port_;
  httplib::Server server_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  mode mode_ = mode::pass;
  std::chrono::milliseconds delay_{0};
  std::uint64_t generation_ = 0;
  bool stopping_ = false;
  std::atomic<std::uint64_t> requests_{0};
};

} // namespace covsigner::test_support
