// bridge_reader: GetWallet. Bridge `wallets(pkh)` (required) behind a circuit
// breaker on the reader's own call threads, then, best effort, the registry
// reader with its own timeout. See messages/chain_readers.hpp.
#pragma once

#include "actors/chain_reader_core.hpp"
#include "chain/sources.hpp"

#include <memory>
#include <unordered_map>

namespace covsigner::actors {

using bridge_reader_impl = messages::bridge_reader_actor::extend<
  caf::reacts_to<call_done_atom, std::uint64_t>, caf::reacts_to<call_expired_atom, std::uint64_t>>;

struct bridge_reader_settings {
  reader_settings reader;
  /// Bound on the registry reader's answer inside GetWallet. With a healthy
  /// registry breaker, GetWallet takes at most reader.request_timeout +
  /// registry_timeout; callers' own timeouts must exceed that sum.
  std::chrono::milliseconds registry_timeout{1500};
};

struct bridge_reader_state {
  // Not an aggregate: CAF would otherwise try to build the state from `self`.
  bridge_reader_state() = default;
  reader_core core;
  std::shared_ptr<chain::bridge_source> source;
  messages::registry_reader_actor registry; // may be null: no registry configured
  std::chrono::milliseconds registry_timeout{1500};
  std::uint64_t next_wait = 1;
  std::unordered_map<std::uint64_t, caf::typed_response_promise<messages::wallet_reply>>
    awaiting_registry;
  static inline const char* name = "bridge_reader";
};

bridge_reader_impl::behavior_type
bridge_reader(bridge_reader_impl::stateful_pointer<bridge_reader_state> self,
              std::shared_ptr<chain::bridge_source> source,
              messages::registry_reader_actor registry, bridge_reader_settings settings);

using bridge_supervisor_state = reader_supervisor_state<messages::bridge_reader_actor>;

/// Supervisor with the reader's interface (see registry_reader.hpp).
messages::bridge_reader_actor::behavior_type supervised_bridge_reader(
  messages::bridge_reader_actor::stateful_pointer<bridge_supervisor_state> self,
  std::shared_ptr<chain::bridge_source> source, messages::registry_reader_actor registry,
  bridge_reader_settings settings, restart_budget budget);

/// Spawns supervised_bridge_reader. `registry` is the (supervised) registry
/// reader; null means GetWallet always answers without registry data.
messages::bridge_reader_actor spawn_bridge_reader(caf::actor_system& sys,
                                                  std::shared_ptr<chain::bridge_source> source,
                                                  messages::registry_reader_actor registry,
                                                  bridge_reader_settings settings = {},
                                                  restart_budget budget = {});

} // namespace covsigner::actors
