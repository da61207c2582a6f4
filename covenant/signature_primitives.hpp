// The signature operations the covenant rules need, in the covenant's own
// terms (byte strings in, verdicts out), over crypto/ed25519 and
// crypto/secp256k1: Ed25519 for plan quotes,
// secp256k1 ECDSA (verify, low-S, DER/compact forms, public key recovery)
// for artifact approvals. Adapters over the well-kept libraries; no curve
// arithmetic here.
#pragma once

#include "crypto/bytes.hpp"

#include <array>
#include <optional>
#include <string_view>
#include <variant>

namespace covsigner::covenant {

enum class pem_key_error { not_pem, not_ed25519 };

/// The raw 32-byte key of an SPKI `PUBLIC KEY` PEM holding an Ed25519 key.
/// not_pem: no PEM block at all; not_ed25519: a PEM block that is not an
/// Ed25519 SubjectPublicKeyInfo (other key types, garbage DER).
std::variant<std::array<std::uint8_t, 32>, pem_key_error> ed25519_public_key_from_pem(
    std::string_view pem);

/// Ed25519 verification; a signature that is not 64 bytes fails.
bool ed25519_verify_signature(const std::array<std::uint8_t, 32>& public_key,
                              const std::uint8_t* message, std::size_t size,
                              const crypto::bytes& signature);

/// True when `key` is a 33-byte compressed (02/03) secp256k1 point on the curve.
bool is_compressed_secp256k1_key(const crypto::bytes& key);

enum class ecdsa_check { valid, unparseable, high_s, mismatch };

/// The reference's artifact-approval signature rule: 64 bytes r||s, or 65
/// bytes r||s||v with v in {0,1,27,28} (v ignored), otherwise strict DER
/// where, as in btcec v1, bytes after the DER's declared length are
/// ignored. S above n/2 -> high_s (compact forms: checked on the raw S
/// before any range check, so S >= n is high_s too). Precondition: `compressed_key` passes
/// is_compressed_secp256k1_key.
ecdsa_check verify_ecdsa_any_form(const crypto::bytes& compressed_key,
                                  const crypto::hash32& digest, const crypto::bytes& signature);

/// True when the 32-byte big-endian S is at most n/2.
bool is_low_s(const std::uint8_t* s32);

/// Recovers the signer's Ethereum address from a 64-byte r||s and recovery
/// id 0/1 over `digest`; nullopt when no key recovers.
std::optional<crypto::hash20> recover_eth_address(const crypto::hash32& digest,
                                                  const std::uint8_t* rs64, int recovery_id);

} // namespace covsigner::covenant
