// route_registry: the dedupe index. See messages/route_registry.hpp for the
// protocol and DESIGN.md "Submit and poll, as data flows" steps 4-5.
#pragma once

#include "actors/job_store.hpp"
#include "messages/job_store.hpp"
#include "messages/published_jobs.hpp"
#include "messages/route_registry.hpp"
#include "messages/signing.hpp"

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
  /// A create the store did not answer in time: its job and the reply
  /// every claim on the key gets until the store says what became of it.
  struct unsettled {
    std::string request_id;
    std::string detail;
  };
  std::unordered_map<std::string, entry> entries;
  std::unordered_map<std::string, unsettled> reconciling; // route key -> create
  std::map<std::string, std::string> poisoned;
  std::string refusal_cause;
  messages::job_store_actor store;
  std::chrono::milliseconds store_timeout{30000};
  std::shared_ptr<messages::published_jobs> published; // may be null
  messages::session_supervisor_actor supervisor;       // may be null
  std::shared_ptr<const store_latch> latch;            // may be null
  static inline const char* name = "route_registry";
};

/// Behaviour of route_registry. `store_timeout` bounds each job_store call.
/// What a create's answer does to its key:
///   * ok: live (published to `published` when given; the seed's live keys
///     are published by whoever spawns it, as start_node does);
///   * rejected / refused (nothing was written): the key is free again,
///     the claim fails "job was not created: <detail>";
///   * unknown (the write failed after it may have reached the disk): the
///     key is poisoned with the store's detail;
///   * no answer in time (or the store failed): the claim and its waiters
///     are answered `unsettled` ("the outcome of creating job <id> for
///     route key <key> is not known yet (<why>); retry later"), and so is
///     every claim on the key while the registry asks the store what became
///     of the create (outcome_atom, each ask bounded by `store_timeout`,
///     asked again while it times out). Durable: the key becomes live and
///     the job is started on `supervisor` (null: nobody starts it; a job
///     the node created must get a session, so the node always passes
///     one). Nothing written: the key is free. Unknown, or the store
///     failed: poisoned with that cause.
/// Creating, unsettled and poisoned keys are never published.
/// New keys are refused (dedupe hits on live keys are still answered,
/// DESIGN.md "Persistence contract") while the seed names unattributable
/// corruption, or once `latch` holds a failure: "a durable write failed
/// (<cause>); new submits are refused until the node restarts".
messages::route_registry_actor::behavior_type
route_registry(messages::route_registry_actor::stateful_pointer<route_registry_state> self,
               messages::job_store_actor store, route_registry_seed seed,
               std::chrono::milliseconds store_timeout,
               std::shared_ptr<messages::published_jobs> published = {},
               messages::session_supervisor_actor supervisor = {},
               std::shared_ptr<const store_latch> latch = {});

} // namespace covsigner::actors
