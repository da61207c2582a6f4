// HTTPS for the guarded server: one OpenSSL server context (certificate
// chain + private key, PEM) and the handshake of one accepted socket.
//
// The server runs TLS connections through its own connection loop, the
// same one plain HTTP uses (guarded_server.hpp), so the reference's
// deadlines hold under TLS too: the handshake and the header block within
// the read-header timeout, the whole request within the read timeout, the
// 8 KiB header cap and the body's wire bound (socket_stream.hpp). A
// turned-away TLS connection is answered on one of a bounded number of
// reject threads (admission_queue.hpp). httplib's own SSLServer applies its
// timeouts per read, so a client sending one byte every few seconds could
// hold a worker for ever; it is not used.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <variant>

using SSL = struct ssl_st;
using SSL_CTX = struct ssl_ctx_st;

namespace covsigner::transport {

class tls_context {
public:
  /// Loads `certificate_file` (PEM chain) and `private_key_file` (PEM) into
  /// a server context: TLS 1.2 at least, no renegotiation, the key checked
  /// against the certificate. Errors: the key file fails
  /// persistence::check_secret_file ("TLS private key file K has mode
  /// 0644; it must be 0600 (owner read/write only)", not a regular file,
  /// another owner); else "cannot load TLS certificate [C] and private key
  /// [K]" (a file is missing, unreadable, not PEM, or they do not match).
  static std::variant<std::shared_ptr<const tls_context>, std::string>
  load(const std::string& certificate_file, const std::string& private_key_file);

  ~tls_context();
  tls_context(const tls_context&) = delete;
  tls_context& operator=(const tls_context&) = delete;

  /// Switches `fd` to non-blocking (every later read and write on it waits
  /// with poll, under a deadline) and runs the server handshake, giving up
  /// after `limit`. Returns the session (the caller frees it with
  /// SSL_free), or nullptr when the handshake failed or took too long.
  SSL* accept(int fd, std::chrono::milliseconds limit) const;

private:
  explicit tls_context(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

/// After an SSL_accept, SSL_read or SSL_write on non-blocking `fd` returned
/// `result` (<= 0): waits until `until` for what the session asked for
/// (readable or writable). True: retry the call. False: a real error, or
/// time ran out (OpenSSL's error queue is cleared).
bool await_tls(SSL* tls, int fd, int result, std::chrono::steady_clock::time_point until);

} // namespace covsigner::transport
