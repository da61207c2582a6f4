// RIPEMD-160 and Bitcoin's HASH160 = RIPEMD-160(SHA-256(x)), used for wallet
// public key hashes. Crypto++ provides RIPEMD-160 (OpenSSL 3.0 keeps it in
// the legacy provider).
#pragma once

#include "crypto/bytes.hpp"

#include <cstddef>
#include <cstdint>

namespace covsigner::crypto {

hash20 ripemd160(const std::uint8_t* data, std::size_t size);
hash20 hash160(const std::uint8_t* data, std::size_t size);
hash20 hash160(const bytes& data);

} // namespace covsigner::crypto
