#include "actors/registry_reader.hpp"

namespace covsigner::actors {

using namespace messages;

registry_reader_impl::behavior_type
registry_reader(registry_reader_impl::stateful_pointer<registry_reader_state> self,
                std::shared_ptr<chain::registry_source> source, reader_settings settings) {
  self->state.core.init("wallet registry", settings);
  self->state.source = std::move(source);
  self->set_exception_handler([self](std::exception_ptr& ep) -> caf::error {
    auto cause = crash_cause(self->state.core.source, ep);
    self->state.core.fail_all(cause);
    return caf::make_error(caf::sec::runtime_error, cause);
  });
  return {
    [self](wallet_atom, const std::string& wallet_id) -> caf::result<registry_reply> {
      auto id = crypto::fixed_from_0x_hex<32>(wallet_id);
      if (!id)
        return caf::make_error(caf::sec::invalid_argument,
                               "wallet id must be 0x-hex of 32 bytes: " + wallet_id);
      auto promise = self->make_response_promise<registry_reply>();
      auto src = self->state.source;
      guarded_call<crypto::hash32>(
        self, self->state.core, [src, id = *id] { return src->members_ids_hash(id); },
        [promise](chain::read_result<crypto::hash32> r) mutable {
          promise.deliver(registry_reply{to_chain_code(r.code), r.value, r.cause});
        });
      return promise;
    },
    [self](status_atom) { return self->state.core.status(); },
    [self](call_done_atom, std::uint64_t id) { self->state.core.complete(id, std::nullopt); },
    [self](call_expired_atom, std::uint64_t id) { self->state.core.expire(id); },
  };
}

registry_reader_actor::behavior_type supervised_registry_reader(
  registry_reader_actor::stateful_pointer<registry_supervisor_state> self,
  std::shared_ptr<chain::registry_source> source, reader_settings settings, restart_budget budget) {
  auto& st = self->state;
  st.source = "wallet registry";
  st.budget = budget;
  st.spawn_worker = [source, settings](caf::actor_system& sys) -> registry_reader_actor {
    return sys.spawn(registry_reader, source, settings);
  };
  start_supervision(self);
  return {
    [self](wallet_atom a, std::string& id) -> caf::result<registry_reply> {
      if (!self->state.gave_up.empty())
        return registry_reply{chain_code::unavailable, {}, self->state.gave_up};
      return self->delegate(*self->state.worker, a, std::move(id));
    },
    [self](status_atom) { return supervised_status(self); },
  };
}

registry_reader_actor spawn_registry_reader(caf::actor_system& sys,
                                            std::shared_ptr<chain::registry_source> source,
                                            reader_settings settings, restart_budget budget) {
  return sys.spawn(supervised_registry_reader, std::move(source), settings, budget);
}

} // namespace covsigner::actors
