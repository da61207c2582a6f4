#include "actors/signing_session.hpp"

#include "covenant/spend_authorization.hpp"
#include "persistence/audit_log.hpp"
#include "persistence/timestamp.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <utility>

namespace covsigner::actors {

using namespace messages;

namespace {

using self_ptr = signing_session_impl::stateful_pointer<signing_session_state>;
using promise_type = caf::typed_response_promise<job_snapshot>;

// The session's work on one job, shared by the continuations of its
// requests (all run on the session's own thread, one at a time).
struct tbtc_run {
  session_config config;
  promise_type promise;
  covenant::spend_preparation prep;
  covenant::active_utxo utxo;
  covenant::planned_spend spend;
  covenant::spend_authorization authorization;
  std::chrono::steady_clock::time_point gate_deadline; // 3/4 of the session timeout
  std::chrono::milliseconds next_retry{0};
};
using run_ptr = std::shared_ptr<tbtc_run>;

// Answers the run request and ends the session.
void settle(self_ptr self, promise_type& promise, const job_snapshot& snapshot) {
  promise.deliver(snapshot);
  self->quit();
}

void settle_error(self_ptr self, promise_type& promise, caf::error err) {
  promise.deliver(err);
  self->quit(std::move(err));
}

// Applies `t` at the session's revision and settles with the durable result.
void apply(self_ptr self, promise_type promise, covenant::job_transition t,
           std::chrono::milliseconds store_timeout) {
  auto& st = self->state;
  transition_request req{st.snapshot.job.request_id, st.snapshot.revision, std::move(t)};
  self->request(st.store, store_timeout, std::move(req))
    .then(
      [self, promise](store_result& r) mutable {
        // ok, stale and terminal all carry the durable current state;
        // rejected/refused leave the last durable state this session knows.
        if (r.code == store_code::ok || r.code == store_code::stale ||
            r.code == store_code::terminal)
          self->state.snapshot = r.snapshot;
        settle(self, promise, self->state.snapshot);
      },
      [self, promise](caf::error& err) mutable { settle_error(self, promise, err); });
}

void apply(self_ptr self, const run_ptr& run, covenant::job_transition t) {
  apply(self, run->promise, std::move(t), run->config.store_timeout);
}

// FAILED / PROVIDER_FAILED "interrupted; may have been signed": what a job
// ends as when the node cannot tell whether a signature exists.
covenant::job_transition may_have_been_signed() {
  covenant::job_transition t;
  t.state = covenant::job_state::failed;
  t.reason = std::string{covenant::failure_reason::provider_failed};
  t.detail = std::string{covenant::interrupted_detail};
  return t;
}

// Asks the signer once. Its answer (a signature or a refusal) settles the
// job; no answer within signer_timeout (or an error after the request was
// sent) fails it as "may have been signed".
void ask_signer(self_ptr self, run_ptr run) {
  const auto& signer = *run->config.tbtc.signer;
  signature_request req{run->prep.request_id, crypto::to_0x_hex(run->prep.wallet_public_key_hash),
                        crypto::to_0x_hex(run->spend.sighash)};
  self->request(signer.actor, run->config.tbtc.signer_timeout, std::move(req))
    .then(
      [self, run](signature_reply& reply) {
        if (!reply.ok) {
          apply(self, run, covenant::signing_failed(reply.cause));
          return;
        }
        apply(self, run,
              covenant::finish_spend(run->prep, run->utxo, run->spend, reply.der_signature));
      },
      [self, run](caf::error& err) {
        // The request was sent: the signer may have signed (and the answer
        // was lost or late). Say so; the job is terminal either way.
        spdlog::warn("signing_session: job {}: no answer from the signer ({}); failing it as "
                     "interrupted, it may have been signed",
                     run->prep.request_id, self->system().render(err));
        apply(self, run, may_have_been_signed());
      });
}

// SIGNING is durable: record the signature about to be made, then ask.
void audit_then_sign(self_ptr self, run_ptr run) {
  persistence::audit_entry entry{persistence::now_rfc3339nano(), run->prep.request_id,
                                 crypto::to_0x_hex(run->spend.sighash), run->spend.txid_display};
  // Blocking append + fsync: this session runs on its own thread (detached).
  if (auto err = persistence::append_audit_entry(run->config.tbtc.audit_log, entry)) {
    apply(self, run, covenant::signing_failed("cannot write the audit log: " + err->message));
    return;
  }
  ask_signer(self, std::move(run));
}

// Moves the job to SIGNING at the revision the session started from. Only
// an acknowledged write lets the signer be asked: a stale or terminal job
// was taken over by someone else, and a failed or unanswered write leaves
// it unknown whether SIGNING is on disk, so nothing is signed.
void persist_signing(self_ptr self, run_ptr run) {
  auto& st = self->state;
  covenant::job_transition t;
  t.state = covenant::job_state::signing;
  t.detail = std::string{covenant::signing_detail};
  transition_request req{st.snapshot.job.request_id, st.snapshot.revision, std::move(t)};
  self->request(st.store, run->config.store_timeout, std::move(req))
    .then(
      [self, run](store_result& r) {
        if (r.code != store_code::ok) {
          if (r.code == store_code::stale || r.code == store_code::terminal)
            self->state.snapshot = r.snapshot;
          settle(self, run->promise, self->state.snapshot);
          return;
        }
        self->state.snapshot = r.snapshot;
        if (run->config.tbtc.audit_log.empty()) {
          apply(self, run, covenant::signing_failed("no audit log is configured"));
          return;
        }
        audit_then_sign(self, run);
      },
      [self, run](caf::error& err) { settle_error(self, run->promise, err); });
}

// The gate's "no" or "no answer": wait and ask again while the deadline
// allows, else fail the job naming the tuple. Nothing was signed.
void authorization_missing(self_ptr self, run_ptr run, std::string cause);

void ask_authorization(self_ptr self, run_ptr run) {
  const auto& gate = run->config.tbtc.spend_authorization;
  // A check may outlast the deadline by at most an eighth of the session
  // timeout: the job still fails before the supervisor's own timeout ends
  // the session (which would leave it unsettled until a restart).
  auto timeout = std::min(run->config.tbtc.chain_timeout,
                          std::max(std::chrono::milliseconds{1}, run->config.session_timeout / 8));
  self->request(gate.reader, timeout, run->authorization)
    .then(
      [self, run](spend_authorization_reply& reply) {
        if (reply.code == authorization_code::authorized) {
          self->state.on_retry = nullptr;
          persist_signing(self, run);
          return;
        }
        authorization_missing(self, run, std::move(reply.cause));
      },
      [self, run](caf::error& err) {
        authorization_missing(self, run, "the spend authorization reader did not answer: " +
                                           self->system().render(err));
      });
}

void authorization_missing(self_ptr self, run_ptr run, std::string cause) {
  const auto& gate = run->config.tbtc.spend_authorization;
  const auto now = std::chrono::steady_clock::now();
  if (now >= run->gate_deadline) {
    spdlog::warn("signing_session: job {}: covenant spend not authorized ({}): {}; failing it",
                 run->prep.request_id, covenant::describe(run->authorization), cause);
    apply(self, run,
          covenant::failed_transition(covenant::failure_reason::policy_rejected,
                                      std::string{spend_not_authorized_detail} + " (" +
                                        covenant::describe(run->authorization) + "): " + cause));
    return;
  }
  // The last check lands on the deadline itself.
  const auto backoff = run->next_retry.count() == 0 ? gate.first_retry : run->next_retry;
  const auto left =
    std::chrono::duration_cast<std::chrono::milliseconds>(run->gate_deadline - now);
  const auto wait = std::max(std::chrono::milliseconds{1}, std::min(backoff, left));
  run->next_retry = std::min(backoff * 2, gate.max_retry);
  self->state.on_retry = [self, run] { ask_authorization(self, run); };
  self->delayed_send(self, wait, retry_atom::value);
}

// The spend is built: only an authorized one goes on to SIGNING.
void check_authorization(self_ptr self, run_ptr run) {
  const auto& gate = run->config.tbtc.spend_authorization;
  if (!gate.required) {
    persist_signing(self, std::move(run));
    return;
  }
  if (!gate.reader) {
    apply(self, run,
          covenant::failed_transition(covenant::failure_reason::policy_rejected,
                                      std::string{spend_authorization_unset_detail} +
                                        gate.unset_cause));
    return;
  }
  run->authorization = covenant::spend_authorization_for(run->prep, run->utxo, run->spend);
  ask_authorization(self, std::move(run));
}

void on_outpoint(self_ptr self, run_ptr run, const covenant::outpoint_lookup& lookup) {
  auto utxo = covenant::resolve_active_outpoint(run->prep, lookup, run->config.tbtc.settings);
  if (auto* t = std::get_if<covenant::job_transition>(&utxo)) {
    apply(self, run, std::move(*t));
    return;
  }
  run->utxo = std::move(std::get<covenant::active_utxo>(utxo));
  auto spend = covenant::plan_spend(run->prep, run->utxo);
  if (auto* t = std::get_if<covenant::job_transition>(&spend)) {
    apply(self, run, std::move(*t));
    return;
  }
  run->spend = std::move(std::get<covenant::planned_spend>(spend));
  check_authorization(self, std::move(run));
}

void run_tbtc(self_ptr self, run_ptr run) {
  auto& st = self->state;
  const auto& wiring = run->config.tbtc;
  std::optional<std::span<const std::uint8_t>> signer_key;
  if (wiring.signer)
    signer_key = std::span<const std::uint8_t>(wiring.signer->public_key);
  const auto budget = run->config.session_timeout - run->config.session_timeout / 4;
  run->gate_deadline = std::chrono::steady_clock::now() + budget;
  auto prep = covenant::prepare_spend(st.snapshot.job, wiring.settings, signer_key);
  if (auto* t = std::get_if<covenant::job_transition>(&prep)) {
    apply(self, run, std::move(*t));
    return;
  }
  run->prep = std::move(std::get<covenant::spend_preparation>(prep));
  if (!wiring.bitcoin_reader) {
    covenant::outpoint_lookup none;
    none.cause = "no Bitcoin reader is configured";
    on_outpoint(self, std::move(run), none);
    return;
  }
  self->request(wiring.bitcoin_reader, wiring.chain_timeout, outpoint_atom::value,
                run->prep.active_txid_display, run->prep.request.active_outpoint.vout)
    .then(
      [self, run](outpoint_reply& reply) {
        covenant::outpoint_lookup lookup;
        switch (reply.code) {
          case chain_code::ok:
            lookup.result = covenant::outpoint_lookup::outcome::found;
            break;
          case chain_code::not_found:
            lookup.result = covenant::outpoint_lookup::outcome::not_found;
            break;
          case chain_code::unavailable:
            lookup.result = covenant::outpoint_lookup::outcome::unavailable;
            break;
        }
        lookup.transaction_hex = std::move(reply.transaction_hex);
        lookup.confirmations = reply.confirmations;
        lookup.cause = std::move(reply.cause);
        lookup.output = reply.output;
        lookup.output_cause = std::move(reply.output_cause);
        on_outpoint(self, run, lookup);
      },
      [self, run](caf::error& err) {
        covenant::outpoint_lookup lookup;
        lookup.cause = "the bitcoin reader did not answer: " + self->system().render(err);
        on_outpoint(self, run, lookup);
      });
}

} // namespace

signing_session_impl::behavior_type
signing_session(self_ptr self, job_store_actor store, job_snapshot snapshot,
                session_config config, caf::actor owner) {
  self->state.store = std::move(store);
  self->state.snapshot = std::move(snapshot);
  if (owner) {
    self->set_down_handler([self](caf::down_msg& msg) { self->quit(msg.reason); });
    self->monitor(owner);
  }
  return {
    [self, config](run_atom) -> caf::result<job_snapshot> {
      auto& st = self->state;
      // Only a job that never reached SIGNING is run: anything else was
      // settled already or may have been signed.
      if (st.snapshot.job.state != covenant::job_state::submitted) {
        self->quit();
        return st.snapshot;
      }
      auto promise = self->make_response_promise<job_snapshot>();
      switch (config.engine) {
        case engine_kind::passive: {
          covenant::job_transition accept;
          accept.state = covenant::job_state::pending;
          accept.detail = std::string{covenant::accepted_detail};
          apply(self, promise, std::move(accept), config.store_timeout);
          break;
        }
        case engine_kind::tbtc: {
          auto run = std::make_shared<tbtc_run>();
          run->config = config;
          run->promise = promise;
          run_tbtc(self, std::move(run));
          break;
        }
      }
      return promise;
    },
    [self](retry_atom) {
      if (auto next = std::exchange(self->state.on_retry, nullptr))
        next();
    },
  };
}

} // namespace covsigner::actors
