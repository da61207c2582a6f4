#include "transport/http_server.hpp"

#include "covenant/job.hpp"
#include "covenant/signer_approval.hpp"
#include "transport/admin_certificate.hpp"
#include "transport/auth.hpp"
#include "transport/request_pipeline.hpp"
#include "transport/routes.hpp"
#include "transport/tls_server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <sys/socket.h>

namespace covsigner::transport {

using namespace messages;

namespace {

constexpr std::string_view health_body = R"({"status":"ok"})";
constexpr std::string_view conflict_message =
  "routeRequestId already exists with a different request payload";
// Admin identities get buckets of their own, apart from client tokens.
constexpr std::size_t admin_identity_base = 1u << 20;

// Go's http.Error: plain text, nosniff, message + newline.
void write_error(httplib::Response& res, int status, std::string_view message) {
  res.status = status;
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content(std::string{message} + "\n", "text/plain; charset=utf-8");
}

// The policy for one request: with a chain, the chain head's height when
// fresh (certificate expiry); `scratch` holds the copy. Without a chain the
// configured policy as is.
const request_policy& policy_now(const http_settings& settings, request_policy& scratch) {
  if (!settings.chain_height)
    return settings.policy;
  scratch = settings.policy;
  if (auto h = settings.chain_height->read(); h.fresh)
    scratch.validation.current_height = h.height;
  return scratch;
}

// A certificate whose expiry could not be checked: with a chain that means
// the chain head is stale or unknown, a temporary outage (503 naming
// chain_head); without one it stays the reference's 500.
http_error stale_head_error(const http_settings& settings, http_error err) {
  if (settings.chain_height && err.status == 500 &&
      err.log_detail == covenant::height_unavailable_message)
  {
    auto cause = settings.chain_height->read().cause;
    if (cause.empty()) // it turned fresh since this request read it
      cause = "chain_head: host chain height was stale when this request was validated";
    return {503, covenant::stale_chain_height_message(cause), err.log_detail};
  }
  return err;
}

void write_prepare_error(httplib::Response& res, const http_error& err) {
  if (err.status >= 500)
    spdlog::error("internal error: {}", err.log_detail);
  write_error(res, err.status, err.message);
}

void write_rate_limited(httplib::Response& res, std::chrono::seconds retry_after) {
  res.set_header("Retry-After", std::to_string(retry_after.count()));
  write_error(res, 429, "rate limit exceeded");
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

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20)
      out += c;
  }
  out += '"';
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
    append_json_string(out, r.failing[i]);
  }
  // Each chain reader's breaker state by source, e.g. {"Bridge":"closed"}.
  out += R"(],"breakers":{)";
  for (std::size_t i = 0; i < r.breakers.size(); ++i) {
    if (i)
      out += ',';
    append_json_string(out, r.breakers[i].source);
    out += ':';
    append_json_string(out, r.breakers[i].state);
  }
  out += "}}";
  return out;
}

std::string_view endpoint_label(endpoint kind) {
  switch (kind) {
    case endpoint::healthz: return "healthz";
    case endpoint::readyz: return "readyz";
    case endpoint::metrics: return "metrics";
    case endpoint::submit: return "submit";
    case endpoint::poll_body: return "poll";
    case endpoint::poll_path: return "poll_path";
    case endpoint::admin_certificate: return "admin_certificate";
    case endpoint::rejected: return "other";
  }
  return "other";
}

bool is_terminal(const covenant::step_result& r) {
  return r.status == "READY" || r.status == "FAILED";
}

bool is_probe(std::string_view path) {
  return path == "/readyz" || path == "/metrics";
}

} // namespace

