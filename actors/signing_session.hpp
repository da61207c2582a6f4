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
#include <functional>
#include <optional>
#include <string_view>

namespace covsigner::actors {

/// Which engine sessions run.
enum class engine_kind {
  passive, // reference §3.1: OnSubmit -> PENDING "accepted for covenant signing"
  tbtc,    // reference §6: sign self_v1 / qc_v1 spends
};

/// The CovenantSpendAuthorization gate (tbtc-v2 PR #1003, audit TOB-1):
/// after the spend is built and before SIGNING is persisted, the session
/// asks the registry whether it authorized (utxoKey, walletPKH, value,
/// outputsHash) deeply enough. "No" or no answer is never a signature: the
/// job stays SUBMITTED (PENDING on the wire, resumed after a restart) and
/// is asked again with doubling waits from first_retry to max_retry, until
/// three quarters of the session timeout have passed (the last quarter is
/// left for SIGNING, the signer and the result); then FAILED /
/// POLICY_REJECTED with a detail naming the tuple. The fraud-defense
/// boolean stays an extra AND (prepare_spend checks it first).
struct spend_authorization_gate {
  /// false: the gate is skipped (covsignerd says so in one WARNING line).
  bool required = true;
  /// Null: the registry is unset; every job fails POLICY_REJECTED naming
  /// `unset_cause`.
  messages::spend_authorization_reader_actor reader;
  std::string unset_cause = "no CovenantSpendAuthorization registry is configured";
  std::chrono::milliseconds first_retry{200};
  std::chrono::milliseconds max_retry{2000};
};

/// FAILED detail prefixes of the gate (followed by the tuple and the cause).
inline constexpr std::string_view spend_not_authorized_detail =
  "covenant spend is not authorized by the CovenantSpendAuthorization registry";
inline constexpr std::string_view spend_authorization_unset_detail =
  "covenant spend authorization is required but ";

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
  /// The CovenantSpendAuthorization gate.
  spend_authorization_gate spend_authorization;
  /// Bound on one bitcoin_reader or spend_authorization reader request (the
  /// readers answer an outage themselves well before this).
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
  /// The supervisor's bound on the whole session; the gate's wait ends at
  /// three quarters of it.
  std::chrono::milliseconds session_timeout{std::chrono::minutes(5)};
};

/// The session's own interface: the public one plus the gate's re-check.
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using signing_session_impl =
  messages::signing_session_actor::extend<caf::reacts_to<retry_atom>>;

struct signing_session_state {
  // Not an aggregate: CAF would otherwise try to build the state from `self`.
  signing_session_state() = default;

  messages::job_store_actor store;
  messages::job_snapshot snapshot; // the latest durable snapshot this session knows
  std::function<void()> on_retry;   // the gate's next check, while it waits
  static inline const char* name = "signing_session";
};

/// One session for `snapshot`'s job. Its single `run` request answers with
/// the job's durable snapshot once the session has settled it (or with an
/// error when it cannot tell, e.g. job_store did not answer). The session
/// monitors `owner` (its supervisor; may be null) and stops when it goes
/// down. (Not a link: CAF 0.17 propagates a `kill` through links
/// unconditionally, so a killed session would take its supervisor along.)
signing_session_impl::behavior_type
signing_session(signing_session_impl::stateful_pointer<signing_session_state> self,
                messages::job_store_actor store, messages::job_snapshot snapshot,
                session_config config, caf::actor owner);

} // namespace covsigner::actors
