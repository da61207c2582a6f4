#include "apps/covsigner-bench/transports.hpp"

#include <httplib.h>

#include <atomic>

namespace covsigner::bench {

std::string to_string(error_kind k) {
  switch (k) {
    case error_kind::none:
      return "ok";
    case error_kind::bad_request:
      return "400";
    case error_kind::not_found:
      return "404";
    case error_kind::unavailable:
      return "503";
    case error_kind::internal:
      return "500";
    case error_kind::other_status:
      return "other-status";
    case error_kind::connection:
      return "connection";
    case error_kind::timeout:
      return "timeout";
    case error_kind::rate_limited:
      return "429";
  }
  return "?";
}

error_kind kind_of_status(int status) {
  switch (status) {
    case 200:
      return error_kind::none;
    case 400:
      return error_kind::bad_request;
    case 404:
      return error_kind::not_found;
    case 503:
      return error_kind::unavailable;
    case 500:
      return error_kind::internal;
    case 429:
      return error_kind::rate_limited;
    default:
      return error_kind::other_status;
  }
}

namespace {

std::string json_string_field(const std::string& body, std::string_view key) {
  std::string needle = "\"" + std::string(key) + "\":\"";
  auto p = body.find(needle);
  if (p == std::string::npos)
    return {};
  p += needle.size();
  auto e = body.find('"', p);
  return e == std::string::npos ? std::string{} : body.substr(p, e - p);
}

// The node's error bodies are one plain-text line; keep it whole but bounded.
std::string answer_text(const std::string& body) {
  constexpr std::size_t max_detail = 400;
  auto b = body.find_first_not_of(" \t\r\n");
  if (b == std::string::npos)
    return {};
  auto e = body.find_last_not_of(" \t\r\n");
  auto text = body.substr(b, std::min(e - b + 1, max_detail));
  return text;
}

void set_timeouts(httplib::Client& c, double connect_s, double io_s) {
  auto split = [](double s) {
    auto sec = static_cast<time_t>(s);
    return std::pair{sec, static_cast<time_t>((s - static_cast<double>(sec)) * 1e6)};
  };
  auto [cs, cus] = split(connect_s);
  auto [is, ius] = split(io_s);
  c.set_connection_timeout(cs, cus);
  c.set_read_timeout(is, ius);
  c.set_write_timeout(is, ius);
}

class http_client final : public bench_client {
public:
  explicit http_client(const http_endpoint& e)
    : client_(e.base_url), submit_path_(e.submit_path), poll_path_(e.poll_path) {
    client_.set_keep_alive(true);
    client_.set_tcp_nodelay(true);
    set_timeouts(client_, e.connect_timeout_s, e.timeout_s);
    if (!e.bearer_token.empty())
      client_.set_bearer_token_auth(e.bearer_token);
    if (e.base_url.starts_with("https://")) {
      if (!e.ca_file.empty())
        client_.set_ca_cert_path(e.ca_file);
      client_.enable_server_certificate_verification(true);
    }
  }
  outcome submit(const std::string& body) override { return post(submit_path_, body); }
  outcome poll(const std::string& body) override { return post(poll_path_, body); }
  outcome submit_on(std::string_view route, const std::string& body) override {
    return post("/v1/" + std::string(route) + "/signer/requests", body);
  }
  outcome poll_on(std::string_view route, const std::string& body) override {
    return post("/v1/" + std::string(route) + "/signer/requests:poll", body);
  }

private:
  outcome post(const std::string& path, const std::string& body) {
    outcome out;
    auto res = client_.Post(path.c_str(), body, "application/json");
    if (!res) {
      // httplib reports a read timeout as Read; only connect has its own code.
      out.error = res.error() == httplib::Error::ConnectionTimeout ? error_kind::timeout
                                                                    : error_kind::connection;
      out.detail = httplib::to_string(res.error());
      return out;
    }
    out.status = res->status;
    out.error = kind_of_status(res->status);
    if (res->status == 200)
      read_step_result(res->body, out);
    else
      out.detail = answer_text(res->body);
    return out;
  }
  httplib::Client client_;
  std::string submit_path_, poll_path_;
};

class http_factory final : public client_factory {
public:
  explicit http_factory(std::vector<http_endpoint> endpoints) : endpoints_(std::move(endpoints)) {}
  std::unique_ptr<bench_client> make_client() override {
    auto n = next_.fetch_add(1, std::memory_order_relaxed);
    return std::make_unique<http_client>(endpoints_[n % endpoints_.size()]);
  }

private:
  std::vector<http_endpoint> endpoints_;
  std::atomic<std::size_t> next_{0};
};

int status_of(messages::reply_code code) {
  switch (code) {
    case messages::reply_code::ok:
      return 200;
    case messages::reply_code::bad_request:
      return 400;
    case messages::reply_code::not_found:
      return 404;
    case messages::reply_code::unavailable:
      return 503;
    case messages::reply_code::internal:
      return 500;
  }
  return 500;
}

class inproc_client final : public bench_client {
public:
  inproc_client(transport::node_client& node, const transport::request_policy& policy,
                std::chrono::milliseconds timeout)
    : node_(node), policy_(policy), timeout_(timeout) {}

