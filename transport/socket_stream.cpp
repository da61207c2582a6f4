#include "transport/socket_stream.hpp"

#include "transport/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace covsigner::transport {

namespace {

bool poll_for(int fd, short events, std::chrono::milliseconds wait) {
  pollfd p{fd, events, 0};
  for (;;) {
    int n = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, wait.count())));
    if (n < 0 && errno == EINTR)
      continue;
    return n > 0;
  }
}

void endpoint_of(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    port = ntohs(in6->sin6_port);
  }
  ip = text;
}

} // namespace

socket_stream::socket_stream(int fd, stream_limits timeouts, SSL* tls)
  : fd_(fd), tls_(tls), timeouts_(timeouts), started_(clock::now()) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    endpoint_of(addr, remote_ip_, remote_port_);
}

socket_stream::~socket_stream() {
  if (tls_) {
    SSL_shutdown(tls_); // one close_notify, no waiting for the peer's
    SSL_free(tls_);
    ERR_clear_error();
  }
}

bool socket_stream::buffered() const {
  return pos_ < end_ || (tls_ && SSL_pending(tls_) > 0);
}

void socket_stream::begin_request(clock::time_point now) {
  started_ = now;
  headers_done_ = false;
  newline_run_ = 0;
  header_bytes_ = 0;
  request_bytes_ = 0;
}

socket_stream::clock::time_point socket_stream::deadline() const {
  return started_ + (headers_done_ ? timeouts_.read : timeouts_.read_header);
}

bool socket_stream::wait_readable(std::chrono::milliseconds wait) const {
  return buffered() || poll_for(fd_, POLLIN, wait);
}

bool socket_stream::is_readable() const {
  if (buffered())
    return true;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline() - clock::now());
  return left.count() > 0 && poll_for(fd_, POLLIN, left);
}

bool socket_stream::is_writable() const {
  return poll_for(fd_, POLLOUT, timeouts_.write);
}

ssize_t socket_stream::receive(char* ptr, std::size_t size) {
  if (tls_)
    return receive_tls(ptr, size);
  ssize_t n;
  do {
    n = ::recv(fd_, ptr, size, 0);
  } while (n < 0 && errno == EINTR);
  return n;
}

// A TLS record arrives in pieces: SSL_read on the non-blocking socket asks
// for more until the record is whole, and each wait is bounded by the
// request's deadline, so a client that sends a record byte by byte is cut
// off like one that sends a plain request byte by byte.
ssize_t socket_stream::receive_tls(char* ptr, std::size_t size) {
  for (;;) {
    int n = SSL_read(tls_, ptr, static_cast<int>(std::min<std::size_t>(size, 1u << 30)));
    if (n > 0)
      return n;
    if (SSL_get_error(tls_, n) == SSL_ERROR_ZERO_RETURN)
      return 0;
    if (!await_tls(tls_, fd_, n, deadline()))
      return -1;
  }
}

ssize_t socket_stream::send_tls(const char* ptr, std::size_t size) {
  auto until = clock::now() + timeouts_.write;
  for (;;) {
    int n = SSL_write(tls_, ptr, static_cast<int>(std::min<std::size_t>(size, 1u << 30)));
    if (n > 0)
      return n;
    if (!await_tls(tls_, fd_, n, until))
      return -1;
  }
}

// The header block ends at the first empty line; only then may the body
// use the longer read timeout. False when the block outgrows its limit.
bool socket_stream::note_header_bytes(const char* p, std::size_t n) {
  for (std::size_t i = 0; i < n && !headers_done_; ++i) {
    if (++header_bytes_ > timeouts_.max_header_bytes)
      return false;
    if (p[i] == '\n') {
      if (++newline_run_ == 2)
        headers_done_ = true;
    } else if (p[i] != '\r') {
      newline_run_ = 0;
    }
  }
  return true;
}

ssize_t socket_stream::read(char* ptr, size_t size) {
  if (pos_ >= end_) {
    if (!is_readable())
      return -1;
    auto n = receive(buffer_, sizeof buffer_);
    if (n <= 0)
      return n;
    pos_ = 0;
    end_ = static_cast<std::size_t>(n);
  }
  auto n = std::min(size, end_ - pos_);
  std::memcpy(ptr, buffer_ + pos_, n);
  if (!headers_done_ && !note_header_bytes(buffer_ + pos_, n))
    return -1;
  request_bytes_ += n;
  if (timeouts_.max_body_wire_bytes != 0 &&
      request_bytes_ > timeouts_.max_header_bytes + timeouts_.max_body_wire_bytes)
    return -1;
  pos_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t socket_stream::write(const char* ptr, size_t size) {
  if (tls_)
    return send_tls(ptr, size);
  if (!is_writable())
    return -1;
  ssize_t n;
  do {
    n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n;
}

void socket_stream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = remote_ip_;
  port = remote_port_;
}

void socket_stream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    endpoint_of(addr, ip, port);
}

} // namespace covsigner::transport
