// The `local_key` signer backend: one secp256k1 key held in this process,
// read from a file of mode 0600 (persistence/key_file.hpp). It implements
// messages::signer_actor:
//   * idempotent per (request_id, sighash): the same request and sighash
//     always get the same signature (RFC 6979); a different sighash for a
//     request it already signed is refused, so a job can never be signed
//     over two different transactions;
//   * it signs only for its own wallet (HASH160 of its compressed public
//     key must equal the request's wallet_public_key_hash);
//   * signatures are strict DER with low S, without the sighash byte;
//   * the key is never logged, and never part of a reply or an error.
#pragma once

#include "crypto/secp256k1.hpp"
#include "messages/signing.hpp"

#include <caf/fwd.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>

namespace covsigner::actors {

/// A signer and the public key it signs with (compressed, 33 bytes): the
/// engine checks the covenant's signer key against it ("wallet is not
/// controlled by this node") before it asks for a signature.
struct signer_handle {
  messages::signer_actor actor;
  crypto::bytes public_key;
};

struct local_key_signer_state {
  // Not an aggregate: CAF would otherwise try to build the state from `self`.
  local_key_signer_state() = default;

  std::optional<crypto::private_key> key;
  crypto::hash20 wallet_public_key_hash{};
  struct signed_request {
    std::string sighash;
    std::string der_signature;
  };
  /// Every request this signer answered, for idempotency. Grows with the
  /// number of jobs signed in this process's lifetime (one small entry each).
  std::unordered_map<std::string, signed_request> signed_requests;
  static inline const char* name = "local_key_signer";
};

messages::signer_actor::behavior_type
local_key_signer(messages::signer_actor::stateful_pointer<local_key_signer_state> self,
                 crypto::private_key key);

/// Spawns a local_key signer over `key` (embedders and tests).
signer_handle spawn_local_key_signer(caf::actor_system& system, const crypto::private_key& key);

/// Reads `key_file` (persistence::read_key_file: regular file, owned by
/// this user, mode 0600) for spawn_local_key_signer. With `make_undumpable`,
/// the process is first marked not dumpable (prctl PR_SET_DUMPABLE 0: no
/// core dumps, no ptrace attach by other processes of the same user), so the
/// key does not end up in a core file. Blocking file I/O: call it from a
/// non-actor thread. The error names the path and the cause, never the key.
std::variant<crypto::private_key, std::string> load_local_key(const std::filesystem::path& key_file,
                                                              bool make_undumpable = true);

} // namespace covsigner::actors
