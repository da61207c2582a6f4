#include "actors/chain_head.hpp"

namespace covsigner::actors {

using namespace messages;

namespace {

using self_ptr = chain_head_impl::stateful_pointer<chain_head_state>;

chain_height current(self_ptr self) {
  auto& st = self->state;
  chain_height h;
  auto suffix = st.last_error.empty() ? std::string() : "; last error: " + st.last_error;
  if (!st.height) {
    h.cause = "host chain height is not known yet" + suffix;
    return h;
  }
  auto age = std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - st.fetched_at);
  h.height = *st.height;
  h.age_ms = static_cast<std::uint64_t>(age.count());
  h.fresh = age <= st.settings.max_age;
  if (!h.fresh)
    h.cause = "host chain height " + std::to_string(h.height) + " is stale: refreshed " +
              std::to_string(h.age_ms) + " ms ago, maximum age " +
              std::to_string(st.settings.max_age.count()) + " ms" + suffix;
  return h;
}

void refresh(self_ptr self) {
  auto& st = self->state;
  if (st.refreshing)
    return;
  st.refreshing = true;
  auto src = st.source;
  guarded_call<std::uint64_t>(self, st.core, [src] { return src->block_height(); },
                              [self](chain::read_result<std::uint64_t> r) {
                                auto& s = self->state;
                                s.refreshing = false;
                                if (r.code == chain::read_code::ok) {
                                  s.height = r.value;
                                  s.fetched_at = std::chrono::steady_clock::now();
                                  s.last_error.clear();
                                  if (s.settings.published)
                                    s.settings.published->publish(r.value, s.fetched_at);
                                } else {
                                  s.last_error = r.cause;
                                  if (s.settings.published)
                                    s.settings.published->publish_failure(r.cause);
                                }
                              });
}

} // namespace

chain_head_impl::behavior_type chain_head(self_ptr self,
                                          std::shared_ptr<chain::height_source> source,
                                          chain_head_settings settings) {
  auto& st = self->state;
  st.core.init("host chain head", settings.reader);
  st.source = std::move(source);
  st.settings = settings;
  self->set_exception_handler([self](std::exception_ptr& ep) -> caf::error {
    auto cause = crash_cause(self->state.core.source, ep);
    self->state.core.fail_all(cause);
    return caf::make_error(caf::sec::runtime_error, cause);
  });
  self->send(self, refresh_atom::value);
  return {
    [self](height_atom) { return current(self); },
    [self](status_atom) { return self->state.core.status(); },
    [self](refresh_atom) {
      refresh(self);
      self->delayed_send(self, self->state.settings.refresh_interval, refresh_atom::value);
    },
    [self](call_done_atom, std::uint64_t id) { self->state.core.complete(id, std::nullopt); },
    [self](call_expired_atom, std::uint64_t id) { self->state.core.expire(id); },
  };
}

chain_head_actor::behavior_type
supervised_chain_head(chain_head_actor::stateful_pointer<chain_head_supervisor_state> self,
                      std::shared_ptr<chain::height_source> source, chain_head_settings settings,
                      restart_budget budget) {
  auto& st = self->state;
  st.source = "host chain head";
  st.budget = budget;
  st.spawn_worker = [source, settings](caf::actor_system& sys) -> chain_head_actor {
    return sys.spawn(chain_head, source, settings);
  };
  start_supervision(self);
  return {
    [self](height_atom a) -> caf::result<chain_height> {
      if (!self->state.gave_up.empty())
        return chain_height{false, 0, 0, self->state.gave_up};
      return self->delegate(*self->state.worker, a);
    },
    [self](status_atom) { return supervised_status(self); },
  };
}

chain_head_actor spawn_chain_head(caf::actor_system& sys,
                                  std::shared_ptr<chain::height_source> source,
                                  chain_head_settings settings, restart_budget budget) {
  return sys.spawn(supervised_chain_head, std::move(source), settings, budget);
}

} // namespace covsigner::actors
