// The covenant signer job: the record the node persists for every accepted
// request, its state machine, and how a job maps to the reply a client sees
// (reference §2.2, §2.3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace covsigner::covenant {

/// Job states, wire strings as in the reference (§2.1).
enum class job_state : std::uint8_t {
  submitted,      // SUBMITTED
  validating,     // VALIDATING
  signing,        // SIGNING: a signature may exist; never signed again
  pending,        // PENDING
  artifact_ready, // ARTIFACT_READY (self_v1, terminal)
  handoff_ready,  // HANDOFF_READY (qc_v1, terminal)
  failed,         // FAILED (terminal)
};

std::string_view to_string(job_state s);
std::optional<job_state> parse_job_state(std::string_view s);

/// ARTIFACT_READY, HANDOFF_READY and FAILED never change again.
bool is_terminal(job_state s);

/// Failure reasons, wire strings as in the reference (§2.1).
namespace failure_reason {
inline constexpr std::string_view auth_failed = "AUTH_FAILED";
inline constexpr std::string_view policy_rejected = "POLICY_REJECTED";
inline constexpr std::string_view invalid_input = "INVALID_INPUT";
inline constexpr std::string_view provider_unavailable = "PROVIDER_UNAVAILABLE";
inline constexpr std::string_view job_not_found = "JOB_NOT_FOUND";
inline constexpr std::string_view job_pending = "JOB_PENDING";
inline constexpr std::string_view provider_failed = "PROVIDER_FAILED";
inline constexpr std::string_view malformed_artifact = "MALFORMED_ARTIFACT";
} // namespace failure_reason

inline constexpr std::string_view accepted_detail = "accepted for covenant signing";
inline constexpr std::string_view interrupted_detail = "interrupted; may have been signed";

/// One persisted job. Field order is the Go node's JSON order (§2.2), which is
/// also the on-disk order. JSON-valued fields are kept as canonical JSON text
/// (Go encoding without HTML escaping, see covenant/canonical_json.hpp) so the
/// record is a plain, serialisable value.
struct job {
  std::string request_id;       // kcs_qc_<16 hex> | kcs_self_<16 hex>
  std::string route_request_id; // the client's dedupe id
  std::string route;            // qc_v1 | self_v1
  std::string idempotency_key;
  std::string facade_request_id;
  std::string request_digest;        // 0x + 64 hex
  std::string depositor_eth_address; // omitempty
  job_state state = job_state::submitted;
  std::string detail;       // omitempty
  std::string reason;       // omitempty
  std::string created_at;   // RFC3339Nano UTC, kept verbatim
  std::string updated_at;   // kept verbatim: may be invalid in files on disk
  std::string completed_at; // omitempty
  std::string failed_at;    // omitempty
  std::string request_json; // the normalised request, canonical JSON text
  std::string psbt_hash;        // omitempty
  std::string transaction_hex;  // omitempty
  std::string handoff_json;     // omitempty; canonical JSON object text

  /// "<route>:<routeRequestId>", the dedupe key.
  std::string route_key() const;

  friend bool operator==(const job&, const job&) = default;
};

std::string make_route_key(std::string_view route, std::string_view route_request_id);

/// A change an engine or session asks for (§2.3: every field overwrites the
/// job's value; an empty value clears it).
struct job_transition {
  job_state state = job_state::pending;
  std::string detail;
  std::string reason;
  std::string psbt_hash;
  std::string transaction_hex;
  std::string handoff_json;

  friend bool operator==(const job_transition&, const job_transition&) = default;
};

/// What the job state machine says about moving a job from one state to
/// another (job_store enforces it on every transition, whoever asks).
enum class transition_check : std::uint8_t {
  allowed,
  from_terminal,     // ARTIFACT_READY, HANDOFF_READY, FAILED never change again
  skips_signing,     // a signed state (ARTIFACT_READY, HANDOFF_READY) only from SIGNING
  reopens_signing,   // SIGNING may have been signed: it only ends (READY or FAILED)
  to_submitted,      // SUBMITTED is only the state a job is created in
};

/// The rule for `from` -> `to`, checked in the order of the enum above.
/// Everything else is allowed (SUBMITTED, VALIDATING and PENDING move
/// freely among VALIDATING, SIGNING, PENDING and FAILED).
transition_check check_transition(job_state from, job_state to);

/// Why a check other than `allowed` refuses, e.g. "a signed state is
/// reached only from SIGNING"; empty for `allowed`.
std::string_view transition_rule(transition_check check);

/// Applies `t` to `j` at time `now` (RFC3339Nano): sets updatedAt; entering a
/// READY state sets completedAt and clears failedAt; entering FAILED sets
/// failedAt. Precondition: `j` is not terminal (callers check first).
void apply_transition(job& j, const job_transition& t, std::string_view now);

/// The client-visible reply (StepResult, §1.7/§2.3).
struct step_result {
  std::string status; // PENDING | READY | FAILED
  std::string request_id;
  std::string detail;
  std::string reason;
  std::string psbt_hash;
  std::string transaction_hex;
  std::string handoff_json; // canonical JSON object text, or empty
  /// The job state the result was made from (not on the wire): whether the
  /// job settled is is_terminal(state), never a test of `status`.
  job_state state = job_state::submitted;

  friend bool operator==(const step_result&, const step_result&) = default;
};

/// Maps a job to its StepResult exactly as the reference table in §2.3.
step_result to_step_result(const job& j);

/// StepResult as JSON the way Go's json.Encoder writes it: omitempty fields
/// dropped, HTML-sensitive characters escaped, trailing newline.
std::string to_response_json(const step_result& r);

} // namespace covsigner::covenant
