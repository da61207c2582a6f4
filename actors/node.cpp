#include "actors/node.hpp"

#include "chain/circuit_breaker.hpp"
#include "covenant/certificate.hpp"
#include "covenant/signer_approval.hpp"
#include "crypto/random.hpp"
#include "persistence/timestamp.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace covsigner::actors {

using namespace messages;

namespace {

using self_ptr = node_actor::stateful_pointer<node_state>;

constexpr std::string_view job_not_found = "covenant signer job not found";

node_reply ok(const covenant::job& j) {
  return {reply_code::ok, covenant::to_step_result(j), {}, reply_cause::none};
}

node_reply fail(reply_code code, reply_cause cause, std::string message) {
  return {code, {}, std::move(message), cause};
}

node_reply internal(std::string what) {
  return fail(reply_code::internal, reply_cause::internal, std::move(what));
}

std::chrono::milliseconds claim_timeout(const node_timeouts& t) {
  return 2 * t.store;
}

// After a durable create: run the session and answer its settled snapshot,
// or the created snapshot (PENDING to the client) once `wait` passes.
void answer_after_session(self_ptr self, caf::typed_response_promise<node_reply> promise,
                          job_snapshot created, std::chrono::milliseconds wait) {
  auto& st = self->state;
  // A zero wait still starts the session; the shortest finite timeout keeps
  // the request's error handler (and the detached session) in place.
  wait = std::max(wait, std::chrono::milliseconds{1});
  self->request(st.supervisor, wait, session_start{created})
    .then([promise](job_snapshot& settled) mutable { promise.deliver(ok(settled.job)); },
          [promise, created](caf::error&) mutable {
            // The job is durable and its session carries on detached; the
            // client polls for the outcome.
            promise.deliver(ok(created.job));
          });
}

// Create-or-dedupe through route_registry, then (created) run the session.
void claim(self_ptr self, caf::typed_response_promise<node_reply> promise, covenant::job draft,
           std::chrono::milliseconds wait) {
  auto& st = self->state;
  route_claim to_claim{std::move(draft), true, {}};
  // A job the node acknowledges must get a session: while the supervisor's
  // queue is full, only keys that already exist are answered. (Checked per
  // create, so creates already in flight may overshoot the bound by their
  // number.)
  if (st.backlog && st.backlog->full()) {
    to_claim.may_create = false;
    to_claim.refusal = "the signing queue is full (" + std::to_string(st.backlog->max_queued) +
                       " jobs wait for a session); retry later";
  }
  auto number = ++st.last_claim;
  st.open_claims.emplace(number, promise);
  // The claim's answer, unless the core died first and answered it.
  auto take = [self, number]() -> std::optional<caf::typed_response_promise<node_reply>> {
    auto& open = self->state.open_claims;
    auto it = open.find(number);
    if (it == open.end())
      return std::nullopt;
    auto taken = std::move(it->second);
    open.erase(it);
    return taken;
  };
  // The registry answers within its own store timeout (created, or
  // "unsettled" when the store is slower); this bound only catches a
  // registry that does not answer at all, so it must be the longer one.
  self->request(st.registry, claim_timeout(st.timeouts), std::move(to_claim))
    .then(
      [self, take, wait](claim_result& claim) mutable {
        auto open = take();
        if (!open)
          return;
        auto promise = std::move(*open);
        switch (claim.code) {
          case claim_code::created:
            answer_after_session(self, promise, std::move(claim.snapshot), wait);
            return;
          case claim_code::existing:
            promise.deliver(ok(claim.snapshot.job));
            return;
          case claim_code::conflict:
            promise.deliver(
              fail(reply_code::bad_request, reply_cause::conflict, std::move(claim.detail)));
            return;
          case claim_code::pruned:
            promise.deliver(
              fail(reply_code::bad_request, reply_cause::pruned, std::move(claim.detail)));
            return;
          case claim_code::poisoned:
            promise.deliver(
              fail(reply_code::unavailable, reply_cause::poisoned_key, std::move(claim.detail)));
            return;
          case claim_code::declined: // the node's own refusal: the signing queue is full
            promise.deliver(
              fail(reply_code::unavailable, reply_cause::queue_full, std::move(claim.detail)));
            return;
          case claim_code::refused:
            promise.deliver(
              fail(reply_code::unavailable, reply_cause::submits_refused, std::move(claim.detail)));
            return;
          case claim_code::failed:
            promise.deliver(
              fail(reply_code::unavailable, reply_cause::store_unavailable,
                   std::move(claim.detail)));
            return;
          case claim_code::unsettled:
            promise.deliver(
              fail(reply_code::unavailable, reply_cause::outcome_unknown, std::move(claim.detail)));
            return;
        }
      },
      [take](caf::error& err) mutable {
        if (auto open = take())
          open->deliver(internal("route registry: " + caf::to_string(err)));
      });
}

node_reply from_verification(const covenant::signer_approval_error& err) {
  switch (err.kind) {
    case covenant::signer_approval_error_kind::input:
      return fail(reply_code::bad_request, reply_cause::invalid_request, err.message);
    case covenant::signer_approval_error_kind::registry_unavailable:
      return fail(reply_code::unavailable, reply_cause::registry_unavailable, err.message);
    case covenant::signer_approval_error_kind::bridge_unavailable:
      return fail(reply_code::unavailable, reply_cause::bridge_unavailable, err.message);
    case covenant::signer_approval_error_kind::internal:
      break;
  }
  return internal(err.message);
}

// The certificate verification inputs, decoded once from the draft.
struct verification {
  covenant::route_submit_request request;
  covenant::signer_approval_subject subject;
};

// Third step: GetWallet, the pure verification, then the claim.
void verify_against_wallet(self_ptr self, caf::typed_response_promise<node_reply> promise,
                           covenant::job draft, std::chrono::milliseconds wait,
                           std::shared_ptr<const verification> v) {
  auto& st = self->state;
  self
    ->request(st.chain.bridge, st.timeouts.chain, wallet_atom::value,
              crypto::to_0x_hex(v->subject.wallet_public_key_hash))
    .then(
      [self, promise, draft, wait, v](wallet_reply& w) mutable {
        switch (w.code) {
          case chain_code::not_found:
            promise.deliver(from_verification(covenant::wallet_not_registered()));
            return;
          case chain_code::unavailable:
            promise.deliver(from_verification(covenant::bridge_unavailable(w.cause)));
            return;
          case chain_code::ok:
            break;
        }
        if (auto err = covenant::verify_signer_approval(v->request, v->subject, w.wallet,
                                                        self->state.chain.honest_threshold)) {
          promise.deliver(from_verification(*err));
          return;
        }
        claim(self, promise, std::move(draft), wait);
      },
      [promise](caf::error& err) mutable {
        promise.deliver(from_verification(
          covenant::bridge_unavailable("Bridge reader did not answer: " + caf::to_string(err))));
      });
}

// Second step (the key is not live yet): the decoded request's subject,
// certificate expiry against a fresh chain head, then GetWallet. Any chain
// outage answers 503 before a job exists, so the same submit succeeds once
// the chain is back.
void verify_then_claim(self_ptr self, caf::typed_response_promise<node_reply> promise,
                       covenant::job draft, std::chrono::milliseconds wait) {
  auto& st = self->state;
  if (!st.chain.bridge || !st.chain.head) {
    promise.deliver(internal("signer approval verification is due but no chain is configured"));
    return;
  }
  auto decoded = covenant::decode_route_submit_request(draft.request_json);
  if (auto* e = std::get_if<covenant::input_error>(&decoded)) {
    promise.deliver(internal("stored request form does not decode: " + e->detail));
    return;
  }
  auto v = std::make_shared<verification>();
  v->request = std::get<covenant::route_submit_request>(std::move(decoded));
  auto subject = covenant::resolve_signer_approval_subject(v->request, st.chain.domain);
  if (auto* e = std::get_if<covenant::signer_approval_error>(&subject)) {
    promise.deliver(from_verification(*e));
    return;
  }
  v->subject = std::get<covenant::signer_approval_subject>(std::move(subject));
  if (!v->request.signer_approval || !v->request.signer_approval->end_block) {
    promise.deliver(fail(reply_code::bad_request, reply_cause::invalid_request,
                         "request.signerApproval.endBlock is required"));
    return;
  }
  auto end_block = *v->request.signer_approval->end_block;
  self->request(st.chain.head, st.timeouts.chain, height_atom::value)
    .then(
      [self, promise, draft, wait, v, end_block](chain_height& h) mutable {
        if (!h.fresh) {
          promise.deliver(fail(reply_code::unavailable, reply_cause::chain_head_stale,
                               covenant::stale_chain_height_message(h.cause)));
          return;
        }
        if (covenant::certificate_expired(h.height, end_block)) {
          promise.deliver(fail(reply_code::bad_request, reply_cause::invalid_request,
                               "signer approval certificate has expired"));
          return;
        }
        verify_against_wallet(self, promise, std::move(draft), wait, std::move(v));
      },
      [promise](caf::error& err) mutable {
        promise.deliver(fail(reply_code::unavailable, reply_cause::chain_head_stale,
                             covenant::stale_chain_height_message("chain_head did not answer: " +
                                                                  caf::to_string(err))));
      });
}

caf::result<node_reply> submit(self_ptr self, submit_command& cmd) {
  auto& st = self->state;
  if (!st.refusal_cause.empty())
    return fail(reply_code::unavailable, reply_cause::submits_refused,
                "submits are refused: " + st.refusal_cause);
  auto& draft = cmd.draft;
  draft.request_id = new_request_id(draft.route);
  if (draft.request_id.empty())
    return internal("unsupported route: " + draft.route);
  draft.state = covenant::job_state::submitted;
  draft.detail = std::string{covenant::accepted_detail};
  draft.reason.clear();
  draft.created_at = persistence::now_rfc3339nano();
  draft.updated_at = draft.created_at;
  // The caller's bound (e.g. the HTTP layer's), else the node's own; never
  // longer than the node's own.
  auto wait = st.timeouts.submit_wait;
  if (cmd.wait_ms != node_wait_bound)
    wait = std::min(wait, std::chrono::milliseconds(cmd.wait_ms));
  auto promise = self->make_response_promise<node_reply>();
  if (!cmd.verify_signer_approval) {
    claim(self, promise, std::move(draft), wait);
    return promise;
  }
  // A live key (same digest: the stored job; another digest: the conflict)
  // is answered by the claim without any chain call: the digest binds this
  // body to the one verified when the job was created, and dedupe hits keep
  // working during a chain outage. A live key never goes back, so the claim
  // cannot create an unverified job.
  auto key = draft.route_key();
  self->request(st.registry, st.timeouts.store, lookup_atom::value, key)
    .then(
      [self, promise, draft = std::move(draft), wait](route_owner& owner) mutable {
        if (owner.found)
          claim(self, promise, std::move(draft), wait);
        else
          verify_then_claim(self, promise, std::move(draft), wait);
      },
      [promise](caf::error& err) mutable {
        promise.deliver(internal("route registry: " + caf::to_string(err)));
      });
  return promise;
}

caf::result<node_reply> poll(self_ptr self, poll_command& cmd) {
  auto& st = self->state;
  if (st.core_down)
    return fail(reply_code::unavailable, reply_cause::store_unavailable,
                "the job store is unavailable: " + st.refusal_cause);
  auto promise = self->make_response_promise<node_reply>();
  self->request(st.store, st.timeouts.store, caf::get_atom::value, cmd.request_id)
    .then(
      [self, promise, cmd](store_result& r) mutable {
        if (r.code == store_code::not_found ||
            (r.code == store_code::ok && r.snapshot.job.route != cmd.route)) {
          promise.deliver(
            fail(reply_code::not_found, reply_cause::not_found, std::string{job_not_found}));
          return;
        }
        if (r.code == store_code::unknown) {
          // Its last write failed and its state on disk is unknown.
          promise.deliver(
            fail(reply_code::unavailable, reply_cause::store_unavailable,
                 "job store: " + r.detail));
          return;
        }
        if (r.code != store_code::ok) {
          promise.deliver(internal("job store: " + r.detail));
          return;
        }
        auto& job = r.snapshot.job;
        if (job.route_request_id != cmd.route_request_id) {
          promise.deliver(fail(reply_code::bad_request, reply_cause::invalid_request,
                               "routeRequestId does not match stored job"));
          return;
        }
        auto key = job.route_key();
        // The route key must still belong to this job (a superseded job is
        // unreachable), and the resent request must be the stored one.
        self->request(self->state.registry, self->state.timeouts.store, lookup_atom::value, key)
          .then(
            [promise, cmd, job](route_owner& owner) mutable {
              if (!owner.found || owner.request_id != cmd.request_id) {
                promise.deliver(
            fail(reply_code::not_found, reply_cause::not_found, std::string{job_not_found}));
                return;
              }
              if (job.request_digest != cmd.request_digest) {
                promise.deliver(fail(reply_code::bad_request, reply_cause::invalid_request,
                                     "request does not match stored job payload"));
                return;
              }
              // Passive engine: OnPoll changes nothing.
              promise.deliver(ok(job));
            },
            [promise](caf::error& err) mutable {
              promise.deliver(internal("route registry: " + caf::to_string(err)));
            });
      },
      [promise](caf::error& err) mutable {
        promise.deliver(internal("job store: " + caf::to_string(err)));
      });
  return promise;
}

// Runs every readiness check at once and answers when the last one has.
class readiness_collector {
public:
  explicit readiness_collector(caf::typed_response_promise<readiness> promise)
    : promise_(std::move(promise)) {
    result_.ready = true;
  }
  void fail(std::string check) {
    result_.ready = false;
    result_.failing.push_back(std::move(check));
  }
  readiness& result() { return result_; }
  void expect() { ++pending_; }
  void done() {
    if (--pending_ == 0)
      promise_.deliver(result_);
  }

private:
  caf::typed_response_promise<readiness> promise_;
  readiness result_;
  int pending_ = 1; // the caller's own reference, released by done()
};

// Whether a reader in `state` can answer: an open breaker fails fast, a
// failed reader is no longer restarted.
bool breaker_blocks(const std::string& state) {
  return state == chain::to_string(chain::breaker_state::open) || state == failed_reader_state;
}

// Adds one reader's breaker to the readiness answer (for /readyz's
// "breakers" and /metrics). A `required` reader's blocking breaker, or no
// answer from it, fails readiness as "<check>: breaker <state>" (plus
// " (<cause>)" when the reader gave one, e.g. why it is failed);
// an optional one is only reported.
template <class Reader>
void check_breaker(self_ptr self, const std::shared_ptr<readiness_collector>& checks,
                   const Reader& reader, std::string check, bool required) {
  checks->expect();
  self->request(reader, self->state.timeouts.store, status_atom::value)
    .then(
      [checks, check, required](breaker_status& b) {
        if (required && breaker_blocks(b.state))
          checks->fail(check + ": breaker " + b.state + (b.cause.empty() ? "" : " (" + b.cause + ")"));
        checks->result().breakers.push_back(std::move(b));
        checks->done();
      },
      [checks, check, required](caf::error& err) {
        if (required)
          checks->fail(check + ": " + caf::to_string(err));
        checks->done();
      });
}

caf::result<readiness> ready(self_ptr self) {
  auto& st = self->state;
  auto promise = self->make_response_promise<readiness>();
  auto checks = std::make_shared<readiness_collector>(promise);
  if (!st.refusal_cause.empty())
    checks->fail("node: " + st.refusal_cause);
  auto on_error = [checks](std::string what) {
    return [checks, what](caf::error& err) {
      checks->fail(what + ": " + caf::to_string(err));
      checks->done();
    };
  };
  checks->expect();
  self->request(st.store, st.timeouts.store, status_atom::value)
    .then(
      [checks](store_status& s) {
        checks->result().jobs = s.jobs;
        if (s.writes_refused)
          checks->fail("store: " + s.refusal_cause);
        checks->result().store = std::move(s);
        checks->done();
      },
      on_error("store"));
  checks->expect();
  self->request(st.registry, st.timeouts.store, status_atom::value)
    .then(
      [checks](registry_status& r) {
        checks->result().poisoned_keys = r.poisoned_keys;
        if (r.submits_refused)
          checks->fail("route_registry: " + r.refusal_cause);
        checks->done();
      },
      on_error("route_registry"));
  if (st.chain.bridge)
    check_breaker(self, checks, st.chain.bridge, "bridge_reader", true);
  // Best effort: reported for /metrics, never a readiness failure.
  if (st.chain.registry)
    check_breaker(self, checks, st.chain.registry, "registry_reader", false);
  if (st.chain.bitcoin)
    check_breaker(self, checks, st.chain.bitcoin, "bitcoin_reader", st.chain.bitcoin_required);
  // Degrading, like the registry: without its answer nothing is signed.
  if (st.chain.spend_authorization) {
    check_breaker(self, checks, st.chain.spend_authorization, "spend_authorization_reader", false);
    checks->expect();
    self->request(st.chain.spend_authorization, st.timeouts.store, answers_atom::value)
      .then(
        [checks](authorization_answers& a) {
          checks->result().has_spend_authorization = true;
          checks->result().spend_authorization = a;
          checks->done();
        },
        [checks](caf::error&) { checks->done(); });
  }
  if (st.supervisor) {
    // Reported for /metrics; a slow supervisor never fails readiness.
    checks->expect();
    self->request(st.supervisor, st.timeouts.store, status_atom::value)
      .then(
        [checks](supervisor_status& s) {
          checks->result().sessions = s;
          checks->done();
        },
        [checks](caf::error&) { checks->done(); });
  }
  if (st.chain.head) {
    checks->expect();
    self->request(st.chain.head, st.timeouts.store, height_atom::value)
      .then(
        [checks](chain_height& h) {
          if (!h.fresh)
            checks->fail("chain_head: stale (" + h.cause + ")");
          checks->done();
        },
        on_error("chain_head"));
  }
  checks->done();
  return promise;
}

// --- Core rebuild (DESIGN.md: neither store actor restarts in place) ---

void tell_watchers(self_ptr self, core_event event) {
  for (const auto& watcher : self->state.watchers)
    self->send(watcher, event);
}

void watch(self_ptr self, core_watcher_actor watcher) {
  auto& watchers = self->state.watchers;
  if (watcher && std::find(watchers.begin(), watchers.end(), watcher) == watchers.end())
    watchers.push_back(std::move(watcher));
}

void monitor_core(self_ptr self) {
  auto& st = self->state;
  self->monitor(st.store);
  self->monitor(st.registry);
  if (st.supervisor)
    self->monitor(st.supervisor);
}

void adopt_core(self_ptr self, core_scan scan) {
  auto& st = self->state;
  st.rebuilding = false;
  st.scanning = false;
  if (!scan.scanned) {
    st.refusal_cause = "rebuilding the store from the data dir failed (" + scan.error +
                       "); submits stay refused until the node restarts";
    spdlog::error("node: {}", st.refusal_cause);
    tell_watchers(self, {core_event_kind::rebuild_failed, {}, st.core_generation, false,
                         st.refusal_cause});
    return;
  }
  auto core = spawn_core(self->home_system(), std::move(*scan.scanned), *st.rebuild);
  st.store = std::move(core.store);
  st.registry = std::move(core.registry);
  st.supervisor = std::move(core.supervisor);
  ++st.core_generation;
  monitor_core(self);
  st.core_down = false;
  st.refusal_cause.clear();
  spdlog::warn("node: core rebuilt from the data dir (generation {}): {}", st.core_generation,
               core.load_summary);
  tell_watchers(self,
                {core_event_kind::rebuilt, {}, st.core_generation, false, core.load_summary});
  // As at startup: jobs that never reached SIGNING resume.
  for (auto& job : core.resumable)
    caf::anon_send(st.supervisor, session_start{job_snapshot{std::move(job), 1}});
}

void start_rebuild(self_ptr self) {
  auto& st = self->state;
  st.scanning = true;
  auto worker = self->home_system().spawn<caf::detached>(core_scan_worker, *st.rebuild);
  self->request(worker, st.timeouts.rebuild, run_atom::value)
    .then([self](core_scan& scan) { adopt_core(self, std::move(scan)); },
          [self](caf::error& err) { adopt_core(self, core_scan{{}, caf::to_string(err)}); });
}

void core_actor_down(self_ptr self, const caf::down_msg& msg) {
  auto& st = self->state;
  if (st.rebuilding) {
    std::erase(st.stopping, msg.source);
    if (st.stopping.empty() && !st.scanning)
      start_rebuild(self);
    return;
  }
  if (st.core_down)
    return; // the rest of a core already reported down (keep the first cause)
  std::string_view what;
  if (msg.source == st.store.address())
    what = "job_store";
  else if (msg.source == st.registry.address())
    what = "route_registry";
  else if (st.supervisor && msg.source == st.supervisor.address())
    what = "session_supervisor";
  else
    return; // an actor of a core already replaced
  st.core_down = true;
  st.refusal_cause = std::string{what} + " stopped (" + caf::to_string(msg.reason) + ")";
  // Claims the dead core may hold are answered now (not acknowledged: a
  // create that did become durable dedupes on the retry).
  for (auto& [number, promise] : st.open_claims)
    promise.deliver(fail(reply_code::unavailable, reply_cause::submits_refused,
                         "submits are refused: " + st.refusal_cause));
  st.open_claims.clear();
  if (!st.rebuild) {
    spdlog::error("node: {}; submits are refused until the node restarts", st.refusal_cause);
    tell_watchers(self, {core_event_kind::down, std::string{what}, st.core_generation, false,
                         st.refusal_cause});
    return;
  }
  st.refusal_cause += "; rebuilding the store from the data dir";
  spdlog::error("node: {}", st.refusal_cause);
  tell_watchers(self, {core_event_kind::down, std::string{what}, st.core_generation, true,
                       st.refusal_cause});
  st.rebuilding = true;
  // Stop the rest of the old core; the scan starts once every old actor is
  // down, i.e. once the old store has released its files and lock.
  caf::actor_addr old[] = {st.store.address(), st.registry.address(),
                           st.supervisor ? st.supervisor.address() : caf::actor_addr{}};
  for (auto& addr : old) {
    if (!addr || addr == msg.source)
      continue;
    st.stopping.push_back(addr);
    if (auto handle = caf::actor_cast<caf::actor>(addr))
      self->send_exit(handle, caf::exit_reason::kill);
  }
  if (st.stopping.empty())
    start_rebuild(self);
}

} // namespace

