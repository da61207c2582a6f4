// Signing: one signing_session per job, bounded by session_supervisor, and a
// signer backend behind one typed interface.
#pragma once

#include "messages/atoms.hpp"
#include "messages/job_messages.hpp"

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <atomic>
#include <cstdint>
#include <string>

namespace covsigner::messages {

/// Ask the supervisor to run (or join) the session of a job; the answer comes
/// once the job settles (terminal, or handed back as PENDING). Callers bound
/// their wait with the request timeout; the session carries on regardless.
struct session_start {
  job_snapshot snapshot;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_start& x) {
  return f(caf::meta::type_name("session_start"), x.snapshot);
}

/// The session supervisor's queue length, shared with the node without a
/// message: the node refuses NEW jobs while the queue is full (a job it
/// acknowledged must get a session), dedupe hits are still answered.
/// Thread-safe; written by the supervisor only.
struct session_backlog {
  explicit session_backlog(std::uint64_t max) : max_queued(max) {}
  std::atomic<std::uint64_t> queued{0};
  const std::uint64_t max_queued; // jobs that may wait beyond max_in_flight
  bool full() const { return queued.load(std::memory_order_relaxed) >= max_queued; }
};

struct supervisor_status {
  std::uint64_t in_flight = 0;
  std::uint64_t queued = 0;
  std::uint64_t started = 0;
  std::uint64_t interrupted = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, supervisor_status& x) {
  return f(caf::meta::type_name("supervisor_status"), x.in_flight, x.queued, x.started,
           x.interrupted);
}

/// One signature over a sighash, for one job. Backends are idempotent per
/// (request_id, sighash).
struct signature_request {
  std::string request_id;
  std::string wallet_public_key_hash; // 0x + 40 hex
  std::string sighash;                // 0x + 64 hex
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, signature_request& x) {
  return f(caf::meta::type_name("signature_request"), x.request_id, x.wallet_public_key_hash,
           x.sighash);
}

struct signature_reply {
  bool ok = false;
  std::string der_signature; // 0x-hex, low-S DER without the sighash byte
  std::string cause;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, signature_reply& x) {
  return f(caf::meta::type_name("signature_reply"), x.ok, x.der_signature, x.cause);
}

/// A session runs one job to a settled state; it persists SIGNING before it
/// asks the signer, and never signs a job twice.
using signing_session_actor =
  caf::typed_actor<caf::replies_to<run_atom>::with<job_snapshot>>;

using session_supervisor_actor =
  caf::typed_actor<caf::replies_to<session_start>::with<job_snapshot>,
                   caf::replies_to<status_atom>::with<supervisor_status>>;

using signer_actor = caf::typed_actor<caf::replies_to<signature_request>::with<signature_reply>>;

/// Admin route (reference §6.4): a signer approval certificate over an
/// approval digest the caller (the node's admin handler) derived itself from
/// artifact approvals it authenticated against its own trust roots.
struct certificate_issue {
  std::string wallet_public_key_hash; // 0x + 40 hex
  std::string approval_digest;        // 0x + 64 hex (anything else: 400)
  std::uint64_t end_block = 0;        // inclusive expiry, host chain
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, certificate_issue& x) {
  return f(caf::meta::type_name("certificate_issue"), x.wallet_public_key_hash,
           x.approval_digest, x.end_block);
}

enum class issue_code : std::uint8_t {
  ok,          // certificate_json is the certificate (canonical JSON object)
  bad_request, // 400, message is the reference's text
  unavailable, // 503 (Bridge or Wallet Registry data missing; retry later)
  internal,    // 500 (message logged only)
};

struct certificate_issue_reply {
  issue_code code = issue_code::internal;
  std::string certificate_json;
  std::string message;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, certificate_issue_reply& x) {
  return f(caf::meta::type_name("certificate_issue_reply"), x.code, x.certificate_json,
           x.message);
}

using certificate_issuer_actor =
  caf::typed_actor<caf::replies_to<certificate_issue>::with<certificate_issue_reply>>;

} // namespace covsigner::messages
