// The actor_system configuration every actor test uses (the node's message
// types registered, two scheduler threads: the machines have two cores) and
// a blocking ask with a timeout.
#pragma once

#include "messages/type_ids.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/all.hpp>

#include <chrono>

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

} // namespace covsigner::test_support
