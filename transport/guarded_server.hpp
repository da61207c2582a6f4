// cpp-httplib's Server with bounded admission and our own connection loop.
// httplib calls the virtual process_and_close_socket(sock) for each
// accepted connection; overriding it (private in the base, which C++ still
// lets a subclass override) gives us the socket, so that:
//   * a connection the admission_queue turned away goes to the
//     overflow_responder (503, or the probes) instead of a worker;
//   * requests run through httplib's own parser and router
//     (Server::process_request), over a socket_stream with the reference's
//     deadlines;
//   * keep-alive yields under pressure: a connection closes after its
//     response when few workers are free, and an idle one does not wait
//     for its next request (every open keep-alive connection holds a
//     worker).
#pragma once

#include "transport/admission_queue.hpp"
#include "transport/overflow_responder.hpp"
#include "transport/socket_stream.hpp"
#include "transport/tls_context.hpp"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>

namespace covsigner::transport {

struct connection_settings {
  admission_settings admission;
  stream_limits timeouts;
  std::chrono::milliseconds idle_timeout{60000}; // between keep-alive requests
  std::size_t keep_alive_max_requests = 100;
};

class guarded_server final : public httplib::Server {
public:
  /// `tls`: serve HTTPS with it (null: plain HTTP). With TLS the admission
  /// queue gets at least two reject threads.
  guarded_server(connection_settings settings, overflow_responder& overflow,
                 std::shared_ptr<const tls_context> tls = nullptr);

  /// cpp-httplib 0.11.4 listens with a backlog of 5: under a flood the
  /// kernel drops SYNs and every new client (probes included) waits for a
  /// retransmission (1 s, then 3 s). Call after binding.
  bool raise_backlog(int backlog);

  /// The admission queue while the server listens, else nullptr.
  const admission_queue* queue() const { return queue_.load(); }

private:
  bool process_and_close_socket(::socket_t sock) override;
  bool under_pressure() const;
  enum class connection_end { closed, unread_body, adopted };
  bool wait_for_request(socket_stream& strm, std::chrono::milliseconds limit, bool yield,
                        bool& pressure);
  connection_end serve_connection(socket_stream& strm, ::socket_t sock, bool answer_once);

  connection_settings settings_;
  overflow_responder& overflow_;
  std::shared_ptr<const tls_context> tls_;
  std::atomic<admission_queue*> queue_{nullptr};
};

} // namespace covsigner::transport
