// The node's typed API: what the HTTP transport calls and what an embedder
// (in-process or over caf::io) uses. Requests arrive already parsed,
// normalised and validated by the caller (pure work on the caller's thread).
#pragma once

#include "messages/atoms.hpp"
#include "messages/chain_messages.hpp"
#include "messages/job_messages.hpp"
#include "messages/job_store.hpp"
#include "messages/route_registry.hpp"
#include "messages/signing.hpp"

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace covsigner::messages {

/// submit_command::wait_ms: wait as long as the node's own bound allows.
inline constexpr std::uint32_t node_wait_bound = std::numeric_limits<std::uint32_t>::max();

/// A validated submit. `draft` carries route, routeRequestId, idempotency
/// key, facade id, digest, depositor ETH address and the normalised request;
/// the node assigns the request id, state and timestamps.
struct submit_command {
  covenant::job draft;
  /// How long the reply may wait for a settled state before answering
  /// PENDING (the session carries on, detached): 0 = answer as soon as the
  /// job is durable; node_wait_bound (the default) = the node's own bound,
  /// which also caps every other value.
  std::uint32_t wait_ms = node_wait_bound;
  /// Validation found a signer approval certificate that the engine must
  /// still verify against the chain (reference §6.3): unless the route key
  /// is already live (a dedupe hit, answered without any chain call), the
  /// node reads the host chain height and GetWallet and verifies before it
  /// claims the key; a chain outage answers 503 and creates nothing.
  bool verify_signer_approval = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, submit_command& x) {
  return f(caf::meta::type_name("submit_command"), x.draft, x.wait_ms, x.verify_signer_approval);
}

/// A validated poll (reference §3.4).
struct poll_command {
  std::string route;
  std::string request_id;
  std::string route_request_id;
  std::string request_digest; // digest of the resent request
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, poll_command& x) {
  return f(caf::meta::type_name("poll_command"), x.route, x.request_id, x.route_request_id,
           x.request_digest);
}

/// How the transport should answer; the codes map one-to-one to HTTP.
enum class reply_code : std::uint8_t {
  ok,          // 200, `result`
  bad_request, // 400, `message`
  not_found,   // 404, `message`
  unavailable, // 503, `message` (refused submits, poisoned key, outage)
  internal,    // 500, `internal server error`; `message` is logged only
};

/// Why a reply is not `ok`, for callers that branch on it (embedders,
/// metrics) instead of parsing `message`, which keeps the reference's text.
/// Each cause belongs to one reply_code (noted per value).
enum class reply_cause : std::uint8_t {
  none,                 // ok
  invalid_request,      // bad_request: the request itself (validation, poll checks)
  conflict,             // bad_request: the route key holds another request payload
  pruned,               // bad_request: the route key's job was pruned (a tombstone)
  not_found,            // not_found: no such job on this route
  poisoned_key,         // unavailable: the route key may belong to a lost or corrupt job
  queue_full,           // unavailable: the signing queue is full; retry later
  registry_unavailable, // unavailable: Wallet Registry data needed for this submit is unavailable
  bridge_unavailable,   // unavailable: the Bridge (required source) is unavailable
  chain_head_stale,     // unavailable: the host chain height is stale or unknown
  submits_refused,      // unavailable: the node refuses every new submit (message says why)
  store_unavailable,    // unavailable: the job store failed or does not answer
  outcome_unknown,      // unavailable: a create's outcome is not known yet; resubmit later
  internal,             // internal
};

struct node_reply {
  reply_code code = reply_code::internal;
  covenant::step_result result;
  std::string message;
  reply_cause cause = reply_cause::internal;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_reply& x) {
  return f(caf::meta::type_name("node_reply"), x.code, x.result, x.message, x.cause);
}

/// /readyz: ready only when every check passes; `failing` names the others.
struct readiness {
  bool ready = false;
  std::vector<std::string> failing;
  std::uint64_t jobs = 0;
  std::uint64_t poisoned_keys = 0;
  /// The chain readers' circuit breakers (empty without a chain), for
  /// /metrics; an open Bridge breaker also fails readiness.
  std::vector<breaker_status> breakers;
  /// The store's write counters and the signing sessions, for /metrics.
  store_status store;
  supervisor_status sessions;
  /// The spend authorization gate's answers, for /metrics (only when the
  /// node has the gate's reader: has_spend_authorization).
  bool has_spend_authorization = false;
  authorization_answers spend_authorization;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, readiness& x) {
  return f(caf::meta::type_name("readiness"), x.ready, x.failing, x.jobs, x.poisoned_keys,
           x.breakers, x.store, x.sessions, x.has_spend_authorization, x.spend_authorization);
}

/// The node's core: job_store, route_registry and session_supervisor, built
/// from one scan of the data dir. They change when the node rebuilds its
/// core after one of them died, so embedders ask the node (core_atom) for
/// the current ones instead of keeping the handles start_node returned.
struct node_core {
  job_store_actor store;
  route_registry_actor registry;
  session_supervisor_actor supervisor;
  std::uint64_t generation = 0; // 0 from startup, +1 per rebuild
  /// Only in a fresh build: jobs still SUBMITTED on disk, to resume, and the
  /// scan's summary line; `error` says why a rebuild failed (handles null).
  std::vector<covenant::job> resumable;
  std::string load_summary;
  std::string error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_core& x) {
  return f(caf::meta::type_name("node_core"), x.store, x.registry, x.supervisor, x.generation,
           x.resumable, x.load_summary, x.error);
}

/// What happened to the node's core (job_store, route_registry,
/// session_supervisor), as told to the actors that watch the node.
enum class core_event_kind : std::uint8_t {
  down,           // a core actor died: submits are refused from now on
  rebuilt,        // a new core from one scan of the data dir serves again
  rebuild_failed, // the scan failed: submits stay refused until a restart
};

struct core_event {
  core_event_kind kind = core_event_kind::down;
  /// down: the actor that died ("job_store", "route_registry",
  /// "session_supervisor"); empty otherwise.
  std::string actor;
  /// The core generation now serving (down, rebuild_failed: the dead one).
  std::uint64_t generation = 0;
  /// down: whether a rebuild follows (false: the node runs without one and
  /// refuses submits until it restarts). rebuilt: unused.
  bool rebuilding = false;
  /// down, rebuild_failed: why, as readiness reports it; rebuilt: the
  /// scan's load summary.
  std::string cause;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, core_event& x) {
  return f(caf::meta::type_name("core_event"), x.kind, x.actor, x.generation, x.rebuilding,
           x.cause);
}

/// An actor that wants to hear about the node's core (a host's monitor).
using core_watcher_actor = caf::typed_actor<caf::reacts_to<core_event>>;

/// watch_atom + watcher: from now on the node sends `watcher` a core_event
/// for every core death, rebuild and failed rebuild, in order (a watcher
/// registered twice hears each event once).
using node_actor = caf::typed_actor<caf::replies_to<submit_command>::with<node_reply>,
                                    caf::replies_to<poll_command>::with<node_reply>,
                                    caf::replies_to<ready_atom>::with<readiness>,
                                    caf::replies_to<core_atom>::with<node_core>,
                                    caf::reacts_to<watch_atom, core_watcher_actor>>;

} // namespace covsigner::messages