http_server::http_server(node_client& client, http_settings settings)
  : client_(client),
    settings_(std::move(settings)),
    request_budget_(settings_.limits.requests),
    submit_budget_(settings_.limits.submit),
    poll_budget_(settings_.limits.poll) {
  if (settings_.workers == 0)
    settings_.workers = 1;
  // The reference trims configured tokens; a blank one is no token.
  for (auto* tokens : {&settings_.client_tokens, &settings_.admin_tokens}) {
    std::vector<std::string> kept;
    for (const auto& t : *tokens)
      if (auto trimmed = trim_space(t); !trimmed.empty())
        kept.emplace_back(trimmed);
    *tokens = std::move(kept);
  }
  request_log_ = settings_.request_log ? settings_.request_log : spdlog::default_logger();
  if (settings_.max_waiting_submits == 0)
    settings_.max_waiting_submits = std::max<std::size_t>(1, settings_.workers / 2);
  auto& admission = settings_.connection.admission;
  admission.workers = settings_.workers;
  overflow_ = std::make_unique<overflow_responder>(
    [this](std::string_view method, std::string_view path, std::string_view authorization) {
      return overflow_answer(method, path, authorization);
    });
  if (settings_.tls_certificate_file.empty() && settings_.tls_private_key_file.empty()) {
    auto plain = std::make_unique<guarded_server>(settings_.connection, *overflow_);
    auto* p = plain.get();
    queue_of_ = [p] { return p->queue(); };
    raise_backlog_ = [p](int n) { return p->raise_backlog(n); };
    server_ = std::move(plain);
  } else {
    auto tls = std::make_unique<guarded_tls_server>(
      settings_.tls_certificate_file, settings_.tls_private_key_file, settings_.connection);
    auto* p = tls.get();
    queue_of_ = [p] { return p->queue(); };
    raise_backlog_ = [p](int n) { return p->raise_backlog(n); };
    server_ = std::move(tls);
  }
  // Without TCP_NODELAY, Nagle + delayed ACK cap a keep-alive client at
  // about 290 requests/s (dependency notes §4).
  server_->set_tcp_nodelay(true);
  // httplib's default also sets SO_REUSEPORT, which lets a second process
  // bind the same port and silently share its connections. Like the
  // reference (Go), only SO_REUSEADDR: an occupied port fails startup.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // One byte over the limit is enough to tell "too large" (a 400, as the
  // Go decoder fails) from "exactly at the limit".
  server_->set_payload_max_length(settings_.max_body_bytes + 1);
  install_routes();
}

http_server::~http_server() {
  stop();
}

memo_clock http_server::memo_now() const {
  memo_clock clock;
  // Without a fresh host-chain height a certificate cannot be judged here:
  // such submits take the full pipeline, which answers the staleness.
  if (settings_.chain_height)
    if (auto h = settings_.chain_height->read(); h.fresh)
      clock.height = h.height;
  return clock;
}

server_gauges http_server::gauges() const {
  server_gauges g;
  if (const auto* q = queue_of_()) {
    g.busy_workers = static_cast<double>(q->busy());
    g.waiting_connections = static_cast<double>(q->waiting());
    g.rejected_connections = static_cast<double>(q->rejected());
  }
  g.submits_waiting = static_cast<double>(waiting_submits_.load());
  return g;
}

// The probes, answered for connections the pool turned away (on the
// overflow responder's thread); nullopt: the 503.
std::optional<canned_reply> http_server::overflow_answer(std::string_view method,
                                                         std::string_view path,
                                                         std::string_view authorization) {
  if (method != "GET" && method != "HEAD")
    return std::nullopt;
  if (path == "/healthz")
    return canned_reply{200, "application/json", std::string{health_body}, {}};
  if (path != "/readyz")
    return std::nullopt;
  if (!settings_.open_probes) {
    auto auth = check_bearer(authorization, settings_.client_tokens);
    if (auth.failure)
      return canned_reply{401, "text/plain; charset=utf-8", auth.failure->message + "\n",
                          {{"WWW-Authenticate", "Bearer"}, {"X-Content-Type-Options", "nosniff"}}};
  }
  auto r = client_.ready(std::chrono::milliseconds(1000));
  return canned_reply{r.ready ? 200 : 503, "application/json", readiness_json(r), {}};
}