std::string new_request_id(std::string_view route) {
  std::string prefix;
  if (route == "qc_v1")
    prefix = "kcs_qc_";
  else if (route == "self_v1")
    prefix = "kcs_self_";
  else
    return {};
  return prefix + crypto::to_hex(crypto::random_bytes(8));
}

node_actor::behavior_type node(self_ptr self, job_store_actor store, route_registry_actor registry,
                               session_supervisor_actor supervisor, node_timeouts timeouts,
                               node_chain_readers chain, std::optional<core_options> rebuild) {
  auto& st = self->state;
  st.store = std::move(store);
  st.registry = std::move(registry);
  st.supervisor = std::move(supervisor);
  st.timeouts = timeouts;
  st.chain = std::move(chain);
  st.rebuild = std::move(rebuild);
  if (st.rebuild)
    st.backlog = st.rebuild->sessions.backlog;
  monitor_core(self);
  self->set_down_handler([self](caf::down_msg& msg) { core_actor_down(self, msg); });
  return {
    [self](submit_command& cmd) { return submit(self, cmd); },
    [self](poll_command& cmd) { return poll(self, cmd); },
    [self](ready_atom) { return ready(self); },
    [self](core_atom) {
      auto& st = self->state;
      return node_core{st.store, st.registry, st.supervisor, st.core_generation, {}, {}, {}};
    },
    [self](watch_atom, core_watcher_actor& watcher) { watch(self, std::move(watcher)); },
  };
}

} // namespace covsigner::actors
