// The two hash functions the covenant rules are built on, in the shapes the
// covenant code needs (whole-buffer, 32-byte result). Thin adapters over the
// crypto room; no hashing is implemented here.
#pragma once

#include "crypto/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace covsigner::covenant {

/// SHA-256 of `data`.
crypto::hash32 sha256_of(std::string_view data);
crypto::hash32 sha256_of(const std::uint8_t* data, std::size_t size);

/// Keccak-256 with Ethereum's original padding (not NIST SHA3-256).
crypto::hash32 keccak256_of(std::string_view data);
crypto::hash32 keccak256_of(const std::uint8_t* data, std::size_t size);

} // namespace covsigner::covenant
