// The actor_system configuration every actor test uses (the node's message
// types registered, two scheduler threads: the machines have two cores) and
// a blocking ask with a timeout.
#pragma once

#include "messages/type_ids.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/all.hpp>

#include <chrono>
#include <type_traits>

namespace covsigner::test_support {

struct test_actor_system_config : caf::actor_system_config {
  test_actor_system_config() {
    add_message_types<caf::id_block::covsigner>();
    set("scheduler.max-threads", 2);
  }
};

/// Asks `h` and waits up to `timeout`; the reply, or the error.
template <class Reply, class Handle, class... Ts>
caf::expected<Reply> ask(caf::actor_system& sys, const Handle& h,
                         std::chrono::milliseconds timeout, Ts... xs) {
  caf::scoped_actor self{sys};
  caf::expected<Reply> out{caf::sec::request_timeout};
  self->request(h, timeout, xs...)
    .receive([&](Reply& r) { out = std::move(r); }, [&](caf::error& e) { out = std::move(e); });
  return out;
}

/// Spawns the function-based actor `make_behavior()`, a function that takes
/// no argument besides, optionally, its self pointer. CAF 0.17.6 cannot
/// spawn such a function cleanly: with no arguments it stores a null
/// std::shared_ptr<std::tuple<>> and still evaluates `*args_`
/// (caf/detail/init_fun_factory.hpp, apply), binding a reference to null,
/// which UBSan reports in `make test-asan` (GCC's libubsan does not honour
/// a suppression for that check). One ignored argument keeps CAF on its
/// non-empty path. The node itself never spawns without arguments.
template <class MakeBehavior>
auto spawn_without_arguments(caf::actor_system& sys, MakeBehavior make_behavior) {
  if constexpr (std::is_invocable_v<MakeBehavior>) {
    return sys.spawn([make_behavior](caf::unit_t) { return make_behavior(); }, caf::unit);
  } else {
    using trait = typename caf::detail::get_callable_trait<MakeBehavior>::type;
    using self_pointer = typename caf::detail::tl_head<typename trait::arg_types>::type;
    return sys.spawn(
      [make_behavior](self_pointer self, caf::unit_t) { return make_behavior(self); }, caf::unit);
  }
}

} // namespace covsigner::test_support
