#include "actors/session_supervisor.hpp"

#include <caf/all.hpp>

namespace covsigner::actors {

using namespace messages;

namespace {

using self_ptr = session_supervisor_actor::stateful_pointer<session_supervisor_state>;

void launch(self_ptr self, job_snapshot snapshot,
            std::vector<caf::typed_response_promise<job_snapshot>> waiters);

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
  st.counters.queued = st.queue.size();
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

void launch(self_ptr self, job_snapshot snapshot,
            std::vector<caf::typed_response_promise<job_snapshot>> waiters) {
  auto& st = self->state;
  auto id = snapshot.job.request_id;
  auto session = self->spawn<caf::monitored>(signing_session, st.store, std::move(snapshot),
                                             st.settings.engine, st.settings.store_timeout);
  st.sessions[id] = {session, std::move(waiters)};
  st.counters.in_flight = st.sessions.size();
  ++st.counters.started;
  self->request(session, st.settings.session_timeout, run_atom::value)
    .then([self, id](job_snapshot& settled) { finish(self, id, settled); },
          [self, id](caf::error& err) { finish(self, id, err); });
}

} // namespace

session_supervisor_actor::behavior_type session_supervisor(self_ptr self, job_store_actor store,
                                                           session_settings settings) {
  self->state.store = std::move(store);
  self->state.settings = settings;
  // A session that dies is answered through its request's error handler; the
  // monitor only keeps the bookkeeping honest if that never arrives.
  self->set_down_handler([self](caf::down_msg& msg) {
    for (auto& [id, run] : self->state.sessions) {
      if (run.session.address() == msg.source) {
        auto reason = msg.reason ? msg.reason : caf::make_error(caf::sec::request_receiver_down);
        finish(self, std::string{id}, caf::expected<job_snapshot>{reason});
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
        st.counters.queued = st.queue.size();
        return promise;
      }
      launch(self, std::move(start.snapshot), {promise});
      return promise;
    },
    [self](status_atom) { return self->state.counters; },
  };
}

} // namespace covsigner::actors
