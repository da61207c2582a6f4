// chain_head: the host chain's block height, refreshed in the background on
// the reader's own call thread and cached. A cached height older than
// `max_age` is answered as not fresh: callers that check expiry fail closed.
#pragma once

#include "actors/chain_reader_core.hpp"
#include "chain/published_height.hpp"
#include "chain/sources.hpp"

#include <memory>
#include <optional>

namespace covsigner::actors {

using chain_head_impl = messages::chain_head_actor::extend<
  caf::reacts_to<call_done_atom, std::uint64_t>, caf::reacts_to<call_expired_atom, std::uint64_t>,
  caf::reacts_to<messages::refresh_atom>>;

struct chain_head_settings {
  reader_settings reader;
  std::chrono::milliseconds refresh_interval{1000};
  std::chrono::milliseconds max_age{10000};
  /// Where each refresh is also published for non-actor readers (the HTTP
  /// workers' certificate expiry checks); may be null.
  std::shared_ptr<chain::published_height> published;
};

struct chain_head_state {
  // Not an aggregate: CAF would otherwise try to build the state from `self`.
  chain_head_state() = default;
  reader_core core;
  std::shared_ptr<chain::height_source> source;
  chain_head_settings settings;
  std::optional<std::uint64_t> height;
  std::chrono::steady_clock::time_point fetched_at{};
  std::string last_error;
  bool refreshing = false;
  static inline const char* name = "chain_head";
};

chain_head_impl::behavior_type chain_head(chain_head_impl::stateful_pointer<chain_head_state> self,
                                          std::shared_ptr<chain::height_source> source,
                                          chain_head_settings settings);

using chain_head_supervisor_state = reader_supervisor_state<messages::chain_head_actor>;

messages::chain_head_actor::behavior_type supervised_chain_head(
  messages::chain_head_actor::stateful_pointer<chain_head_supervisor_state> self,
  std::shared_ptr<chain::height_source> source, chain_head_settings settings,
  restart_budget budget);

/// Spawns supervised_chain_head; the first refresh starts at once.
messages::chain_head_actor spawn_chain_head(caf::actor_system& sys,
                                            std::shared_ptr<chain::height_source> source,
                                            chain_head_settings settings = {},
                                            restart_budget budget = {});

} // namespace covsigner::actors
