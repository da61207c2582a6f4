// A raw TLS client on 127.0.0.1 (OpenSSL, no certificate check) for tests
// that must pace the bytes of a request themselves, which httplib's client
// does not allow: a header dribbled byte by byte, a slow body.
#pragma once

#include "tests/support/raw_http.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <chrono>
#include <string>
#include <string_view>

namespace covsigner::test_support {

class raw_tls_connection {
public:
  /// Connects and runs the handshake; `max_version` (e.g. TLS1_1_VERSION)
  /// caps the protocol the client offers (0: none), with OpenSSL's security
  /// level lowered so that it really offers old versions.
  explicit raw_tls_connection(int port, int max_version = 0) : tcp_(port) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (max_version != 0) {
      SSL_CTX_set_security_level(ctx_, 0);
      SSL_CTX_set_cipher_list(ctx_, "DEFAULT:@SECLEVEL=0");
      SSL_CTX_set_min_proto_version(ctx_, 0);
      SSL_CTX_set_max_proto_version(ctx_, max_version);
    }
    if (!tcp_.connected())
      return;
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, tcp_.fd());
    handshake_ok_ = SSL_connect(ssl_) == 1;
    ERR_clear_error();
  }
  ~raw_tls_connection() {
    if (ssl_)
      SSL_free(ssl_);
    SSL_CTX_free(ctx_);
  }
  raw_tls_connection(const raw_tls_connection&) = delete;
  raw_tls_connection& operator=(const raw_tls_connection&) = delete;

  bool handshake_ok() const { return handshake_ok_; }

  /// Sends all of `bytes` in one TLS record (or several); false on failure.
  bool send_all(std::string_view bytes) {
    if (!handshake_ok_)
      return false;
    return SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) ==
           static_cast<int>(bytes.size());
  }

  /// True when the server closed the connection (TLS close or TCP EOF) or
  /// sent something within `wait`; what it sent is appended to `received`.
  bool closed_or_answered(std::chrono::milliseconds wait) {
    if (!tcp_.readable(wait))
      return false;
    char buf[4096];
    int n = SSL_read(ssl_, buf, sizeof buf);
    ERR_clear_error();
    if (n > 0)
      received.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  std::string received;

private:
  raw_connection tcp_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  bool handshake_ok_ = false;
};

} // namespace covsigner::test_support
