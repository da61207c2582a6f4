// Byte strings and fixed-size hashes shared by every pure room.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace covsigner::crypto {

using bytes = std::vector<std::uint8_t>;
using hash32 = std::array<std::uint8_t, 32>;
using hash20 = std::array<std::uint8_t, 20>;

/// The value of one hex digit (either letter case), or -1.
int hex_digit_value(char c);

/// Lowercase hex of `data`, without a prefix.
std::string to_hex(const std::uint8_t* data, std::size_t size);

template <class Container>
std::string to_hex(const Container& c) {
  return to_hex(c.data(), c.size());
}

/// "0x" followed by lowercase hex of `c`.
template <class Container>
std::string to_0x_hex(const Container& c) {
  return "0x" + to_hex(c.data(), c.size());
}

/// Decodes hex digits (either letter case, no prefix). nullopt when the
/// length is odd or a character is not a hex digit.
std::optional<bytes> from_hex(std::string_view hex);

/// Decodes a "0x"-prefixed hex string (lowercase prefix only, as the Go node
/// requires). nullopt when the prefix is missing or the digits are invalid.
std::optional<bytes> from_0x_hex(std::string_view hex);

/// Decodes exactly N bytes of "0x"-prefixed hex.
template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> fixed_from_0x_hex(std::string_view hex) {
  auto decoded = from_0x_hex(hex);
  if (!decoded || decoded->size() != N)
    return std::nullopt;
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i)
    out[i] = (*decoded)[i];
  return out;
}

} // namespace covsigner::crypto
