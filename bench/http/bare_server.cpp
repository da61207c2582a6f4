// The baseline of the HTTP bench: cpp-httplib alone, configured like
// covsignerd's server (thread pool, TCP_NODELAY, 2 MiB payload cap), whose
// POST handler receives the same body and answers a constant of the same
// shape as a dedupe hit. Serves on 127.0.0.1 only.
//   bare_server <port> <workers>
#include <httplib.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: bare_server <port> <workers>\n";
    return 2;
  }
  int port = std::atoi(argv[1]);
  std::size_t workers = static_cast<std::size_t>(std::atoi(argv[2]));
  httplib::Server server;
  server.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(100);
  server.set_keep_alive_timeout(60);
  server.set_payload_max_length((2u << 20) + 1);
  const std::string reply =
    R"({"status":"PENDING","requestId":"kcs_qc_0123456789abcdef","detail":"accepted for covenant signing"})"
    "\n";
  server.Post(".*", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.body.empty()) {
      res.status = 400;
      return;
    }
    res.set_content(reply, "application/json");
  });
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"status":"ok"})", "application/json");
  });
  if (!server.bind_to_port("127.0.0.1", port)) {
    std::cerr << "cannot bind 127.0.0.1:" << port << "\n";
    return 1;
  }
  server.listen_after_bind();
  return 0;
}
