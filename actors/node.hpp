// node: the typed API behind HTTP and embedders. It owns no job state; it
// sequences route_registry, job_store and session_supervisor for submits and
// polls (DESIGN.md "Submit and poll, as data flows").
#pragma once

#include "actors/node_core.hpp"
#include "covenant/approval_digest.hpp"
#include "covenant/signer_approval.hpp"
#include "messages/chain_readers.hpp"
#include "messages/job_store.hpp"
#include "messages/node.hpp"
#include "messages/route_registry.hpp"
#include "messages/signing.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace covsigner::actors {

struct node_timeouts {
  std::chrono::milliseconds submit_wait{25000}; // reply PENDING after this
  /// One job_store / registry call. A claim (route_registry create-or-
  /// dedupe, itself one store call bounded by this) is given twice this, so
  /// the registry's own answer, e.g. "outcome not known yet", comes first.
  std::chrono::milliseconds store{30000};
  /// One chain call (GetWallet, chain head height): longer than the
  /// readers' own request timeouts (Bridge + registry), so a reader answers
  /// its outage before this fires.
  std::chrono::milliseconds chain{10000};
  /// One rebuild of the core (a scan of the data dir: ~20 s for 100,000
  /// jobs on a cold cache here). Past it the node stays refusing submits.
  std::chrono::milliseconds rebuild{std::chrono::minutes(10)};
};

/// The chain readers whose health decides readiness and which back signer
/// approval verification; null when the node runs without a chain (the
/// passive engine needs none).
struct node_chain_readers {
  messages::bridge_reader_actor bridge;
  messages::chain_head_actor head;
  /// The EIP-712 domain artifact approvals are signed under: verification
  /// recomputes the approval digest a certificate must certify.
  covenant::eip712_domain domain;
  std::uint64_t honest_threshold = covenant::tbtc_honest_threshold;
  /// Reported in readiness (its breaker, for /metrics); never fails it: the
  /// registry is a best-effort source.
  messages::registry_reader_actor registry;
  /// Reported in readiness (its breaker, for /metrics and /readyz). When
  /// `bitcoin_required` (the tbtc engine: no job is signed without its
  /// data), an open or failed breaker also fails readiness.
  messages::bitcoin_reader_actor bitcoin;
  bool bitcoin_required = false;
  /// CovenantSpendAuthorization: reported like the registry (degrading; a
  /// session that gets no answer signs nothing and waits).
  messages::spend_authorization_reader_actor spend_authorization;
};

struct node_state {
  // Not an aggregate: CAF would otherwise try to build the state from `self`.
  node_state() = default;

  // The current core (replaced by a rebuild).
  messages::job_store_actor store;
  messages::route_registry_actor registry;
  messages::session_supervisor_actor supervisor;
  std::uint64_t core_generation = 0;
  node_timeouts timeouts;
  node_chain_readers chain;
  /// How to rebuild the core; none: a dead core actor leaves submits
  /// refused until the process restarts.
  std::optional<core_options> rebuild;
  bool core_down = false;                  // a core actor died; not yet rebuilt
  bool rebuilding = false;                 // waiting for the old core to stop, or the scan
  bool scanning = false;                   // the rebuild's scan is running
  std::vector<caf::actor_addr> stopping;   // old core actors not yet down
  /// Told every core_event (watch_atom), in registration order.
  std::vector<messages::core_watcher_actor> watchers;
  std::string refusal_cause; // non-empty: submits refused (why)
  /// The supervisor's queue (core_options::sessions.backlog); while it is
  /// full, new keys are refused. Null without a rebuild's options: unbounded.
  std::shared_ptr<const messages::session_backlog> backlog;
  /// Submits waiting for route_registry's claim answer, by claim number. If
  /// a core actor dies they are answered 503 at once: CAF 0.17 tells no
  /// caller that a callee died holding its request, so they would otherwise
  /// wait for their timeout. A late answer finds its entry gone.
  std::uint64_t last_claim = 0;
  std::unordered_map<std::uint64_t, caf::typed_response_promise<messages::node_reply>> open_claims;
  static inline const char* name = "node";
};

/// The node's behaviour over already-spawned core actors. It monitors the
/// store, the registry and the supervisor. If any of them dies, submits are
/// refused (answers the HTTP layer already published keep being served) and,
/// with `rebuild`, the node stops the rest of the core, waits until every
/// old core actor is down (so the store's files and lock are released),
/// rebuilds the whole core from one scan on a detached worker, resumes the
/// jobs still SUBMITTED, and accepts submits again. Jobs that were SIGNING
/// come back FAILED "interrupted; may have been signed" (the load rule),
/// never signed again. A failed rebuild leaves submits refused and the node
/// not ready. A submit flagged
/// verify_signer_approval is checked against the chain (height, GetWallet,
/// covenant/signer_approval.hpp) before its route key is claimed, unless the
/// key is already live (dedupe hit). Readiness: the
/// store is loaded and accepts writes, submits are not refused, the Bridge
/// reader's breaker (and, when required, the Bitcoin reader's) is neither
/// open nor failed, and the chain head is fresh.
messages::node_actor::behavior_type node(messages::node_actor::stateful_pointer<node_state> self,
                                         messages::job_store_actor store,
                                         messages::route_registry_actor registry,
                                         messages::session_supervisor_actor supervisor,
                                         node_timeouts timeouts, node_chain_readers chain = {},
                                         std::optional<core_options> rebuild = std::nullopt);

/// `kcs_qc_` / `kcs_self_` + 16 lowercase hex from 8 CSPRNG bytes; empty for
/// an unknown route.
std::string new_request_id(std::string_view route);

} // namespace covsigner::actors
