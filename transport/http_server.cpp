#include "transport/http_server.hpp"

#include "covenant/job.hpp"
#include "covenant/signer_approval.hpp"
#include "transport/admin_certificate.hpp"
#include "transport/auth.hpp"
#include "transport/connection_close.hpp"
#include "transport/request_body.hpp"
#include "transport/request_pipeline.hpp"
#include "transport/routes.hpp"
#include "transport/tls_context.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <sys/socket.h>

namespace covsigner::transport {

using namespace messages;

namespace {

constexpr std::string_view health_body = R"({"status":"ok"})";
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

// What a submit the node answered came to: a dedupe hit (a key this server
// saw succeed before), or one of the refusals the node names.
route_outcome submit_outcome(const node_reply& reply, bool known) {
  if (reply.code == reply_code::ok)
    return known ? route_outcome::dedupe_hit : route_outcome::answered;
  if (reply.cause == reply_cause::conflict)
    return route_outcome::conflict;
  if (reply.cause == reply_cause::poisoned_key)
    return route_outcome::poisoned_refusal;
  return route_outcome::answered;
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
  settings_.connection.timeouts.max_body_wire_bytes = wire_allowance(settings_.max_body_bytes);
  auto& admission = settings_.connection.admission;
  admission.workers = settings_.workers;
  overflow_ = std::make_unique<overflow_responder>(
    [this](std::string_view method, std::string_view path, std::string_view authorization) {
      return overflow_answer(method, path, authorization);
    });
  std::shared_ptr<const tls_context> tls;
  if (!settings_.tls_certificate_file.empty() && !settings_.tls_private_key_file.empty()) {
    auto loaded = tls_context::load(settings_.tls_certificate_file, settings_.tls_private_key_file);
    if (auto* err = std::get_if<std::string>(&loaded))
      tls_error_ = *err;
    else
      tls = std::get<std::shared_ptr<const tls_context>>(loaded);
  }
  server_ = std::make_unique<guarded_server>(settings_.connection, *overflow_, std::move(tls));
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
  // Bodies are read by the handlers under the cap (request_body.hpp); this
  // is httplib's own bound behind it. The stream bounds what one request
  // may put on the wire, chunk framing included.
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
  if (const auto* q = server_->queue()) {
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

// One request on its way through the server: what the handlers share.
struct http_server::exchange {
  exchange(const httplib::Request& request, httplib::Response& response,
           const httplib::ContentReader* content)
    : req(request), res(response), reader(content) {}

  const httplib::Request& req;
  httplib::Response& res;
  const httplib::ContentReader* reader; // null: a method httplib reads no body for
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::string request_id;
  std::string_view label = "other";
  std::string client = "-";
  std::optional<std::size_t> identity; // the token's budget identity
  bool body_taken = false;
};

// Logs and counts the answer.
void http_server::finish(exchange& ex, route_outcome outcome) {
  auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
    std::chrono::steady_clock::now() - ex.started);
  metrics_.observe(ex.label, ex.res.status, latency);
  metrics_.count(outcome);
  // Tokens are never logged: the client is named by its token's index.
  request_log_->info("http endpoint={} method={} path={} status={} request_id={} client={} "
                     "latency_us={}",
                     ex.label, ex.req.method, ex.req.path, ex.res.status, ex.request_id,
                     ex.client, latency.count());
}

// Overload, authentication (before the router and before any body byte is
// read, reference §1.3), then the cheap per-identity budget. nullopt:
// admitted; otherwise answered, with this outcome.
std::optional<route_outcome> http_server::admit(exchange& ex) {
  const auto& req = ex.req;
  // A connection the pool turned away (TLS server only; the plain server
  // answers those before a worker sees them): probes as usual, everything
  // else 503.
  if (admission_queue::rejecting() && !((req.method == "GET" || req.method == "HEAD") &&
                                        (req.path == "/healthz" || req.path == "/readyz"))) {
    ex.res.set_header("Retry-After", "1");
    ex.res.set_header("Connection", "close");
    write_error(ex.res, 503, "server overloaded");
    return route_outcome::answered;
  }
  auto scope = scope_of(req.method, req.path);
  if (scope != auth_scope::open && !(settings_.open_probes && is_probe(req.path))) {
    const auto& tokens =
      scope == auth_scope::admin ? settings_.admin_tokens : settings_.client_tokens;
    auto auth = check_bearer(req.get_header_value("Authorization"), tokens);
    if (auth.failure) {
      ex.res.set_header("WWW-Authenticate", "Bearer");
      write_error(ex.res, 401, auth.failure->message);
      ex.label = "unauthorized";
      return route_outcome::answered;
    }
    if (auth.matched) {
      ex.identity = *auth.matched + (scope == auth_scope::admin ? admin_identity_base : 0);
      ex.client = (scope == auth_scope::admin ? "admin#" : "client#") +
                  std::to_string(*auth.matched);
    }
  }
  if (!spend(request_budget_, ex))
    return route_outcome::rate_limited_request;
  return std::nullopt;
}

// Charges one unit of `budget` to the caller's identity (none: free).
// False: answered 429.
bool http_server::spend(rate_limiter& budget, exchange& ex) {
  if (!ex.identity)
    return true;
  auto wait = budget.take(*ex.identity);
  if (!wait)
    return true;
  write_rate_limited(ex.res, *wait);
  return false;
}

// The body, read only now (after auth and budgets) and never beyond the
// cap; nullopt: refused, answered 400 and the connection closes.
std::optional<std::string> http_server::take_body(exchange& ex) {
  ex.body_taken = true;
  auto plan = plan_body(ex.req.headers, settings_.max_body_bytes);
  std::variant<std::string, body_refusal> body = std::string{};
  if (auto* refused = std::get_if<body_refusal>(&plan))
    body = *refused;
  else if (ex.reader)
    body = read_body(std::get<body_plan>(plan), *ex.reader, settings_.max_body_bytes);
  if (auto* text = std::get_if<std::string>(&body))
    return std::move(*text);
  spdlog::debug("request body refused: {}", describe(std::get<body_refusal>(body)));
  ex.res.set_header("Connection", "close");
  close_connection_after_response();
  write_error(ex.res, 400, "malformed request body");
  return std::nullopt;
}

void http_server::serve(exchange& ex) {
  auto outcome = admit(ex);
  if (!outcome) {
    auto where = route_request(ex.req.method, ex.req.path, settings_.enable_self_v1);
    ex.label = endpoint_label(where.kind);
    outcome = route(ex, where);
  }
  // Body bytes nobody read must not be parsed as the next request.
  if (!ex.body_taken) {
    auto plan = plan_body(ex.req.headers, settings_.max_body_bytes);
    auto* p = std::get_if<body_plan>(&plan);
    if (!p || p->framing == body_framing::chunked || p->length > 0) {
      ex.res.set_header("Connection", "close");
      close_connection_after_response();
    }
  }
  finish(ex, *outcome);
}

route_outcome http_server::route(exchange& ex, const routed& where) {
  auto& res = ex.res;
  switch (where.kind) {
    case endpoint::rejected:
      if (!where.allow.empty())
        res.set_header("Allow", where.allow);
      write_error(res, where.status, where.body);
      return route_outcome::answered;
    case endpoint::healthz:
      res.status = 200;
      res.set_content(std::string{health_body}, "application/json");
      return route_outcome::answered;
    case endpoint::readyz: {
      auto r = client_.ready(settings_.node_timeout);
      res.status = r.ready ? 200 : 503;
      res.set_content(readiness_json(r), "application/json");
      return route_outcome::answered;
    }
    case endpoint::metrics:
      serve_metrics(ex);
      return route_outcome::answered;
    case endpoint::admin_certificate:
      // The reference charges the issuer route to the submit budget.
      if (!spend(submit_budget_, ex))
        return route_outcome::rate_limited_submit;
      if (auto body = take_body(ex))
        serve_admin(ex, *body);
      return route_outcome::answered;
    case endpoint::submit:
      if (auto body = take_body(ex))
        return serve_submit(ex, where, *body);
      return route_outcome::answered;
    case endpoint::poll_body:
    case endpoint::poll_path:
      if (auto body = take_body(ex))
        return serve_poll(ex, where, *body);
      return route_outcome::answered;
  }
  return route_outcome::answered;
}

void http_server::serve_metrics(exchange& ex) {
  auto g = gauges();
  auto r = client_.ready(settings_.node_timeout);
  g.node_answered = r.failing.empty() || !r.failing.front().starts_with(node_unreachable);
  g.node_ready = r.ready ? 1 : 0;
  g.stored_jobs = static_cast<double>(r.jobs);
  g.poisoned_route_keys = static_cast<double>(r.poisoned_keys);
  g.breakers = std::move(r.breakers);
  g.store = r.store;
  g.sessions = r.sessions;
  if (r.has_spend_authorization)
    g.spend_authorization = r.spend_authorization;
  ex.res.status = 200;
  ex.res.set_content(metrics_.render(g), "text/plain; version=0.0.4; charset=utf-8");
}

void http_server::serve_admin(exchange& ex, const std::string& body) {
  auto& res = ex.res;
  auto input = decode_issue_body(body);
  if (auto* err = std::get_if<http_error>(&input))
    return write_prepare_error(res, *err);
  if (!settings_.certificate_issuer)
    return write_error(res, 501, issuer_unsupported_message);
  request_policy scratch;
  auto cmd = prepare_issue(std::get<covenant::certificate_issue_input>(input),
                           policy_now(settings_, scratch));
  if (auto* err = std::get_if<http_error>(&cmd))
    return write_prepare_error(res, *err);
  auto answer = issue_answer(client_.issue_certificate(
    settings_.certificate_issuer, std::move(std::get<messages::certificate_issue>(cmd)),
    settings_.certificate_timeout));
  if (auto* err = std::get_if<http_error>(&answer))
    return write_prepare_error(res, *err);
  res.status = 200;
  res.set_content(std::move(std::get<std::string>(answer)), "application/json");
}

route_outcome http_server::serve_submit(exchange& ex, const routed& where,
                                        const std::string& body) {
  auto& res = ex.res;
  // A body prepared before skips the pure work; its time-bound checks
  // (quote freshness, certificate expiry) are re-run by the memo.
  auto memo = prepared_.find(where.route, body, memo_now());
  if (!memo) {
    request_policy scratch;
    auto prepared = prepare_submit(body, where.route, policy_now(settings_, scratch));
    if (auto* err = std::get_if<http_error>(&prepared)) {
      write_prepare_error(res, stale_head_error(settings_, *err));
      return route_outcome::answered;
    }
    memo = std::move(std::get<submit_command>(prepared));
    prepared_.remember(where.route, body, *memo);
  }
  auto& cmd = *memo;
  auto route_key = covenant::make_route_key(cmd.draft.route, cmd.draft.route_request_id);
  auto digest = cmd.draft.request_digest;
  // Dedupe fast path (DESIGN.md step 2): a live key with this digest is
  // answered from the node's published durable state, without an actor
  // round trip and without a charge to the submit budget. The time-bound
  // checks already ran above; anything else (new key, conflict, poisoned or
  // tombstoned key) is the node's decision.
  if (const auto* published = client_.published()) {
    auto hit = published->lookup(route_key, digest);
    if (hit.outcome == messages::dedupe_lookup::kind::existing) {
      ex.request_id = hit.answer->request_id;
      res.status = 200;
      res.set_content(hit.answer->response_json, "application/json");
      return route_outcome::dedupe_hit;
    }
  }
  // A dedupe hit signs nothing: it is not charged to the submit budget.
  bool known = known_.contains(route_key, digest);
  if (!known && !spend(submit_budget_, ex))
    return route_outcome::rate_limited_submit;
  // Bounded waiting: beyond the cap a submit answers its job's state as
  // soon as it is durable (wait 0) instead of holding a worker until the
  // job settles.
  bool may_wait = waiting_submits_.fetch_add(1) < settings_.max_waiting_submits;
  cmd.wait_ms = may_wait ? static_cast<std::uint32_t>(settings_.submit_wait.count()) : 0;
  auto reply = client_.submit(std::move(cmd), settings_.submit_wait + settings_.node_timeout);
  waiting_submits_.fetch_sub(1);
  ex.request_id = reply.result.request_id;
  write_reply(res, reply);
  if (reply.code == reply_code::ok && !known)
    known_.remember(route_key, digest);
  return submit_outcome(reply, known);
}

route_outcome http_server::serve_poll(exchange& ex, const routed& where,
                                      const std::string& body) {
  std::optional<std::string> path_id;
  if (where.kind == endpoint::poll_path)
    path_id = where.request_id;
  request_policy scratch;
  auto prepared =
    prepare_poll(body, where.route, path_id, policy_now(settings_, scratch), client_.published());
  if (auto* err = std::get_if<http_error>(&prepared)) {
    write_prepare_error(ex.res, stale_head_error(settings_, *err));
    return route_outcome::answered;
  }
  auto& cmd = std::get<poll_command>(prepared);
  ex.request_id = cmd.request_id;
  if (!spend(poll_budget_, ex))
    return route_outcome::rate_limited_poll;
  auto reply = client_.poll(std::move(cmd), settings_.node_timeout);
  // Polling a settled job costs the node one lookup: refunded.
  if (ex.identity && reply.code == reply_code::ok && covenant::is_terminal(reply.result.state))
    poll_budget_.refund(*ex.identity);
  write_reply(ex.res, reply);
  return route_outcome::answered;
}

void http_server::install_routes() {
  // Every method reaches one dispatcher, so 405s follow the reference's
  // rules rather than httplib's (HEAD is served by the GET handler). The
  // methods that may carry a body get a content reader: httplib then reads
  // nothing before the handler, which reads the body itself, after auth
  // and under the cap (request_body.hpp).
  auto without_body = [this](const httplib::Request& req, httplib::Response& res) {
    exchange ex{req, res, nullptr};
    serve(ex);
  };
  auto with_body = [this](const httplib::Request& req, httplib::Response& res,
                          const httplib::ContentReader& reader) {
    exchange ex{req, res, &reader};
    serve(ex);
  };
  server_->Get(".*", without_body);
  server_->Options(".*", without_body);
  server_->Post(".*", with_body);
  server_->Put(".*", with_body);
  server_->Delete(".*", with_body);
  server_->Patch(".*", with_body);
  // httplib answers some malformed requests itself (e.g. 413 from its own
  // length check); the reference's decoder fails instead, so the client
  // sees 400 `malformed request body`.
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
  if (!tls_error_.empty())
    return tls_error_;
  int bound = port;
  if (port == 0)
    bound = server_->bind_to_any_port(host);
  else if (!server_->bind_to_port(host, port))
    bound = -1;
  if (bound <= 0)
    return "failed to bind covenant signer port [" + std::to_string(port) + "] on " + host;
  server_->raise_backlog(1024);
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
