#include "transport/tls_server.hpp"

#include <sys/socket.h>

#include <algorithm>

namespace covsigner::transport {

namespace {

template <class Rep, class Period>
time_t whole_seconds(std::chrono::duration<Rep, Period> d) {
  return std::max<time_t>(1, std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

} // namespace

guarded_tls_server::guarded_tls_server(const std::string& certificate_file,
                                       const std::string& private_key_file,
                                       connection_settings settings)
  : httplib::SSLServer(certificate_file.c_str(), private_key_file.c_str()),
    settings_(settings) {
  settings_.admission.reject_threads = std::max<std::size_t>(2, settings_.admission.reject_threads);
  new_task_queue = [this] {
    auto* q = new admission_queue(settings_.admission, [this] { queue_.store(nullptr); });
    queue_.store(q);
    return q;
  };
  // httplib's own loop: per-read timeouts, and a short keep-alive wait so
  // a turned-away connection frees its reject thread soon.
  set_read_timeout(whole_seconds(settings_.timeouts.read_header), 0);
  set_write_timeout(whole_seconds(settings_.timeouts.write), 0);
  set_keep_alive_timeout(whole_seconds(std::min(settings_.idle_timeout, settings_.timeouts.read_header)));
  set_keep_alive_max_count(std::max<std::size_t>(1, settings_.keep_alive_max_requests));
}

bool guarded_tls_server::raise_backlog(int backlog) {
  auto fd = svr_sock_.load();
  return fd != INVALID_SOCKET && ::listen(fd, backlog) == 0;
}

} // namespace covsigner::transport
