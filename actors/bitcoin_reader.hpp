// bitcoin_reader: active-outpoint transactions, their confirmations and the
// outputs' spent state, behind a circuit breaker on the reader's own call
// threads.
#pragma once

#include "actors/chain_reader_core.hpp"
#include "chain/sources.hpp"

#include <memory>

namespace covsigner::actors {

using bitcoin_reader_impl = messages::bitcoin_reader_actor::extend<
  caf::reacts_to<call_done_atom, std::uint64_t>, caf::reacts_to<call_expired_atom, std::uint64_t>>;

struct bitcoin_reader_state {
  // Not an aggregate: CAF would otherwise try to build the state from `self`.
  bitcoin_reader_state() = default;
  reader_core core;
  std::shared_ptr<chain::bitcoin_source> source;
  static inline const char* name = "bitcoin_reader";
};

bitcoin_reader_impl::behavior_type
bitcoin_reader(bitcoin_reader_impl::stateful_pointer<bitcoin_reader_state> self,
               std::shared_ptr<chain::bitcoin_source> source, reader_settings settings);

using bitcoin_supervisor_state = reader_supervisor_state<messages::bitcoin_reader_actor>;

messages::bitcoin_reader_actor::behavior_type supervised_bitcoin_reader(
  messages::bitcoin_reader_actor::stateful_pointer<bitcoin_supervisor_state> self,
  std::shared_ptr<chain::bitcoin_source> source, reader_settings settings, restart_budget budget);

messages::bitcoin_reader_actor spawn_bitcoin_reader(caf::actor_system& sys,
                                                    std::shared_ptr<chain::bitcoin_source> source,
                                                    reader_settings settings = {},
                                                    restart_budget budget = {});

} // namespace covsigner::actors
