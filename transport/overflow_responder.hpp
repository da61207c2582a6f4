// Answers connections the worker pool turned away, all on one thread with
// poll(): each gets a short deadline to send its request head (8 KiB at
// most), then GET/HEAD /healthz and /readyz are answered as usual and
// everything else gets `503 server overloaded` with Retry-After and
// Connection: close. Slow or idle connections cost this thread nothing
// while they wait, so a flood of them cannot make the probes unanswerable.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace covsigner::transport {

/// A complete answer the responder writes as is.
struct canned_reply {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Decides the answer for a request head, or nullopt for the 503.
using quick_answer = std::function<std::optional<canned_reply>(
  std::string_view method, std::string_view path, std::string_view authorization)>;

struct overflow_settings {
  std::size_t max_connections = 1024;       // beyond: closed at once
  std::chrono::milliseconds head_timeout{2000};
  std::chrono::milliseconds linger{500};    // drain after answering
  int retry_after_seconds = 1;
};

/// The raw HTTP/1.1 bytes of `reply` with `Connection: close`; HEAD gets
/// the headers only.
std::string render_reply(const canned_reply& reply, bool head);

/// The request line and Authorization header of a complete head, or
/// nullopt if `head` does not hold one yet.
struct request_head {
  std::string method;
  std::string path;
  std::string authorization;
};
std::optional<request_head> parse_request_head(std::string_view head);

class overflow_responder {
public:
  overflow_responder(quick_answer answer, overflow_settings settings = {});
  ~overflow_responder();
  overflow_responder(const overflow_responder&) = delete;
  overflow_responder& operator=(const overflow_responder&) = delete;

  /// Takes ownership of the connected socket `fd`; it is answered and
  /// closed later (or closed at once when full or stopped). Thread-safe.
  void adopt(int fd);

  /// How many connections were sent a reply so far. A reply is counted
  /// before it is sent, so a client that has read its reply to the end
  /// sees it counted. Thread-safe.
  std::size_t answered() const;

private:
  struct connection;
  void run();

  quick_answer answer_;
  overflow_settings settings_;
  int wake_fd_ = -1;
  mutable std::mutex mutex_;
  std::vector<int> incoming_;
  std::size_t held_ = 0;
  std::size_t answered_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace covsigner::transport
