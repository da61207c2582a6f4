// The reference's fixed test keys (reference §8: depositor 0x11…11, signer
// 0x22…22, custodian 0x33…33 as secp256k1 private scalars) and signing
// helpers for the bitcoin tests.
#pragma once

#include "bitcoin/sighash.hpp"
#include "crypto/secp256k1.hpp"

#include <array>
#include <cstdint>

namespace covsigner::bitcoin::test {

inline crypto::private_key fixed_key(std::uint8_t fill) {
  std::array<std::uint8_t, 32> scalar{};
  scalar.fill(fill);
  return *crypto::parse_private_key(scalar);
}

inline crypto::bytes compressed_public_key(const crypto::private_key& key) {
  return crypto::serialize_compressed(crypto::derive_public_key(key));
}

/// Low-S DER signature over `digest` with the sighash byte appended.
inline crypto::bytes sign_with_hashtype(const crypto::private_key& key, const crypto::hash32& digest,
                                        std::uint8_t hash_type = SIGHASH_ALL) {
  crypto::bytes sig = crypto::sign_der(key, digest);
  sig.push_back(hash_type);
  return sig;
}

struct fixed_keys {
  crypto::private_key depositor = fixed_key(0x11);
  crypto::private_key signer = fixed_key(0x22);
  crypto::private_key custodian = fixed_key(0x33);
  crypto::bytes depositor_pub = compressed_public_key(depositor);
  crypto::bytes signer_pub = compressed_public_key(signer);
  crypto::bytes custodian_pub = compressed_public_key(custodian);
};

} // namespace covsigner::bitcoin::test
