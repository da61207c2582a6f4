// session_supervisor: starts at most one signing_session per job, bounds the
// sessions in flight (the queue beyond is bounded by nothing but memory and
// visible in supervisor_status), monitors them, and answers each start
// request with the session's settled snapshot.
//
// A session that dies, or does not settle within session_timeout, is
// killed; if its job is then in SIGNING (a signature may exist), the
// supervisor fails it: FAILED / PROVIDER_FAILED "interrupted; may have been
// signed". Such a job is terminal and never signed again.
#pragma once

#include "actors/signing_session.hpp"

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace covsigner::actors {

struct session_settings {
  engine_kind engine = engine_kind::passive;
  std::size_t max_in_flight = 64;
  /// start_node makes `backlog` with this bound when none is given.
  std::size_t max_queued = 16384;
  /// Jobs waiting for a session beyond max_in_flight; shared with the node,
  /// which refuses new jobs while it is full. Null: unbounded (embedders
  /// that bound their own submits).
  std::shared_ptr<messages::session_backlog> backlog;
  std::chrono::milliseconds store_timeout{30000};
  std::chrono::milliseconds session_timeout{std::chrono::minutes(5)};
  /// The tbtc engine's wiring (ignored by the passive engine).
  tbtc_engine_wiring tbtc;
};

struct session_supervisor_state {
  // Not an aggregate: CAF would otherwise try to build the state from `self`.
  session_supervisor_state() = default;

  struct running {
    messages::signing_session_actor session;
    std::vector<caf::typed_response_promise<messages::job_snapshot>> waiters;
    bool settling = false; // the end of this session is being handled
  };
  messages::job_store_actor store;
  session_settings settings;
  std::unordered_map<std::string, running> sessions; // request id -> session
  std::deque<messages::job_snapshot> queue;          // beyond max_in_flight
  std::unordered_map<std::string, std::vector<caf::typed_response_promise<messages::job_snapshot>>>
    queued_waiters;
  messages::supervisor_status counters;
  static inline const char* name = "session_supervisor";
};

/// Sessions monitor the supervisor: stopping it stops them (a job left in
/// SIGNING is failed as interrupted by the next load).
messages::session_supervisor_actor::behavior_type session_supervisor(
  messages::session_supervisor_actor::stateful_pointer<session_supervisor_state> self,
  messages::job_store_actor store, session_settings settings);

} // namespace covsigner::actors
