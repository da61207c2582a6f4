// The HTTP surface of the reference (§1) on cpp-httplib: routes, methods,
// status codes and plain-text errors, in front of the node's typed API.
#pragma once

#include "transport/node_client.hpp"
#include "transport/request_pipeline.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <variant>

namespace httplib {
class Server;
}

namespace covsigner::transport {

struct http_settings {
  std::string listen_address = "127.0.0.1";
  bool enable_self_v1 = false;
  std::size_t workers = 64;                     // threads; one per open connection
  std::size_t max_body_bytes = 2u << 20;        // 2 MiB, reference §1.1
  std::chrono::milliseconds submit_wait{25000}; // then answer PENDING
  std::chrono::milliseconds node_timeout{30000}; // bound on any other node call
  request_policy policy;
};

class http_server {
public:
  http_server(node_client& client, http_settings settings);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Binds `settings.listen_address:port` (port 0: any free port) and serves
  /// on a thread of its own. Returns the bound port, or an error naming it.
  std::variant<int, std::string> start(int port);

  /// Stops accepting, lets the workers finish their requests, joins.
  void stop();

private:
  void install_routes();

  node_client& client_;
  http_settings settings_;
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
};

} // namespace covsigner::transport
