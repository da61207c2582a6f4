#include "transport/tls_context.hpp"

#include "persistence/key_file.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <fcntl.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

namespace covsigner::transport {

std::variant<std::shared_ptr<const tls_context>, std::string>
tls_context::load(const std::string& certificate_file, const std::string& private_key_file) {
  std::string failure =
    "cannot load TLS certificate [" + certificate_file + "] and private key [" + private_key_file + "]";
  // The TLS key is a secret like the signer key, and is checked the same
  // way (persistence/key_file.hpp) before OpenSSL reads it.
  if (auto bad = persistence::check_secret_file_at(private_key_file,
                                                   "TLS private key file " + private_key_file))
    return std::filesystem::exists(private_key_file) ? *bad : failure;
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx)
    return failure;
  std::shared_ptr<const tls_context> owned{new tls_context(ctx)};
  // The README promises TLS 1.2 at least, whatever the system's OpenSSL
  // configuration says. Renegotiation lets a client make the server redo
  // handshakes on one connection: off.
  bool ok = SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
            SSL_CTX_use_certificate_chain_file(ctx, certificate_file.c_str()) == 1 &&
            SSL_CTX_use_PrivateKey_file(ctx, private_key_file.c_str(), SSL_FILETYPE_PEM) == 1 &&
            SSL_CTX_check_private_key(ctx) == 1;
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  ERR_clear_error();
  if (!ok)
    return failure;
  return owned;
}

tls_context::~tls_context() {
  SSL_CTX_free(ctx_);
}

SSL* tls_context::accept(int fd, std::chrono::milliseconds limit) const {
  int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
    return nullptr;
  SSL* ssl = SSL_new(ctx_);
  if (!ssl || SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return nullptr;
  }
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int r = SSL_accept(ssl);
    if (r == 1)
      return ssl;
    if (!await_tls(ssl, fd, r, deadline))
      break;
  }
  SSL_free(ssl);
  return nullptr;
}

bool await_tls(SSL* tls, int fd, int result, std::chrono::steady_clock::time_point until) {
  int err = SSL_get_error(tls, result);
  short events = err == SSL_ERROR_WANT_READ ? POLLIN : err == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      until - std::chrono::steady_clock::now());
    pollfd p{fd, events, 0};
    int ready = events == 0 || left.count() <= 0
                  ? 0
                  : ::poll(&p, 1, static_cast<int>(std::max<long long>(1, left.count())));
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready > 0)
      return true;
    ERR_clear_error();
    return false;
  }
}

} // namespace covsigner::transport
