// Keccak-256 with the original (Ethereum) padding 0x01, not NIST SHA3-256
// (which pads 0x06): the hash of EIP-712 digests, function selectors and
// Ethereum addresses. OpenSSL 3.0 has no Keccak; Crypto++'s Keccak_256 has.
#pragma once

#include "crypto/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace covsigner::crypto {

/// Keccak-256 of `data[0..size)`. Cannot fail; thread-safe.
hash32 keccak256(const std::uint8_t* data, std::size_t size);
/// Keccak-256 of the bytes of `data` (e.g. an EIP-712 type string).
hash32 keccak256(std::string_view data);
hash32 keccak256(const bytes& data);

} // namespace covsigner::crypto
