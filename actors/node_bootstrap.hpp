// Startup order of the node's actors: lock and scan the data dir once, then
// spawn job_store and route_registry from that one scan, then the session
// supervisor and the node; resume jobs that never reached SIGNING.
#pragma once

#include "actors/node.hpp"
#include "actors/session_supervisor.hpp"
#include "persistence/job_writer.hpp"

#include <caf/fwd.hpp>

#include <filesystem>
#include <string>
#include <variant>

namespace covsigner::actors {

struct node_options {
  std::filesystem::path data_dir;
  persistence::sync_mode sync = persistence::sync_mode::group;
  node_timeouts timeouts;
  session_settings sessions;
};

struct running_node {
  messages::node_actor node;
  messages::job_store_actor store;
  messages::route_registry_actor registry;
  messages::session_supervisor_actor supervisor;
  std::string load_summary; // the store's one-line load summary
};

/// Opens the store under `options.data_dir` (lock, legacy migration, load)
/// and spawns the actors. Blocking file I/O: call it from a non-actor thread
/// (main or a test). The error names the cause (e.g. the held lock's path).
std::variant<running_node, std::string> start_node(caf::actor_system& system,
                                                   const node_options& options);

/// Graceful stop: waits up to `grace` for sessions in flight to settle, then
/// stops every actor and waits until the store has released its files
/// (writer drained, lock released).
void stop_node(caf::actor_system& system, running_node& node,
               std::chrono::milliseconds grace = std::chrono::milliseconds{0});

} // namespace covsigner::actors