void http_server::install_routes() {
  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
    auto started = std::chrono::steady_clock::now();
    std::string request_id;
    std::string_view label = "other";
    std::string client = "-";
    auto finish = [&] {
      auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
      metrics_.observe(label, res.status, latency);
      // Tokens are never logged: the client is named by its token's index.
      request_log_->info("http endpoint={} method={} path={} status={} request_id={} client={} "
                         "latency_us={}",
                         label, req.method, req.path, res.status, request_id, client,
                         latency.count());
    };

    // 0. A connection the pool turned away (TLS server only; the plain
    // server answers those before a worker sees them): probes as usual,
    // everything else 503.
    if (admission_queue::rejecting() && !((req.method == "GET" || req.method == "HEAD") &&
                                          (req.path == "/healthz" || req.path == "/readyz"))) {
      res.set_header("Retry-After", "1");
      res.set_header("Connection", "close");
      write_error(res, 503, "server overloaded");
      label = "other";
      return finish();
    }
    // 1. Authentication, before the router (reference §1.3).
    std::optional<std::size_t> identity;
    auto scope = scope_of(req.method, req.path);
    if (scope != auth_scope::open && !(settings_.open_probes && is_probe(req.path))) {
      const auto& tokens =
        scope == auth_scope::admin ? settings_.admin_tokens : settings_.client_tokens;
      auto auth = check_bearer(req.get_header_value("Authorization"), tokens);
      if (auth.failure) {
        res.set_header("WWW-Authenticate", "Bearer");
        write_error(res, 401, auth.failure->message);
        label = "unauthorized";
        return finish();
      }
      if (auth.matched) {
        identity = *auth.matched + (scope == auth_scope::admin ? admin_identity_base : 0);
        client = (scope == auth_scope::admin ? "admin#" : "client#") +
                 std::to_string(*auth.matched);
      }
    }
    // 2. The cheap per-identity budget, before any parsing.
    if (identity) {
      if (auto wait = request_budget_.take(*identity)) {
        metrics_.rate_limited("request");
        write_rate_limited(res, *wait);
        return finish();
      }
    }

    auto where = route_request(req.method, req.path, settings_.enable_self_v1);
    label = endpoint_label(where.kind);
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
      case endpoint::metrics: {
        auto g = gauges();
        auto r = client_.ready(settings_.node_timeout);
        g.node_answered = r.failing.empty() || !r.failing.front().starts_with(node_unreachable);
        g.node_ready = r.ready ? 1 : 0;
        g.stored_jobs = static_cast<double>(r.jobs);
        g.poisoned_route_keys = static_cast<double>(r.poisoned_keys);
        g.breakers = std::move(r.breakers);
        g.store = r.store;
        g.sessions = r.sessions;
        res.status = 200;
        res.set_content(metrics_.render(g), "text/plain; version=0.0.4; charset=utf-8");
        break;
      }
      case endpoint::admin_certificate:
        // The reference charges the issuer route to the submit budget.
        if (identity) {
          if (auto wait = submit_budget_.take(*identity)) {
            metrics_.rate_limited("submit");
            write_rate_limited(res, *wait);
            break;
          }
        }
        if (req.body.size() > settings_.max_body_bytes) {
          write_error(res, 400, "malformed request body");
          break;
        }
        {
          auto input = decode_issue_body(req.body);
          if (auto* err = std::get_if<http_error>(&input)) {
            write_prepare_error(res, *err);
            break;
          }
          if (!settings_.certificate_issuer) {
            write_error(res, 501, issuer_unsupported_message);
            break;
          }
          request_policy scratch;
          auto cmd = prepare_issue(std::get<covenant::certificate_issue_input>(input),
                                   policy_now(settings_, scratch));
          if (auto* err = std::get_if<http_error>(&cmd)) {
            write_prepare_error(res, *err);
            break;
          }
          auto answer = issue_answer(client_.issue_certificate(
            settings_.certificate_issuer, std::move(std::get<messages::certificate_issue>(cmd)),
            settings_.certificate_timeout));
          if (auto* err = std::get_if<http_error>(&answer)) {
            write_prepare_error(res, *err);
            break;
          }
          res.status = 200;
          res.set_content(std::move(std::get<std::string>(answer)), "application/json");
        }
        break;
      case endpoint::submit: {
        if (req.body.size() > settings_.max_body_bytes) {
          write_error(res, 400, "malformed request body");
          break;
        }
        // A body prepared before skips the pure work; its time-bound checks
        // (quote freshness, certificate expiry) are re-run by the memo.
        auto memo = prepared_.find(where.route, req.body, memo_now());
        if (!memo) {
          request_policy scratch;
          auto prepared = prepare_submit(req.body, where.route, policy_now(settings_, scratch));
          if (auto* err = std::get_if<http_error>(&prepared)) {
            write_prepare_error(res, stale_head_error(settings_, *err));
            break;
          }
          memo = std::move(std::get<submit_command>(prepared));
          prepared_.remember(where.route, req.body, *memo);
        }
        auto& cmd = *memo;
        auto route_key = cmd.draft.route + ":" + cmd.draft.route_request_id;
        auto digest = cmd.draft.request_digest;
        // Dedupe fast path (DESIGN.md step 2): a live key with this digest
        // is answered from the node's published durable state, without an
        // actor round trip and without a charge to the submit budget. The
        // time-bound checks already ran above; anything else (new key,
        // conflict, poisoned or tombstoned key) is the node's decision.
        if (const auto* published = client_.published()) {
          auto hit = published->lookup(route_key, digest);
          if (hit.outcome == messages::dedupe_lookup::kind::existing) {
            request_id = hit.answer->request_id;
            metrics_.dedupe_hit();
            res.status = 200;
            res.set_content(hit.answer->response_json, "application/json");
            break;
          }
        }
        // A dedupe hit signs nothing: it is not charged to the submit budget.
        bool known = known_.contains(route_key, digest);
        if (identity && !known) {
          if (auto wait = submit_budget_.take(*identity)) {
            metrics_.rate_limited("submit");
            write_rate_limited(res, *wait);
            break;
          }
        }
        // Bounded waiting: beyond the cap a submit answers its job's state
        // as soon as it is durable (wait 0) instead of holding a worker
        // until the job settles.
        bool may_wait = waiting_submits_.fetch_add(1) < settings_.max_waiting_submits;
        cmd.wait_ms = may_wait ? static_cast<std::uint32_t>(settings_.submit_wait.count()) : 0;
        auto reply = client_.submit(std::move(cmd), settings_.submit_wait + settings_.node_timeout);
        waiting_submits_.fetch_sub(1);
        request_id = reply.result.request_id;
        if (reply.code == reply_code::ok) {
          if (known)
            metrics_.dedupe_hit();
          else
            known_.remember(route_key, digest);
        } else if (reply.code == reply_code::bad_request && reply.message == conflict_message) {
          metrics_.conflict();
        } else if (reply.code == reply_code::unavailable &&
                   reply.message.find(" is poisoned") != std::string::npos) {
          metrics_.poisoned_refusal();
        }
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
        request_policy scratch;
        auto prepared = prepare_poll(req.body, where.route, path_id,
                                     policy_now(settings_, scratch), client_.published());
        if (auto* err = std::get_if<http_error>(&prepared)) {
          write_prepare_error(res, stale_head_error(settings_, *err));
          break;
        }
        auto& cmd = std::get<poll_command>(prepared);
        request_id = cmd.request_id;
        if (identity) {
          if (auto wait = poll_budget_.take(*identity)) {
            metrics_.rate_limited("poll");
            write_rate_limited(res, *wait);
            break;
          }
        }
        auto reply = client_.poll(std::move(cmd), settings_.node_timeout);
        // Polling a settled job costs the node one lookup: refunded.
        if (identity && reply.code == reply_code::ok && is_terminal(reply.result))
          poll_budget_.refund(*identity);
        write_reply(res, reply);
        break;
      }
    }
    finish();
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
  if (auto err = check_listen_tokens(host, !settings_.client_tokens.empty(),
                                     !settings_.admin_tokens.empty()))
    return *err;
  if (settings_.tls_certificate_file.empty() != settings_.tls_private_key_file.empty())
    return std::string{"TLS needs both a certificate file and a private key file"};
  if (!server_->is_valid())
    return "cannot load TLS certificate [" + settings_.tls_certificate_file +
           "] and private key [" + settings_.tls_private_key_file + "]";
  int bound = port;
  if (port == 0)
    bound = server_->bind_to_any_port(host);
  else if (!server_->bind_to_port(host, port))
    bound = -1;
  if (bound <= 0)
    return "failed to bind covenant signer port [" + std::to_string(port) + "] on " + host;
  raise_backlog_(1024);
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
