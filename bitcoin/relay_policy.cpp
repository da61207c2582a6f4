#include "bitcoin/relay_policy.hpp"

namespace covsigner::bitcoin {

namespace {

std::int64_t fee_at(std::int64_t rate_per_kvb, std::size_t size) {
  const auto fee = rate_per_kvb * static_cast<std::int64_t>(size) / 1000;
  return fee == 0 && size != 0 && rate_per_kvb > 0 ? 1 : fee;
}

std::size_t compact_size_length(std::size_t n) {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

// Core's CScript::IsWitnessProgram: OP_0 or OP_1..OP_16, then one push of
// 2 to 40 bytes that is the rest of the script.
bool is_witness_program(std::span<const std::uint8_t> s) {
  if (s.size() < 4 || s.size() > 42)
    return false;
  if (s[0] != 0x00 && (s[0] < 0x51 || s[0] > 0x60))
    return false;
  return static_cast<std::size_t>(s[1]) + 2 == s.size();
}

// Core's CScript::IsUnspendable.
bool is_unspendable(std::span<const std::uint8_t> s) {
  return (!s.empty() && s[0] == 0x6a) || s.size() > 10000;
}

} // namespace

std::size_t virtual_size(const transaction& tx) {
  const auto base = serialize_without_witness(tx).size();
  const auto total = serialize_with_witness(tx).size();
  return (3 * base + total + 3) / 4;
}

std::int64_t min_relay_fee(std::size_t vsize) { return fee_at(min_relay_fee_per_kvb, vsize); }

std::int64_t dust_threshold(std::span<const std::uint8_t> script_pubkey) {
  if (is_unspendable(script_pubkey))
    return 0;
  std::size_t size = 8 + compact_size_length(script_pubkey.size()) + script_pubkey.size();
  // The input that spends it: outpoint, scriptSig length, a 107-byte
  // P2PKH-like scriptSig (a quarter of it as witness data), sequence.
  size += is_witness_program(script_pubkey) ? 32 + 4 + 1 + 107 / 4 + 4 : 32 + 4 + 1 + 107 + 4;
  return fee_at(dust_relay_fee_per_kvb, size);
}

} // namespace covsigner::bitcoin
