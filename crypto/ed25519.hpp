// Ed25519 (RFC 8032) through libsodium, and reading an Ed25519 public key
// from a PEM SubjectPublicKeyInfo through OpenSSL. Used for migration plan
// quote signatures (reference §5.4, §5.7).
#pragma once

#include "crypto/bytes.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace covsigner::crypto {

using ed25519_public_key = std::array<std::uint8_t, 32>;
using ed25519_signature = std::array<std::uint8_t, 64>;
using ed25519_seed = std::array<std::uint8_t, 32>;

/// Verifies the RFC 8032 (pure Ed25519) signature `sig` of the message
/// `msg[0..n)` under `pub`. libsodium's checks apply: non-canonical S,
/// small-order or non-canonical public keys and R are rejected (false).
/// Thread-safe.
bool ed25519_verify(const ed25519_public_key& pub, const std::uint8_t* msg, std::size_t n,
                    const ed25519_signature& sig);
bool ed25519_verify(const ed25519_public_key& pub, const bytes& msg, const ed25519_signature& sig);

/// The raw 32-byte key from PEM text whose first block is
/// "-----BEGIN PUBLIC KEY-----" holding a DER SubjectPublicKeyInfo for an
/// Ed25519 key (OID 1.3.101.112), as Go's pem.Decode +
/// x509.ParsePKIXPublicKey read it. Text before the BEGIN line is skipped.
/// nullopt when there is no PEM block, the first block has another type
/// (e.g. PRIVATE KEY), the DER is malformed or has trailing bytes, or the
/// key is of another algorithm (RSA, P-256, X25519, ...). The caller does
/// any unescaping of literal "\n" sequences first (reference §5.4).
std::optional<ed25519_public_key> parse_ed25519_spki_pem(std::string_view pem);

/// The public key of the RFC 8032 secret key `seed`.
ed25519_public_key ed25519_public_key_from_seed(const ed25519_seed& seed);

/// RFC 8032 signature of `msg[0..n)` with the secret key `seed`. For tests
/// and development tools; the node itself only verifies.
ed25519_signature ed25519_sign(const ed25519_seed& seed, const std::uint8_t* msg, std::size_t n);
ed25519_signature ed25519_sign(const ed25519_seed& seed, const bytes& msg);

} // namespace covsigner::crypto
