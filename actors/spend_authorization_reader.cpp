#include "actors/spend_authorization_reader.hpp"

namespace covsigner::actors {

using namespace messages;

namespace {

spend_authorization_reply to_reply(const chain::read_result<bool>& r) {
  if (r.code != chain::read_code::ok)
    return {authorization_code::unavailable, r.cause};
  if (!r.value)
    return {authorization_code::not_authorized, r.cause};
  return {authorization_code::authorized, {}};
}

void count_answer(authorization_answers& answers, authorization_code code) {
  switch (code) {
    case authorization_code::authorized:
      ++answers.authorized;
      return;
    case authorization_code::not_authorized:
      ++answers.not_authorized;
      return;
    case authorization_code::unavailable:
      ++answers.unavailable;
      return;
  }
}

} // namespace

spend_authorization_reader_impl::behavior_type spend_authorization_reader(
  spend_authorization_reader_impl::stateful_pointer<spend_authorization_reader_state> self,
  std::shared_ptr<chain::spend_authorization_source> source, reader_settings settings) {
  self->state.core.init(spend_authorization_source_name, settings);
  self->state.source = std::move(source);
  self->set_exception_handler([self](std::exception_ptr& ep) -> caf::error {
    auto cause = crash_cause(self->state.core.source, ep);
    self->state.core.fail_all(cause);
    return caf::make_error(caf::sec::runtime_error, cause);
  });
  return {
    [self](const covenant::spend_authorization& tuple) -> caf::result<spend_authorization_reply> {
      auto promise = self->make_response_promise<spend_authorization_reply>();
      auto src = self->state.source;
      guarded_call<bool>(
        self, self->state.core, [src, tuple] { return src->authorized(tuple); },
        [promise](chain::read_result<bool> r) mutable { promise.deliver(to_reply(r)); });
      return promise;
    },
    [self](status_atom) { return self->state.core.status(); },
    [self](call_done_atom, std::uint64_t id) { self->state.core.complete(id, std::nullopt); },
    [self](call_expired_atom, std::uint64_t id) { self->state.core.expire(id); },
  };
}

spend_authorization_reader_actor::behavior_type supervised_spend_authorization_reader(
  spend_authorization_reader_actor::stateful_pointer<spend_authorization_supervisor_state> self,
  std::shared_ptr<chain::spend_authorization_source> source, reader_settings settings,
  restart_budget budget) {
  auto& st = self->state;
  st.source = spend_authorization_source_name;
  st.budget = budget;
  st.spawn_worker = [source, settings](caf::actor_system& sys) -> spend_authorization_worker_actor {
    return sys.spawn(spend_authorization_reader, source, settings);
  };
  start_supervision(self);
  return {
    [self](covenant::spend_authorization& tuple) -> caf::result<spend_authorization_reply> {
      if (!self->state.gave_up.empty()) {
        ++self->state.answers.unavailable;
        return spend_authorization_reply{authorization_code::unavailable, self->state.gave_up};
      }
      // Not delegated: the answer passes here so that it is counted. The
      // asker's own timeout bounds the wait; a worker that dies answers
      // with an error, which the asker treats as unavailable.
      auto promise = self->make_response_promise<spend_authorization_reply>();
      self->request(*self->state.worker, caf::infinite, std::move(tuple))
        .then(
          [self, promise](spend_authorization_reply& reply) mutable {
            count_answer(self->state.answers, reply.code);
            promise.deliver(std::move(reply));
          },
          [self, promise](caf::error& err) mutable {
            ++self->state.answers.unavailable;
            promise.deliver(std::move(err));
          });
      return promise;
    },
    [self](status_atom) { return supervised_status(self); },
    [self](answers_atom) { return self->state.answers; },
  };
}

spend_authorization_reader_actor
spawn_spend_authorization_reader(caf::actor_system& sys,
                                 std::shared_ptr<chain::spend_authorization_source> source,
                                 reader_settings settings, restart_budget budget) {
  return sys.spawn(supervised_spend_authorization_reader, std::move(source), settings, budget);
}

} // namespace covsigner::actors
