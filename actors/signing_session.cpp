#include "actors/signing_session.hpp"

#include <caf/all.hpp>

namespace covsigner::actors {

using namespace messages;

signing_session_actor::behavior_type
signing_session(signing_session_actor::stateful_pointer<signing_session_state> self,
                job_store_actor store, job_snapshot snapshot, engine_kind engine,
                std::chrono::milliseconds store_timeout) {
  self->state.store = std::move(store);
  self->state.snapshot = std::move(snapshot);
  return {
    [self, engine, store_timeout](run_atom) -> caf::result<job_snapshot> {
      auto& st = self->state;
      if (covenant::is_terminal(st.snapshot.job.state) ||
          st.snapshot.job.state != covenant::job_state::submitted) {
        self->quit();
        return st.snapshot;
      }
      switch (engine) {
        case engine_kind::passive:
          break;
      }
      transition_request accept{st.snapshot.job.request_id, st.snapshot.revision,
                                {covenant::job_state::pending,
                                 std::string{covenant::accepted_detail},
                                 {}, {}, {}, {}}};
      auto promise = self->make_response_promise<job_snapshot>();
      self->request(st.store, store_timeout, std::move(accept))
        .then(
          [self, promise](store_result& r) mutable {
            // ok, stale and terminal all carry the durable current state.
            promise.deliver(r.code == store_code::ok || r.code == store_code::stale ||
                                r.code == store_code::terminal
                              ? r.snapshot
                              : self->state.snapshot);
            self->quit();
          },
          [self, promise](caf::error& err) mutable {
            promise.deliver(err);
            self->quit(err);
          });
      return promise;
    },
  };
}

} // namespace covsigner::actors
