// HTTPS: cpp-httplib's SSLServer (certificate chain + private key, PEM)
// with the same bounded admission as the plain server. httplib runs the TLS
// connection loop itself here, so a connection the pool turns away is
// processed in full on one of a few reject threads, and the handler answers
// it 503 (probes excepted) seeing admission_queue::rejecting(). Slow TLS
// clients can hold those threads up to the read timeout; the plain server's
// poll-based responder has no such limit.
#pragma once

#include "transport/admission_queue.hpp"
#include "transport/guarded_server.hpp"

#include <httplib.h>

#include <atomic>
#include <string>

namespace covsigner::transport {

class guarded_tls_server final : public httplib::SSLServer {
public:
  /// is_valid() is false when the files cannot be loaded or do not match.
  guarded_tls_server(const std::string& certificate_file, const std::string& private_key_file,
                     connection_settings settings);

  /// As guarded_server::raise_backlog.
  bool raise_backlog(int backlog);

  const admission_queue* queue() const { return queue_.load(); }

private:
  connection_settings settings_;
  std::atomic<admission_queue*> queue_{nullptr};
};

} // namespace covsigner::transport
