// covsignerd's options, in CAF's own format (command line and INI file).
// The reference's options keep their names in the global group; ours live in
// dotted groups. Secrets never come from options (argv is world-readable in
// /proc): tokens arrive through the environment or token files.
#pragma once

#include "transport/embed.hpp"

#include <caf/actor_system_config.hpp>

namespace covsigner::apps {

struct covsignerd_config : caf::actor_system_config {
  /// Every setting, with its default: the embedding API's node_options is
  /// the one definition; the options below only bind names to its fields.
  embed::node_options node;

  covsignerd_config();
};

} // namespace covsigner::apps
