#include "transport/guarded_server.hpp"

#include "transport/connection_close.hpp"

#include <poll.h>

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace covsigner::transport {

namespace {
// How often a waiting connection checks whether it should yield.
constexpr std::chrono::milliseconds wait_slice{100};

// After answering a request whose body it did not read, the server half
// closes and discards what the client still sends for a moment: closing a
// socket with unread bytes resets the connection, and the client could
// lose the answer. Bounded in bytes and time (as Go's net/http bounds it),
// and nothing is kept.
constexpr std::size_t linger_max_bytes = 256u << 10;
constexpr std::chrono::milliseconds linger_max_wait{500};
constexpr std::chrono::milliseconds turned_away_handshake{2000};

void close_lingering(::socket_t sock) {
  ::shutdown(sock, SHUT_WR);
  char sink[16384];
  std::size_t drained = 0;
  auto deadline = std::chrono::steady_clock::now() + linger_max_wait;
  while (drained < linger_max_bytes) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    pollfd p{sock, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      break;
    auto n = ::recv(sock, sink, sizeof sink, 0);
    if (n <= 0)
      break;
    drained += static_cast<std::size_t>(n);
  }
}
} // namespace

guarded_server::guarded_server(connection_settings settings, overflow_responder& overflow,
                               std::shared_ptr<const tls_context> tls)
  : settings_(settings), overflow_(overflow), tls_(std::move(tls)) {
  if (tls_)
    settings_.admission.reject_threads = std::max<std::size_t>(2, settings_.admission.reject_threads);
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
// server stops or, if `yield` is set, when workers run short.
bool guarded_server::wait_for_request(socket_stream& strm, std::chrono::milliseconds limit,
                                      bool yield, bool& pressure) {
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
    if (yield && under_pressure()) {
      pressure = true;
      return false;
    }
  }
}

bool guarded_server::process_and_close_socket(::socket_t sock) {
  if (admission_queue::dropping()) {
    ::close(sock);
    return false;
  }
  bool turned_away = admission_queue::rejecting();
  if (turned_away && !tls_) {
    overflow_.adopt(sock);
    return false;
  }
  SSL* session = nullptr;
  if (tls_) {
    // A turned-away connection holds one of few reject threads: a shorter
    // handshake budget.
    auto limit = turned_away ? std::min(settings_.timeouts.read_header, turned_away_handshake)
                             : settings_.timeouts.read_header;
    session = tls_->accept(sock, limit);
    if (!session) {
      ::close(sock);
      return false;
    }
  }
  connection_end end;
  {
    socket_stream strm(sock, settings_.timeouts, session);
    end = serve_connection(strm, sock, turned_away);
  }
  if (end == connection_end::adopted)
    return false;
  if (end == connection_end::unread_body)
    close_lingering(sock);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return true;
}

// Serves requests on one connection until it ends. `answer_once`: a
// turned-away TLS connection gets one answer, then the connection closes.
guarded_server::connection_end guarded_server::serve_connection(socket_stream& strm,
                                                                ::socket_t sock,
                                                                bool answer_once) {
  bool first = true;
  auto count = answer_once ? 1 : std::max<std::size_t>(1, settings_.keep_alive_max_requests);
  for (; count > 0; --count) {
    if (svr_sock_ == INVALID_SOCKET)
      return connection_end::closed;
    bool pressure = false;
    auto limit = first ? settings_.timeouts.read_header : settings_.idle_timeout;
    // Only a plain connection can be handed to the overflow responder: a
    // TLS one waits for its first request (its handshake is done).
    if (!wait_for_request(strm, limit, !(first && tls_), pressure)) {
      if (pressure && first) {
        // A new connection that has not spoken yet while workers run
        // short: the responder gives it a 503 (or its probe answer)
        // without holding this worker.
        overflow_.adopt(sock);
        return connection_end::adopted;
      }
      return connection_end::closed;
    }
    first = false;
    strm.begin_request();
    bool close_connection = count == 1 || under_pressure();
    bool connection_closed = false;
    take_connection_close_request(); // nothing stale from another connection
    bool ok = process_request(strm, close_connection, connection_closed, nullptr);
    if (take_connection_close_request())
      return connection_end::unread_body;
    if (!ok || connection_closed || close_connection)
      return connection_end::closed;
  }
  return connection_end::closed;
}

} // namespace covsigner::transport
