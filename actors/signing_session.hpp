// signing_session: runs one job to a settled state. The engine decides what
// "run" means; today the node has the reference's passive engine (accept and
// hand back PENDING), and the tBTC engine replaces it behind the same
// interface.
#pragma once

#include "messages/job_store.hpp"
#include "messages/signing.hpp"

#include <chrono>

namespace covsigner::actors {

/// Which engine sessions run.
enum class engine_kind {
  passive, // reference §3.1: OnSubmit -> PENDING "accepted for covenant signing"
};

struct signing_session_state {
  // Not an aggregate: CAF would otherwise try to build the state from `self`.
  signing_session_state() = default;

  messages::job_store_actor store;
  messages::job_snapshot snapshot;
  static inline const char* name = "signing_session";
};

/// One session for `snapshot`'s job. Its single `run` request answers with
/// the job's durable snapshot once the session has settled it.
messages::signing_session_actor::behavior_type
signing_session(messages::signing_session_actor::stateful_pointer<signing_session_state> self,
                messages::job_store_actor store, messages::job_snapshot snapshot,
                engine_kind engine, std::chrono::milliseconds store_timeout);

} // namespace covsigner::actors
