// RIPEMD-160 and Bitcoin's HASH160 = RIPEMD-160(SHA-256(x)), used for wallet
// public key hashes (reference §6.3: GetWallet(HASH160(compressed key))).
// Crypto++ provides RIPEMD-160 because OpenSSL 3.0 moved it to the legacy
// provider, which is not loaded by default.
#pragma once

#include "crypto/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace covsigner::crypto {

/// RIPEMD-160 of `data[0..size)`. Cannot fail.
hash20 ripemd160(const std::uint8_t* data, std::size_t size);
hash20 ripemd160(std::string_view data);
hash20 ripemd160(const bytes& data);

/// RIPEMD-160(SHA-256(data)). Same error behaviour as sha256().
hash20 hash160(const std::uint8_t* data, std::size_t size);
hash20 hash160(const bytes& data);

} // namespace covsigner::crypto
