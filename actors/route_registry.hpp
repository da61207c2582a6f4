// route_registry: the dedupe index. See messages/route_registry.hpp for the
// protocol and DESIGN.md "Submit and poll, as data flows" steps 4-5.
#pragma once

#include "messages/job_store.hpp"
#include "messages/published_jobs.hpp"
#include "messages/route_registry.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace covsigner::actors {

/// What one scan of the data dir says about route keys.
struct route_registry_seed {
  struct live_entry {
    std::string request_id;
    std::string request_digest;
    /// A pruned job's final state (from its tombstone); empty while the job
    /// is stored. A pruned key never reopens.
    std::string pruned_state;
  };
  std::unordered_map<std::string, live_entry> live;  // route key -> owner
  std::map<std::string, std::string> poisoned;       // route key -> reason
  std::string refusal_cause; // non-empty: refuse every new submit (unattributable corruption)
};

struct route_registry_state {
  // Not an aggregate: CAF would otherwise try to build the state from `self`.
  route_registry_state() = default;

  enum class phase { creating, live };
  struct entry {
    phase state = phase::creating;
    std::string request_id;
    std::string request_digest;
    std::string pruned_state; // see route_registry_seed::live_entry
    std::vector<caf::typed_response_promise<messages::claim_result>> waiters;
  };
  std::unordered_map<std::string, entry> entries;
  std::map<std::string, std::string> poisoned;
  std::string refusal_cause;
  messages::job_store_actor store;
  std::chrono::milliseconds store_timeout{30000};
  std::shared_ptr<messages::published_jobs> published; // may be null
  static inline const char* name = "route_registry";
};

/// Behaviour of route_registry. `store_timeout` bounds each job_store call;
/// a create whose outcome is unknown (timeout, store down) poisons its key
/// instead of rolling back, because the job may yet be durable. Each key
/// whose create became durable is published to `published` when given
/// (the seed's live keys are published by whoever spawns it, as start_node
/// does); creating and poisoned keys never are.
/// Unattributable corruption in the seed refuses new keys only: dedupe
/// hits on live keys are still answered (DESIGN.md "Persistence contract").
messages::route_registry_actor::behavior_type
route_registry(messages::route_registry_actor::stateful_pointer<route_registry_state> self,
               messages::job_store_actor store, route_registry_seed seed,
               std::chrono::milliseconds store_timeout,
               std::shared_ptr<messages::published_jobs> published = {});

} // namespace covsigner::actors
