// The actor_system configuration every actor test uses: the node's message
// types registered, two scheduler threads (the machines have two cores).
#pragma once

#include "messages/type_ids.hpp"

#include <caf/actor_system_config.hpp>

namespace covsigner::test_support {

struct test_actor_system_config : caf::actor_system_config {
  test_actor_system_config() {
    add_message_types<caf::id_block::covsigner>();
    set("scheduler.max-threads", 2);
  }
};

} // namespace covsigner::test_support
