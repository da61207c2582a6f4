// spend_authorization_reader: CovenantSpendAuthorization `isAuthorized`
// reads behind its own circuit breaker and call timeout, on its own call
// threads (the shape of registry_reader). See messages/chain_readers.hpp
// for the protocol.
#pragma once

#include "actors/chain_reader_core.hpp"
#include "chain/sources.hpp"

#include <memory>

namespace covsigner::actors {

/// The worker's interface: the public one without answers_atom (the
/// supervisor counts the answers, so that a restart does not reset them).
using spend_authorization_worker_actor = caf::typed_actor<
  caf::replies_to<covenant::spend_authorization>::with<messages::spend_authorization_reply>,
  caf::replies_to<messages::status_atom>::with<messages::breaker_status>>;

/// The reader's own interface: the worker's plus call completions.
using spend_authorization_reader_impl = spend_authorization_worker_actor::extend<
  caf::reacts_to<call_done_atom, std::uint64_t>, caf::reacts_to<call_expired_atom, std::uint64_t>>;

struct spend_authorization_reader_state {
  // Not an aggregate: CAF would otherwise try to build the state from `self`.
  spend_authorization_reader_state() = default;
  reader_core core;
  std::shared_ptr<chain::spend_authorization_source> source;
  static inline const char* name = "spend_authorization_reader";
};

/// The name its breaker shows under in /readyz and /metrics.
inline constexpr const char* spend_authorization_source_name = "spend authorization";

/// Behaviour of one reader over `source` (thread-safe; called from the
/// reader's pool threads). ok(true) -> authorized, ok(false) ->
/// not_authorized, anything else -> unavailable; the cause is the source's.
spend_authorization_reader_impl::behavior_type spend_authorization_reader(
  spend_authorization_reader_impl::stateful_pointer<spend_authorization_reader_state> self,
  std::shared_ptr<chain::spend_authorization_source> source, reader_settings settings);

struct spend_authorization_supervisor_state
  : reader_supervisor_state<spend_authorization_worker_actor> {
  messages::authorization_answers answers; // since start, across restarts
};

/// The handle the node uses: a supervisor with the reader's interface that
/// spawns spend_authorization_reader, forwards each check to it and counts
/// the answer (answers_atom), and restarts it within `budget` (past it,
/// every answer is unavailable: nothing is signed).
messages::spend_authorization_reader_actor::behavior_type supervised_spend_authorization_reader(
  messages::spend_authorization_reader_actor::stateful_pointer<spend_authorization_supervisor_state>
    self,
  std::shared_ptr<chain::spend_authorization_source> source, reader_settings settings,
  restart_budget budget);

/// Spawns supervised_spend_authorization_reader.
messages::spend_authorization_reader_actor
spawn_spend_authorization_reader(caf::actor_system& sys,
                                 std::shared_ptr<chain::spend_authorization_source> source,
                                 reader_settings settings = {}, restart_budget budget = {});

} // namespace covsigner::actors
