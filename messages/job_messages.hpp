// Messages about jobs: what job_store, route_registry, the sessions and the
// node exchange. Every type here is inspectable so it can cross caf::io.
#pragma once

#include "covenant/job.hpp"

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>

// inspect() overloads must live in the namespace of the type (ADL).
namespace covsigner::covenant {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job& x) {
  return f(caf::meta::type_name("job"), x.request_id, x.route_request_id, x.route,
           x.idempotency_key, x.facade_request_id, x.request_digest, x.depositor_eth_address,
           x.state, x.detail, x.reason, x.created_at, x.updated_at, x.completed_at, x.failed_at,
           x.request_json, x.psbt_hash, x.transaction_hex, x.handoff_json);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_transition& x) {
  return f(caf::meta::type_name("job_transition"), x.state, x.detail, x.reason, x.psbt_hash,
           x.transaction_hex, x.handoff_json);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, step_result& x) {
  return f(caf::meta::type_name("step_result"), x.status, x.request_id, x.detail, x.reason,
           x.psbt_hash, x.transaction_hex, x.handoff_json, x.state);
}

} // namespace covsigner::covenant

namespace covsigner::messages {

/// A job as job_store last made it durable. `revision` increases by one with
/// every applied write; a transition names the revision it was computed from
/// and is refused if the job moved on since (reference §2.3 "same revision").
struct job_snapshot {
  covenant::job job;
  std::uint64_t revision = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_snapshot& x) {
  return f(caf::meta::type_name("job_snapshot"), x.job, x.revision);
}

/// job_store's answer to every request.
enum class store_code : std::uint8_t {
  ok,        // snapshot is the durable state after the operation
  not_found, // no job with that request id
  stale,     // transition refused: the job moved on; snapshot is the current state
  terminal,  // transition refused: the job is terminal; snapshot is its state
  rejected,  // the write failed definitely (exists, unsafe id): nothing on disk changed
  refused,   // the store refuses writes (failed fsync earlier): nothing was written
  unknown,   // the write failed after it may have reached the disk (a failed fsync
             // latched the store): the job's file may hold the old state, the new
             // one, or neither; detail names the cause. Never acknowledged.
  forbidden, // transition refused: the state machine does not allow it (detail
             // says which); snapshot is the current state, nothing was written
};

struct store_result {
  store_code code = store_code::ok;
  job_snapshot snapshot;
  std::string detail; // human-readable cause for rejected/refused
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, store_result& x) {
  return f(caf::meta::type_name("store_result"), x.code, x.snapshot, x.detail);
}

/// Ask job_store to apply `transition` to `request_id` if its revision is
/// still `from_revision`.
struct transition_request {
  std::string request_id;
  std::uint64_t from_revision = 0;
  covenant::job_transition transition;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transition_request& x) {
  return f(caf::meta::type_name("transition_request"), x.request_id, x.from_revision,
           x.transition);
}

/// job_store's health, for /readyz and /metrics.
struct store_status {
  std::uint64_t jobs = 0;
  bool writes_refused = false;
  std::string refusal_cause;
  std::uint64_t writes = 0;       // writes acknowledged durable
  // The writer's group-commit rounds (persistence::writer_stats).
  std::uint64_t fsync_rounds = 0;
  std::uint64_t round_ops = 0;
  double round_seconds = 0;
  double longest_round_seconds = 0;
  std::uint64_t largest_round_ops = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, store_status& x) {
  return f(caf::meta::type_name("store_status"), x.jobs, x.writes_refused, x.refusal_cause,
           x.writes, x.fsync_rounds, x.round_ops, x.round_seconds, x.longest_round_seconds,
           x.largest_round_ops);
}

/// route_registry create-or-dedupe: one message per submit. `draft` is the
/// job to create if the route key is new (request id, timestamps and state
/// already filled in by the caller).
struct route_claim {
  covenant::job draft;
  /// false: a new key is refused with `refusal` (the signing queue is
  /// full); an existing key is still answered.
  bool may_create = true;
  std::string refusal;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, route_claim& x) {
  return f(caf::meta::type_name("route_claim"), x.draft, x.may_create, x.refusal);
}

enum class claim_code : std::uint8_t {
  created,  // the draft is now durable; snapshot is it
  existing, // same route key and digest: snapshot is the stored job
  conflict, // same route key, different digest
  poisoned, // the route key may belong to a lost or corrupt job: refused
  refused,  // the node refuses all new submits (detail says why)
  declined, // a new key, but the claim said may_create = false: detail is its refusal
  failed,   // the durable create failed before anything was written; the claim was rolled back
  pruned,   // same route key and digest, but its job was pruned (detail says so)
  unsettled, // the store did not answer the create in time: its outcome is not known
             // yet; the registry reconciles it with the store (detail says so)
};

struct claim_result {
  claim_code code = claim_code::failed;
  job_snapshot snapshot;
  std::string detail;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, claim_result& x) {
  return f(caf::meta::type_name("claim_result"), x.code, x.snapshot, x.detail);
}

/// Which request id currently owns a route key (for poll's ownership check).
struct route_owner {
  bool found = false;
  std::string request_id;
  std::string request_digest;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, route_owner& x) {
  return f(caf::meta::type_name("route_owner"), x.found, x.request_id, x.request_digest);
}

/// route_registry's health.
struct registry_status {
  std::uint64_t live_keys = 0;
  std::uint64_t creating_keys = 0;
  std::uint64_t poisoned_keys = 0;
  bool submits_refused = false;
  std::string refusal_cause;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, registry_status& x) {
  return f(caf::meta::type_name("registry_status"), x.live_keys, x.creating_keys,
           x.poisoned_keys, x.submits_refused, x.refusal_cause);
}

} // namespace covsigner::messages
