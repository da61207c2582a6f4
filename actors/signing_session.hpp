// signing_session: runs one job to a settled state. The engine decides what
// "run" means:
//   * passive (the reference's default engine, §3.1): accept and hand back
//     PENDING "accepted for covenant signing";
//   * tbtc (§6.2-§6.7): check the job, read the active outpoint from the
//     bitcoin reader, build the spend, persist SIGNING durably, append the
//     audit line (fsync), ask the signer, verify what it produced, and
//     persist ARTIFACT_READY / HANDOFF_READY, or FAILED with the reference's
//     reason and detail (covenant/signing_engine.hpp).
//
// Sign exactly once: a session only starts from SUBMITTED, and reaches the
// signer only after job_store accepted the SIGNING transition at the
// revision the session started from; a job in SIGNING is never run again
// (the supervisor fails it as interrupted when its session ends early, and
// the store's load does the same after a crash).
//
// The tbtc engine writes the audit log with a blocking fsync, so its
// sessions are spawned detached (their own thread), never on CAF's shared
// scheduler threads.
#pragma once

#include "actors/local_key_signer.hpp"
#include "covenant/signing_engine.hpp"
#include "messages/chain_readers.hpp"
#include "messages/job_store.hpp"
#include "messages/signing.hpp"

#include <chrono>
#include <filesystem>
#include <optional>

namespace covsigner::actors {

/// Which engine sessions run.
enum class engine_kind {
  passive, // reference §3.1: OnSubmit -> PENDING "accepted for covenant signing"
  tbtc,    // reference §6: sign self_v1 / qc_v1 spends
};

/// What the tbtc engine needs besides the job.
struct tbtc_engine_wiring {
  covenant::engine_settings settings;
  /// The signer and its key; none = every job fails with PROVIDER_FAILED
  /// "cannot resolve signing executor: no signer is configured".
  std::optional<signer_handle> signer;
  /// Active-outpoint reads; null = every job fails closed.
  messages::bitcoin_reader_actor bitcoin_reader;
  /// GetWallet, for certificate issuance (reference §6.4).
  messages::bridge_reader_actor bridge_reader;
  /// The audit log (persistence/audit_log.hpp); empty = refuse to sign.
  std::filesystem::path audit_log;
  /// Bound on one bitcoin_reader request (the reader answers an outage
  /// itself well before this).
  std::chrono::milliseconds chain_timeout{15000};
  /// Bound on one signer request; keep it below the session timeout so the
  /// session records the failure itself. No answer within it (the signer was
  /// asked, so it may have signed) ends the job FAILED / PROVIDER_FAILED
  /// "interrupted; may have been signed".
  std::chrono::milliseconds signer_timeout{std::chrono::minutes(4)};
};

/// One session's configuration.
struct session_config {
  engine_kind engine = engine_kind::passive;
  std::chrono::milliseconds store_timeout{30000};
  tbtc_engine_wiring tbtc;
};

struct signing_session_state {
  // Not an aggregate: CAF would otherwise try to build the state from `self`.
  signing_session_state() = default;

  messages::job_store_actor store;
  messages::job_snapshot snapshot; // the latest durable snapshot this session knows
  static inline const char* name = "signing_session";
};

/// One session for `snapshot`'s job. Its single `run` request answers with
/// the job's durable snapshot once the session has settled it (or with an
/// error when it cannot tell, e.g. job_store did not answer). The session
/// monitors `owner` (its supervisor; may be null) and stops when it goes
/// down. (Not a link: CAF 0.17 propagates a `kill` through links
/// unconditionally, so a killed session would take its supervisor along.)
messages::signing_session_actor::behavior_type
signing_session(messages::signing_session_actor::stateful_pointer<signing_session_state> self,
                messages::job_store_actor store, messages::job_snapshot snapshot,
                session_config config, caf::actor owner);

} // namespace covsigner::actors
