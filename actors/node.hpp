// node: the typed API behind HTTP and embedders. It owns no job state; it
// sequences route_registry, job_store and session_supervisor for submits and
// polls (DESIGN.md "Submit and poll, as data flows").
#pragma once

#include "messages/chain_readers.hpp"
#include "messages/job_store.hpp"
#include "messages/node.hpp"
#include "messages/route_registry.hpp"
#include "messages/signing.hpp"

#include <chrono>
#include <string>

namespace covsigner::actors {

struct node_timeouts {
  std::chrono::milliseconds submit_wait{25000}; // reply PENDING after this
  std::chrono::milliseconds store{30000};       // one job_store / registry call
};

/// The chain readers whose health decides readiness; null when the node
/// runs without a chain (the passive engine needs none).
struct node_chain_readers {
  messages::bridge_reader_actor bridge;
  messages::chain_head_actor head;
};

struct node_state {
  // Not an aggregate: CAF would otherwise try to build the state from `self`.
  node_state() = default;

  messages::job_store_actor store;
  messages::route_registry_actor registry;
  messages::session_supervisor_actor supervisor;
  node_timeouts timeouts;
  node_chain_readers chain;
  std::string refusal_cause; // non-empty: a core actor died; submits refused
  static inline const char* name = "node";
};

/// The node's behaviour over already-spawned core actors. It monitors the
/// store and the registry: if either dies, submits are refused (polls of
/// what is on disk keep working while the store lives). Readiness: the
/// store is loaded and accepts writes, submits are not refused, the Bridge
/// reader's breaker is not open and the chain head is fresh.
messages::node_actor::behavior_type node(messages::node_actor::stateful_pointer<node_state> self,
                                         messages::job_store_actor store,
                                         messages::route_registry_actor registry,
                                         messages::session_supervisor_actor supervisor,
                                         node_timeouts timeouts, node_chain_readers chain = {});

/// `kcs_qc_` / `kcs_self_` + 16 lowercase hex from 8 CSPRNG bytes; empty for
/// an unknown route.
std::string new_request_id(std::string_view route);

} // namespace covsigner::actors
