// secp256k1 keys and ECDSA (Bitcoin and Ethereum) through libsecp256k1 0.2.0
// and its recovery module.
//
// All functions share one process-wide context, created on first use and
// randomized once (side-channel blinding for signing). After that it is only
// read, so every function here is safe to call from several threads at once.
//
// Signature policy, shared by every parser below: S must be "low"
// (S <= n/2, BIP62/BIP146). A high-S signature is reported as
// signature_parse_error::high_s and never silently normalized, because the
// reference node rejects it with its own error text (reference §5.3, §6.3).
#pragma once

#include "crypto/bytes.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>

namespace covsigner::crypto {

/// A point on secp256k1 that libsecp256k1 has validated. `internal` is
/// libsecp256k1's opaque secp256k1_pubkey; only the functions below read it.
/// Obtain one from parse_public_key, derive_public_key or recover.
struct public_key {
  std::array<std::uint8_t, 64> internal{};
};

/// True when both keys are the same curve point (compares the compressed
/// serializations, since `internal` is not a canonical form).
bool operator==(const public_key& a, const public_key& b);

/// Parses a SEC1 public key: 33 bytes (prefix 02/03) or 65 bytes (prefix 04).
/// nullopt for any other length, prefix, or a point not on the curve.
/// Hybrid keys (06/07) are rejected as well.
std::optional<public_key> parse_public_key(const bytes& sec1);
std::optional<public_key> parse_public_key(const std::uint8_t* data, std::size_t size);

/// Parses exactly 33 bytes with prefix 02/03: the only form the reference
/// accepts for depositor, custodian and signer keys (reference §5.3).
std::optional<public_key> parse_compressed_public_key(const bytes& sec1);

/// 33-byte SEC1 compressed form (02/03 || X).
bytes serialize_compressed(const public_key& key);

/// 65-byte SEC1 uncompressed form (04 || X || Y).
bytes serialize_uncompressed(const public_key& key);

/// Ethereum address of `key`: the last 20 bytes of
/// keccak256(X || Y), i.e. of serialize_uncompressed(key) without the 04.
hash20 eth_address(const public_key& key);

/// Why a signature could not be taken.
enum class signature_parse_error {
  /// Not one of the accepted encodings, or r / s outside [1, n-1].
  invalid_encoding,
  /// Well formed, but S > n/2.
  high_s,
};

/// A parsed ECDSA signature: compact r || s, 32 bytes each, big-endian.
/// Parsers only produce it with 1 <= r, s < n and S low; the struct itself
/// does not enforce that (verify() rejects anything else).
struct ecdsa_signature {
  std::array<std::uint8_t, 64> compact{};
  friend bool operator==(const ecdsa_signature&, const ecdsa_signature&) = default;
};

/// A 65-byte recoverable signature: r || s and its recovery id (0..3).
struct recoverable_signature {
  ecdsa_signature rs;
  int recovery_id = 0;
};

using signature_parse_result = std::variant<ecdsa_signature, signature_parse_error>;
using recoverable_parse_result = std::variant<recoverable_signature, signature_parse_error>;

/// Bitcoin's BIP66 strict-DER rules applied to a DER signature WITHOUT a
/// trailing sighash byte: 0x30 total-length 0x02 len(R) R 0x02 len(S) S,
/// lengths consistent, total 8..72 bytes, R and S non-empty, not negative,
/// no superfluous leading zero. Purely structural (no range check).
bool is_strict_der(const bytes& der);

/// Bitcoin Core's IsLowDERSignature (SCRIPT_VERIFY_LOW_S) on a DER signature
/// WITHOUT its sighash byte: is_strict_der(der) and S is not in (n/2, n).
/// Like Core (whose lax parser turns the whole signature into zero when r
/// or s is >= n), such signatures and a zero r/s pass this check and fail
/// at verification instead; parse_der_signature is the stricter parser for
/// everything outside script evaluation.
bool is_strict_der_low_s(const bytes& der);

/// Parses a strict-DER signature (no sighash byte).
/// Errors: invalid_encoding when is_strict_der fails or r/s is 0 or >= n;
/// high_s when S > n/2.
signature_parse_result parse_der_signature(const bytes& der);

/// The reference's accepted approval-signature formats (reference §5.3):
/// 64 bytes = r || s; 65 bytes = r || s || v with v in {0, 1, 27, 28} (v is
/// ignored here); any other length is parsed as strict DER.
/// Errors: invalid_encoding for a bad v, bad DER, or r/s out of range;
/// high_s when S > n/2 (checked after the encoding is accepted).
signature_parse_result parse_compact_or_der(const bytes& sig);

/// Parses an Ethereum-style 65-byte r || s || v signature, v in
/// {0, 1, 27, 28} (27/28 map to recovery id 0/1) (reference §5.3, ETH
/// identity). Errors: invalid_encoding for another length, another v, or
/// r/s out of range; high_s when S > n/2.
recoverable_parse_result parse_recoverable_signature(const bytes& sig);

/// Serializes a signature as DER (no sighash byte).
bytes serialize_der(const ecdsa_signature& sig);

/// True when S <= n/2.
bool is_low_s(const ecdsa_signature& sig);

/// ECDSA verification of `sig` over the 32-byte `digest` (the digest is used
/// as is, never hashed again). False for a high-S signature, r/s out of
/// range, or a wrong key/digest.
bool verify(const public_key& key, const hash32& digest, const ecdsa_signature& sig);

/// Ethereum ecrecover: the public key that produced `rs` over `digest` with
/// recovery id `recovery_id` (0..3). nullopt for a recovery id out of range,
/// r/s out of range, or no such key. Does NOT reject high S; callers that
/// must (reference §5.3) parse with parse_recoverable_signature first.
std::optional<public_key> recover(const hash32& digest, const std::array<std::uint8_t, 64>& rs,
                                  int recovery_id);

/// A secp256k1 secret scalar in [1, n-1]. The bytes are wiped when the
/// object is destroyed or assigned over. Obtain one from parse_private_key.
class private_key {
public:
  private_key(const private_key& other);
  private_key& operator=(const private_key& other);
  ~private_key();

  /// The 32-byte big-endian scalar. Do not copy it into long-lived memory.
  const std::array<std::uint8_t, 32>& secret() const { return secret_; }

private:
  explicit private_key(const std::uint8_t* scalar32);
  friend std::optional<private_key> parse_private_key(const std::uint8_t*, std::size_t);

  std::array<std::uint8_t, 32> secret_{};
};

/// A private key from a 32-byte big-endian scalar. nullopt when the length
/// is not 32 or the scalar is 0 or >= n (secp256k1_ec_seckey_verify).
std::optional<private_key> parse_private_key(const std::uint8_t* data, std::size_t size);
std::optional<private_key> parse_private_key(const bytes& scalar);
std::optional<private_key> parse_private_key(const std::array<std::uint8_t, 32>& scalar);

/// The public key k*G of `key`.
public_key derive_public_key(const private_key& key);

/// Deterministic (RFC 6979) ECDSA over `digest`; always low-S.
ecdsa_signature sign(const private_key& key, const hash32& digest);

/// sign() serialized as strict DER (no sighash byte).
bytes sign_der(const private_key& key, const hash32& digest);

/// Deterministic (RFC 6979) recoverable signature: r || s || recid with
/// recid in {0, 1} (add 27 for Ethereum's v). Always low-S. Produces the same
/// r, s as sign().
std::array<std::uint8_t, 65> sign_recoverable(const private_key& key, const hash32& digest);

} // namespace covsigner::crypto
