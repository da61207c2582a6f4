#include "transport/guarded_server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace covsigner::transport {

namespace {
// How often a waiting connection checks whether it should yield.
constexpr std::chrono::milliseconds wait_slice{100};
} // namespace

guarded_server::guarded_server(connection_settings settings, overflow_responder& overflow)
  : settings_(settings), overflow_(overflow) {
  new_task_queue = [this] {
    auto* q = new admission_queue(settings_.admission, [this] { queue_.store(nullptr); });
    queue_.store(q);
    return q;
  };
  set_keep_alive_max_count(std::max<std::size_t>(1, settings_.keep_alive_max_requests));
}

bool guarded_server::raise_backlog(int backlog) {
  auto fd = svr_sock_.load();
  // listen() on a listening socket only changes its backlog (Linux).
  return fd != INVALID_SOCKET && ::listen(fd, backlog) == 0;
}

bool guarded_server::under_pressure() const {
  auto* q = queue_.load();
  return q && q->under_pressure();
}

// Waits for the first byte of a request in slices, giving up early when the
// server stops or workers run short.
bool guarded_server::wait_for_request(socket_stream& strm, std::chrono::milliseconds limit,
                                      bool& pressure) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    if (strm.wait_readable(std::min(left, wait_slice)))
      return true;
    if (svr_sock_ == INVALID_SOCKET)
      return false;
    if (under_pressure()) {
      pressure = true;
      return false;
    }
  }
}

bool guarded_server::process_and_close_socket(::socket_t sock) {
  if (admission_queue::rejecting()) {
    overflow_.adopt(sock);
    return false;
  }
  socket_stream strm(sock, settings_.timeouts);
  bool ret = false;
  bool first = true;
  for (auto count = std::max<std::size_t>(1, settings_.keep_alive_max_requests); count > 0;
       --count) {
    if (svr_sock_ == INVALID_SOCKET)
      break;
    bool pressure = false;
    auto limit = first ? settings_.timeouts.read_header : settings_.idle_timeout;
    if (!wait_for_request(strm, limit, pressure)) {
      if (pressure && first) {
        // A new connection that has not spoken yet while workers run
        // short: the responder gives it a 503 (or its probe answer)
        // without holding this worker.
        overflow_.adopt(sock);
        return false;
      }
      break;
    }
    first = false;
    strm.begin_request();
    bool close_connection = count == 1 || under_pressure();
    bool connection_closed = false;
    ret = process_request(strm, close_connection, connection_closed, nullptr);
    if (!ret || connection_closed || close_connection)
      break;
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

} // namespace covsigner::transport
