#include "transport/http_server.hpp"

#include "covenant/job.hpp"
#include "transport/request_pipeline.hpp"
#include "transport/routes.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

namespace covsigner::transport {

using namespace messages;

namespace {

constexpr std::string_view health_body = R"({"status":"ok"})";

// Go's http.Error: plain text, nosniff, message + newline.
void write_error(httplib::Response& res, int status, std::string_view message) {
  res.status = status;
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content(std::string{message} + "\n", "text/plain; charset=utf-8");
}

void write_reply(httplib::Response& res, const node_reply& reply) {
  switch (reply.code) {
    case reply_code::ok:
      res.status = 200;
      res.set_content(covenant::to_response_json(reply.result), "application/json");
      return;
    case reply_code::bad_request:
      write_error(res, 400, reply.message);
      return;
    case reply_code::not_found:
      write_error(res, 404, reply.message);
      return;
    case reply_code::unavailable:
      write_error(res, 503, reply.message);
      return;
    case reply_code::internal:
      spdlog::error("internal error: {}", reply.message);
      write_error(res, 500, "internal server error");
      return;
  }
}

std::string readiness_json(const readiness& r) {
  std::string out = R"({"ready":)";
  out += r.ready ? "true" : "false";
  out += R"(,"jobs":)" + std::to_string(r.jobs);
  out += R"(,"poisonedRouteKeys":)" + std::to_string(r.poisoned_keys);
  out += R"(,"failing":[)";
  for (std::size_t i = 0; i < r.failing.size(); ++i) {
    if (i)
      out += ',';
    out += '"';
    for (char c : r.failing[i]) {
      if (c == '"' || c == '\\')
        out += '\\';
      if (static_cast<unsigned char>(c) >= 0x20)
        out += c;
    }
    out += '"';
  }
  out += "]}";
  return out;
}

} // namespace

http_server::http_server(node_client& client, http_settings settings)
  : client_(client), settings_(std::move(settings)), server_(std::make_unique<httplib::Server>()) {
  auto workers = settings_.workers;
  server_->new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  // Without TCP_NODELAY, Nagle + delayed ACK cap a keep-alive client at
  // about 290 requests/s (dependency notes §4).
  server_->set_tcp_nodelay(true);
  server_->set_read_timeout(30, 0);
  server_->set_write_timeout(30, 0);
  server_->set_keep_alive_timeout(60);
  server_->set_keep_alive_max_count(100);
  // One byte over the limit is enough to tell "too large" (a 400, as the
  // Go decoder fails) from "exactly at the limit".
  server_->set_payload_max_length(settings_.max_body_bytes + 1);
  install_routes();
}

http_server::~http_server() {
  stop();
}

void http_server::install_routes() {
  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
    auto started = std::chrono::steady_clock::now();
    auto where = route_request(req.method, req.path, settings_.enable_self_v1);
    std::string request_id;
    switch (where.kind) {
      case endpoint::rejected:
        if (!where.allow.empty())
          res.set_header("Allow", where.allow);
        write_error(res, where.status, where.body);
        break;
      case endpoint::healthz:
        res.status = 200;
        res.set_content(std::string{health_body}, "application/json");
        break;
      case endpoint::readyz: {
        auto r = client_.ready(settings_.node_timeout);
        res.status = r.ready ? 200 : 503;
        res.set_content(readiness_json(r), "application/json");
        break;
      }
      case endpoint::metrics:
        write_error(res, 404, "404 page not found");
        break;
      case endpoint::submit: {
        if (req.body.size() > settings_.max_body_bytes) {
          write_error(res, 400, "malformed request body");
          break;
        }
        auto prepared = prepare_submit(req.body, where.route, settings_.policy);
        if (auto* err = std::get_if<http_error>(&prepared)) {
          write_error(res, err->status, err->message);
          break;
        }
        auto& cmd = std::get<submit_command>(prepared);
        cmd.wait_ms = static_cast<std::uint32_t>(settings_.submit_wait.count());
        auto reply = client_.submit(std::move(cmd), settings_.submit_wait + settings_.node_timeout);
        request_id = reply.result.request_id;
        write_reply(res, reply);
        break;
      }
      case endpoint::poll_body:
      case endpoint::poll_path: {
        if (req.body.size() > settings_.max_body_bytes) {
          write_error(res, 400, "malformed request body");
          break;
        }
        std::optional<std::string> path_id;
        if (where.kind == endpoint::poll_path)
          path_id = where.request_id;
        auto prepared = prepare_poll(req.body, where.route, path_id, settings_.policy);
        if (auto* err = std::get_if<http_error>(&prepared)) {
          write_error(res, err->status, err->message);
          break;
        }
        auto& cmd = std::get<poll_command>(prepared);
        request_id = cmd.request_id;
        write_reply(res, client_.poll(std::move(cmd), settings_.node_timeout));
        break;
      }
    }
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - started)
                    .count();
    spdlog::info("http method={} path={} status={} request_id={} latency_us={}", req.method,
                 req.path, res.status, request_id, micros);
  };
  // Every method reaches one dispatcher, so 405s follow the reference's
  // rules rather than httplib's (HEAD is served by the GET handler).
  server_->Get(".*", dispatch);
  server_->Post(".*", dispatch);
  server_->Put(".*", dispatch);
  server_->Delete(".*", dispatch);
  server_->Patch(".*", dispatch);
  server_->Options(".*", dispatch);
  // httplib answers an over-long body itself (413); the reference's decoder
  // fails instead, so the client sees 400 `malformed request body`.
  server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 413)
      write_error(res, 400, "malformed request body");
  });
}

std::variant<int, std::string> http_server::start(int port) {
  const auto& host = settings_.listen_address;
  int bound = port;
  if (port == 0)
    bound = server_->bind_to_any_port(host);
  else if (!server_->bind_to_port(host, port))
    bound = -1;
  if (bound <= 0)
    return "failed to bind covenant signer port [" + std::to_string(port) + "] on " + host;
  // The socket already listens: connections queue until the thread accepts.
  listener_ = std::thread([this] { server_->listen_after_bind(); });
  return bound;
}

void http_server::stop() {
  if (listener_.joinable()) {
    server_->stop();
    listener_.join();
  }
}

} // namespace covsigner::transport
