// The `remote` signer backend: a local actor with the messages::signer_actor
// interface that forwards every signature_request to a signer actor in
// another process (an external threshold-signing system), reached over
// caf::io. The rest of the node (sessions, the certificate issuer) talks to
// it exactly as to the local_key signer.
//
// Protocol, for whoever implements the remote end: publish an actor with the
// interface messages::signer_actor (caf::io, CAF 0.17.6, the type-ID block
// caf::id_block::covsigner registered) and answer each signature_request
// with a signature_reply: ok + strict low-S DER (0x-hex, no sighash byte)
// over `sighash` with the key of `wallet_public_key_hash`, or !ok + a cause.
// The remote MUST be idempotent per (request_id, sighash): the same pair
// always gets the same signature (RFC 6979 gives that for one key; a
// threshold system must remember what it signed), and a request id it
// already signed over one sighash is refused for any other sighash.
// tests/unit/signing/test_remote_signer.hpp is a reference remote (a local_key
// signer published over caf::io from a second actor system).
//
// Client behaviour:
//   * connecting blocks (caf::io), so it never runs on CAF's scheduler
//     threads: a detached helper actor dials and its answer comes back as a
//     message, bounded by `connect_timeout` (the first connection, made by
//     connect_remote_signer from main or a test, waits for it; reconnects
//     do not block the client). A dial that hangs past the bound keeps its
//     helper thread until the kernel gives up on the socket;
//   * the remote proxy is monitored: when it goes away, the next request
//     reconnects; requests in flight on the lost connection are sent again
//     once on the new connection (same request_id and sighash, so an
//     idempotent remote signs nothing new); a reconnect that fails answers
//     every waiting request with !ok and a cause naming the remote;
//   * each forwarded request carries `request_timeout`; past it the remote
//     was asked and may have signed, so waiting requests get an error
//     (caf::sec::request_timeout, naming the remote), never a !ok refusal:
//     a session records the job "interrupted; may have been signed";
//   * a small cache (request_id -> sighash, signature) answers a repeated
//     (request_id, sighash) without asking the remote again, joins an
//     identical request already in flight, and refuses a different sighash
//     for a request id it saw signed (as the local_key signer does).
#pragma once

#include "actors/local_key_signer.hpp"
#include "messages/signing.hpp"

#include <caf/fwd.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <variant>

namespace covsigner::actors {

/// covsignerd --signer.remote-*.
struct remote_signer_settings {
  std::string host = "127.0.0.1";
  int port = 0; // 1..65535
  /// The compressed secp256k1 key the remote signs with (0x + 66 hex). The
  /// engine checks a covenant's signer key against it before asking, and
  /// every signature the remote returns is verified under the covenant key.
  std::string public_key;
  /// Mutual TLS through CAF's OpenSSL module: needs the actor system to load
  /// caf::openssl::manager with openssl.certificate, openssl.key and
  /// openssl.cafile (or openssl.capath) set. Without TLS only a loopback
  /// host is accepted.
  bool tls = false;
  std::chrono::milliseconds connect_timeout{5000};
  /// Bound on one forwarded request (then: an error, see above); keep it
  /// below the session's signer_timeout.
  std::chrono::milliseconds request_timeout{60000};
  /// Answered (request_id, sighash) pairs remembered; the oldest goes first.
  std::size_t cache_capacity = 4096;
};

/// True for "localhost" and for IP literals in 127.0.0.0/8 or ::1.
bool is_loopback_host(const std::string& host);

/// Checks `settings` without touching the network. Errors (exact text):
///   "invalid remote signer port [P]: expected 1..65535"
///   "remote signer host [H] is not a loopback address; a non-loopback remote
///    signer needs TLS (--signer.remote-tls with --openssl.certificate,
///    --openssl.key and --openssl.cafile)"
///   "invalid remote signer public key [K]: expected 0x + 66 hex (a
///    compressed secp256k1 key)"
std::optional<std::string> check_remote_signer_settings(const remote_signer_settings& settings);

/// Checks `settings` and connects to the remote (blocking: call it from a
/// non-actor thread). Errors: the texts above, "the remote signer needs the
/// actor system to load caf::io::middleman", the TLS ones, or
/// "cannot reach the remote signer at H:P: <CAF's error>".
std::variant<messages::signer_actor, std::string>
connect_remote_signer(caf::actor_system& system, const remote_signer_settings& settings);

/// Spawns the client over a connected remote (from connect_remote_signer).
/// Precondition: check_remote_signer_settings(settings) returned nothing.
signer_handle spawn_remote_signer(caf::actor_system& system, remote_signer_settings settings,
                                  messages::signer_actor remote);

} // namespace covsigner::actors