  outcome submit(const std::string& body) override { return submit_on(request_factory::dev_route, body); }
  outcome poll(const std::string& body) override { return poll_on(request_factory::dev_route, body); }
  outcome submit_on(std::string_view route, const std::string& body) override {
    auto prepared = transport::prepare_submit(body, route, policy_);
    if (auto* e = std::get_if<transport::http_error>(&prepared))
      return rejected(*e);
    return answer(node_.submit(std::move(std::get<messages::submit_command>(prepared)), timeout_));
  }
  outcome poll_on(std::string_view route, const std::string& body) override {
    auto prepared = transport::prepare_poll(body, route, std::nullopt, policy_);
    if (auto* e = std::get_if<transport::http_error>(&prepared))
      return rejected(*e);
    return answer(node_.poll(std::move(std::get<messages::poll_command>(prepared)), timeout_));
  }

private:
  static outcome rejected(const transport::http_error& e) {
    outcome out;
    out.status = e.status;
    out.error = kind_of_status(e.status);
    out.detail = e.message;
    return out;
  }
  static outcome answer(const messages::node_reply& reply) {
    outcome out;
    out.status = status_of(reply.code);
    out.error = kind_of_status(out.status);
    if (reply.code == messages::reply_code::ok) {
      out.request_id = reply.result.request_id;
      out.job_status = reply.result.status;
    }
    return out;
  }
  transport::node_client& node_;
  const transport::request_policy& policy_;
  std::chrono::milliseconds timeout_;
};

class inproc_factory final : public client_factory {
public:
  inproc_factory(transport::node_client& node, transport::request_policy policy,
                 std::chrono::milliseconds timeout)
    : node_(node), policy_(std::move(policy)), timeout_(timeout) {}
  std::unique_ptr<bench_client> make_client() override {
    return std::make_unique<inproc_client>(node_, policy_, timeout_);
  }

private:
  transport::node_client& node_;
  transport::request_policy policy_;
  std::chrono::milliseconds timeout_;
};

} // namespace

void read_step_result(const std::string& body, outcome& out) {
  out.request_id = json_string_field(body, "requestId");
  out.job_status = json_string_field(body, "status");
}

std::unique_ptr<client_factory> http_clients(int port, double timeout_s) {
  http_endpoint e;
  e.base_url = "http://127.0.0.1:" + std::to_string(port);
  e.connect_timeout_s = timeout_s;
  e.timeout_s = timeout_s;
  return http_clients(std::vector<http_endpoint>{e});
}

std::unique_ptr<client_factory> http_clients(std::vector<http_endpoint> endpoints) {
  return std::make_unique<http_factory>(std::move(endpoints));
}

std::unique_ptr<client_factory> inproc_clients(transport::node_client& node,
                                               transport::request_policy policy,
                                               std::chrono::milliseconds timeout) {
  return std::make_unique<inproc_factory>(node, std::move(policy), timeout);
}

} // namespace covsigner::bench
