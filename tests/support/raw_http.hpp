// A raw TCP client on 127.0.0.1 for HTTP tests that must control framing
// byte by byte (chunked bodies, missing lengths, bodies never sent), which
// httplib's client does not let a test do.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace covsigner::test_support {

class raw_connection {
public:
  explicit raw_connection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~raw_connection() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  /// Sends all of `bytes`; false once the peer closed or reset.
  bool send_all(std::string_view bytes) {
    while (!bytes.empty()) {
      auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0)
        return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// True when a byte (or EOF) is ready to be read within `wait`.
  bool readable(std::chrono::milliseconds wait) const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(wait.count())) > 0;
  }

  /// Reads until the peer closes, `limit` bytes arrived or `wait` passed.
  std::string read_some(std::chrono::milliseconds wait, std::size_t limit = 1u << 16) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + wait;
    char buf[4096];
    while (out.size() < limit) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !readable(left))
        break;
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0)
        break;
      out.append(buf, static_cast<std::size_t>(n));
      if (out.find("\r\n\r\n") != std::string::npos && complete(out))
        break;
    }
    return out;
  }

  /// Everything that arrives until the peer closes or `limit` passed;
  /// `closed` tells which.
  std::string read_all(std::chrono::milliseconds limit, bool& closed) {
    std::string out;
    closed = false;
    auto deadline = std::chrono::steady_clock::now() + limit;
    char buf[4096];
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        break;
      if (!readable(left))
        continue;
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed = true;
        break;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

  /// The status code of an HTTP response's first line, if there is one.
  static std::optional<int> status_of(std::string_view response) {
    if (!response.starts_with("HTTP/1.1 ") || response.size() < 12)
      return std::nullopt;
    return std::stoi(std::string{response.substr(9, 3)});
  }

private:
  // A response head with Content-Length and its whole body.
  static bool complete(const std::string& out) {
    auto head_end = out.find("\r\n\r\n");
    auto at = out.find("Content-Length: ");
    if (at == std::string::npos || at > head_end)
      return true;
    auto length = std::stoul(out.substr(at + 16));
    return out.size() >= head_end + 4 + length;
  }

  int fd_ = -1;
};

} // namespace covsigner::test_support
