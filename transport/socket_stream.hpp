// httplib::Stream over one accepted TCP socket, with the reference's
// deadlines (§1.1) per request: the header block must arrive within the
// read-header timeout and the whole request within the read timeout, so a
// client that dribbles bytes cannot hold a worker longer than that; and
// with a byte bound per request, so none can make the reader buffer more.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <string>

using SSL = struct ssl_st;

namespace covsigner::transport {

struct stream_limits {
  std::chrono::milliseconds read_header{5000};
  std::chrono::milliseconds read{30000};
  std::chrono::milliseconds write{30000}; // per write call
  std::size_t max_header_bytes = 8192;    // request line + headers
  /// Bytes one request may take after its header block, body framing
  /// included (request_body.hpp's wire_allowance). 0: unbounded. Past it
  /// reads fail, so no chunk-size line or body can grow without bound.
  std::size_t max_body_wire_bytes = 0;
};

class socket_stream final : public httplib::Stream {
public:
  using clock = std::chrono::steady_clock;

  /// `tls`: a session whose handshake is done (tls_context::accept, the
  /// socket non-blocking); the stream owns it, shuts it down and frees it.
  /// Null: plain TCP.
  socket_stream(int fd, stream_limits timeouts, SSL* tls = nullptr);
  ~socket_stream() override;
  socket_stream(const socket_stream&) = delete;
  socket_stream& operator=(const socket_stream&) = delete;

  /// Starts the deadlines of a new request (call when its first byte is
  /// there or expected).
  void begin_request(clock::time_point now = clock::now());

  /// Waits until a request's first byte is readable, at most `wait`.
  /// True when readable (buffered bytes count); false on timeout.
  bool wait_readable(std::chrono::milliseconds wait) const;

  /// True when bytes already read from the socket wait in the buffer (or
  /// in the TLS session's).
  bool buffered() const;

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  ::socket_t socket() const override { return fd_; }

private:
  clock::time_point deadline() const;
  ssize_t receive(char* ptr, std::size_t size);
  ssize_t receive_tls(char* ptr, std::size_t size);
  ssize_t send_tls(const char* ptr, std::size_t size);
  bool note_header_bytes(const char* p, std::size_t n);

  int fd_;
  SSL* tls_;
  stream_limits timeouts_;
  clock::time_point started_;
  bool headers_done_ = false;
  int newline_run_ = 0; // consecutive line ends seen ("\r" ignored)
  std::size_t header_bytes_ = 0;
  std::size_t request_bytes_ = 0; // all bytes read for the current request
  char buffer_[4096];
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  std::string remote_ip_;
  int remote_port_ = 0;
};

} // namespace covsigner::transport
