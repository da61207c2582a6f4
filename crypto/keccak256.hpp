// Keccak-256 with the original (Ethereum) padding 0x01, not NIST SHA3-256
// (which pads 0x06). OpenSSL 3.0 has no Keccak; Crypto++'s Keccak_256 does.
#pragma once

#include "crypto/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace covsigner::crypto {

hash32 keccak256(const std::uint8_t* data, std::size_t size);
hash32 keccak256(std::string_view data);
hash32 keccak256(const bytes& data);

} // namespace covsigner::crypto
