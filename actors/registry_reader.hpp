// registry_reader: WalletRegistry `getWallet(walletID)` reads (best effort)
// behind a circuit breaker, on its own call threads. See
// messages/chain_readers.hpp for the protocol.
#pragma once

#include "actors/chain_reader_core.hpp"
#include "chain/sources.hpp"

#include <memory>

namespace covsigner::actors {

/// The reader's own interface: the public one plus call completions.
using registry_reader_impl = messages::registry_reader_actor::extend<
  caf::reacts_to<call_done_atom, std::uint64_t>, caf::reacts_to<call_expired_atom, std::uint64_t>>;

struct registry_reader_state {
  // Not an aggregate: CAF would otherwise try to build the state from `self`.
  registry_reader_state() = default;
  reader_core core;
  std::shared_ptr<chain::registry_source> source;
  static inline const char* name = "registry_reader";
};

/// Behaviour of one registry reader over `source` (thread-safe; called from
/// the reader's pool threads).
registry_reader_impl::behavior_type
registry_reader(registry_reader_impl::stateful_pointer<registry_reader_state> self,
                std::shared_ptr<chain::registry_source> source, reader_settings settings);

using registry_supervisor_state = reader_supervisor_state<messages::registry_reader_actor>;

/// The handle the node uses: a supervisor with the reader's interface that
/// spawns registry_reader, delegates to it, and restarts it within `budget`.
messages::registry_reader_actor::behavior_type supervised_registry_reader(
  messages::registry_reader_actor::stateful_pointer<registry_supervisor_state> self,
  std::shared_ptr<chain::registry_source> source, reader_settings settings, restart_budget budget);

/// Spawns supervised_registry_reader.
messages::registry_reader_actor spawn_registry_reader(caf::actor_system& sys,
                                                      std::shared_ptr<chain::registry_source> source,
                                                      reader_settings settings = {},
                                                      restart_budget budget = {});

} // namespace covsigner::actors
