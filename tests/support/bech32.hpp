// Segwit v0 addresses (BIP173 bech32), for handing a scriptPubKey to a
// node's `generatetoaddress`. Test support only: the node itself never
// parses or prints addresses.
#pragma once

#include "crypto/bytes.hpp"

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace covsigner::test_support {

namespace bech32_detail {

inline std::uint32_t polymod(const std::vector<std::uint8_t>& values) {
  constexpr std::uint32_t generator[] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd,
                                         0x2a1462b3};
  std::uint32_t chk = 1;
  for (auto v : values) {
    const std::uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; ++i)
      if ((top >> i) & 1)
        chk ^= generator[i];
  }
  return chk;
}

inline std::vector<std::uint8_t> expand_hrp(std::string_view hrp) {
  std::vector<std::uint8_t> out;
  for (char c : hrp)
    out.push_back(static_cast<std::uint8_t>(c) >> 5);
  out.push_back(0);
  for (char c : hrp)
    out.push_back(static_cast<std::uint8_t>(c) & 31);
  return out;
}

// 8-bit bytes regrouped as 5-bit values, zero-padded at the end.
inline std::vector<std::uint8_t> to_5_bit(std::span<const std::uint8_t> data) {
  std::vector<std::uint8_t> out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (auto b : data) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 31));
    }
  }
  if (bits > 0)
    out.push_back(static_cast<std::uint8_t>((acc << (5 - bits)) & 31));
  return out;
}

} // namespace bech32_detail

/// The bech32 address of a version-0 witness scriptPubKey (OP_0 <20 or 32
/// bytes>) under `hrp` ("bc", "tb"; bcoin's regtest uses "rb", Bitcoin
/// Core's "bcrt"). Throws for any other script.
inline std::string segwit_v0_address(std::string_view hrp, std::span<const std::uint8_t> script) {
  if (script.size() < 2 || script[0] != 0x00 || script[1] != script.size() - 2 ||
      (script[1] != 20 && script[1] != 32))
    throw std::invalid_argument("not a version-0 witness program");
  std::vector<std::uint8_t> data{0}; // witness version 0
  auto program = bech32_detail::to_5_bit(script.subspan(2));
  data.insert(data.end(), program.begin(), program.end());
  auto values = bech32_detail::expand_hrp(hrp);
  values.insert(values.end(), data.begin(), data.end());
  values.insert(values.end(), 6, 0);
  const std::uint32_t checksum = bech32_detail::polymod(values) ^ 1;
  for (int i = 0; i < 6; ++i)
    data.push_back(static_cast<std::uint8_t>((checksum >> (5 * (5 - i))) & 31));
  constexpr std::string_view charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  std::string out(hrp);
  out += '1';
  for (auto v : data)
    out += charset[v];
  return out;
}

} // namespace covsigner::test_support
