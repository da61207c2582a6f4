#include "actors/session_supervisor.hpp"

#include <caf/all.hpp>

namespace covsigner::actors {

using namespace messages;

namespace {

using self_ptr = session_supervisor_actor::stateful_pointer<session_supervisor_state>;

void launch(self_ptr self, job_snapshot snapshot,
            std::vector<caf::typed_response_promise<job_snapshot>> waiters);

void note_queue(session_supervisor_state& st) {
  st.counters.queued = st.queue.size();
  if (st.settings.backlog)
    st.settings.backlog->queued.store(st.queue.size(), std::memory_order_relaxed);
}

// Starts queued jobs while there is room.
void drain_queue(self_ptr self) {
  auto& st = self->state;
  while (!st.queue.empty() && st.sessions.size() < st.settings.max_in_flight) {
    auto snapshot = std::move(st.queue.front());
    st.queue.pop_front();
    auto id = snapshot.job.request_id;
    auto waiters = std::move(st.queued_waiters[id]);
    st.queued_waiters.erase(id);
    launch(self, std::move(snapshot), std::move(waiters));
  }
  note_queue(st);
}

void finish(self_ptr self, const std::string& id, const caf::expected<job_snapshot>& outcome) {
  auto& st = self->state;
  auto it = st.sessions.find(id);
  if (it == st.sessions.end())
    return;
  for (auto& waiter : it->second.waiters) {
    if (outcome)
      waiter.deliver(*outcome);
    else
      waiter.deliver(outcome.error());
  }
  st.sessions.erase(it);
  st.counters.in_flight = st.sessions.size();
  drain_queue(self);
}

// The session ended without settling its job (it died, timed out, or could
// not tell what is durable), or settled it in SIGNING. Whatever it was
// doing stops here; if the job is in SIGNING a signature may exist, so the
// job fails as interrupted and is never signed again.
void settle_interrupted(self_ptr self, const std::string& id, caf::error cause) {
  auto& st = self->state;
  auto it = st.sessions.find(id);
  if (it == st.sessions.end() || it->second.settling)
    return;
  it->second.settling = true;
  // A session that is still running (timed out) must not finish later.
  self->send_exit(it->second.session, caf::exit_reason::user_shutdown);
  auto timeout = st.settings.store_timeout;
  self->request(st.store, timeout, caf::get_atom::value, id)
    .then(
      [self, id, cause, timeout](store_result& current) {
        if (current.code != store_code::ok) {
          finish(self, id, caf::expected<job_snapshot>{cause});
          return;
        }
        if (current.snapshot.job.state != covenant::job_state::signing) {
          finish(self, id, current.snapshot);
          return;
        }
        covenant::job_transition t;
        t.state = covenant::job_state::failed;
        t.reason = std::string{covenant::failure_reason::provider_failed};
        t.detail = std::string{covenant::interrupted_detail};
        transition_request req{id, current.snapshot.revision, std::move(t)};
        self->request(self->state.store, timeout, std::move(req))
          .then(
            [self, id, cause](store_result& r) {
              if (r.code == store_code::ok)
                ++self->state.counters.interrupted;
              if (r.code == store_code::ok || r.code == store_code::stale ||
                  r.code == store_code::terminal)
                finish(self, id, r.snapshot);
              else // still SIGNING on disk: the next load fails it
                finish(self, id, caf::expected<job_snapshot>{cause});
            },
            [self, id](caf::error& err) { finish(self, id, caf::expected<job_snapshot>{err}); });
      },
      [self, id](caf::error& err) { finish(self, id, caf::expected<job_snapshot>{err}); });
}

signing_session_actor spawn_session(self_ptr self, job_snapshot snapshot) {
  auto& st = self->state;
  session_config config{st.settings.engine, st.settings.store_timeout, st.settings.tbtc,
                        st.settings.session_timeout};
  // tbtc sessions fsync the audit log: their own thread, never a scheduler one.
  auto owner = caf::actor_cast<caf::actor>(self);
  if (st.settings.engine == engine_kind::tbtc)
    return self->spawn<caf::detached + caf::monitored>(signing_session, st.store,
                                                       std::move(snapshot), std::move(config),
                                                       std::move(owner));
  return self->spawn<caf::monitored>(signing_session, st.store, std::move(snapshot),
                                     std::move(config), std::move(owner));
}

void launch(self_ptr self, job_snapshot snapshot,
            std::vector<caf::typed_response_promise<job_snapshot>> waiters) {
  auto& st = self->state;
  auto id = snapshot.job.request_id;
  auto session = spawn_session(self, std::move(snapshot));
  st.sessions[id] = {session, std::move(waiters), false};
  st.counters.in_flight = st.sessions.size();
  ++st.counters.started;
  self->request(session, st.settings.session_timeout, run_atom::value)
    .then(
      [self, id](job_snapshot& settled) {
        if (settled.job.state == covenant::job_state::signing)
          settle_interrupted(self, id, caf::make_error(caf::sec::request_receiver_down));
        else
          finish(self, id, settled);
      },
      [self, id](caf::error& err) { settle_interrupted(self, id, err); });
}

} // namespace

session_supervisor_actor::behavior_type session_supervisor(self_ptr self, job_store_actor store,
                                                           session_settings settings) {
  self->state.store = std::move(store);
  self->state.settings = std::move(settings);
  // A session that dies is answered through its request's error handler; the
  // monitor only keeps the bookkeeping honest if that never arrives.
  self->set_down_handler([self](caf::down_msg& msg) {
    for (auto& [id, run] : self->state.sessions) {
      if (run.session.address() == msg.source) {
        auto reason = msg.reason ? msg.reason : caf::make_error(caf::sec::request_receiver_down);
        settle_interrupted(self, std::string{id}, reason);
        return;
      }
    }
  });
  return {
    [self](session_start& start) -> caf::result<job_snapshot> {
      auto& st = self->state;
      auto id = start.snapshot.job.request_id;
      auto promise = self->make_response_promise<job_snapshot>();
      if (auto it = st.sessions.find(id); it != st.sessions.end()) {
        it->second.waiters.push_back(promise);
        return promise;
      }
      if (auto q = st.queued_waiters.find(id); q != st.queued_waiters.end()) {
        q->second.push_back(promise);
        return promise;
      }
      if (st.sessions.size() >= st.settings.max_in_flight) {
        st.queue.push_back(std::move(start.snapshot));
        st.queued_waiters[id].push_back(promise);
        note_queue(st);
        return promise;
      }
      launch(self, std::move(start.snapshot), {promise});
      return promise;
    },
    [self](status_atom) { return self->state.counters; },
  };
}

} // namespace covsigner::actors
