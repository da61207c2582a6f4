// Hex literals for the crypto tests, through the project's codec.
#pragma once

#include "crypto/bytes.hpp"

#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace covsigner::crypto::test {

/// Bytes of a hex literal (no prefix). A typo in a test vector is a test
/// bug, so it throws (GoogleTest reports it) rather than returning nullopt.
inline bytes unhex(std::string_view hex) {
  auto b = from_hex(hex);
  if (!b)
    throw std::invalid_argument("bad hex literal in test: " + std::string(hex));
  return *b;
}

template <std::size_t N>
std::array<std::uint8_t, N> unhex_array(std::string_view hex) {
  bytes b = unhex(hex);
  if (b.size() != N)
    throw std::invalid_argument("hex literal has the wrong length: " + std::string(hex));
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i)
    out[i] = b[i];
  return out;
}

inline bytes ascii(std::string_view s) {
  return bytes(s.begin(), s.end());
}

} // namespace covsigner::crypto::test
