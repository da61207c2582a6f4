#include "chain/abi.hpp"

#include "crypto/keccak256.hpp"

#include <algorithm>

namespace covsigner::chain {

selector function_selector(std::string_view signature) {
  auto digest = crypto::keccak256(signature);
  selector out{};
  std::copy_n(digest.begin(), out.size(), out.begin());
  return out;
}

abi_word word_from_uint(std::uint64_t value) {
  abi_word w{};
  for (int i = 0; i < 8; ++i)
    w[31 - i] = static_cast<std::uint8_t>(value >> (8 * i));
  return w;
}

abi_word word_from_bytes20(const crypto::hash20& value) {
  abi_word w{};
  std::copy(value.begin(), value.end(), w.begin());
  return w;
}

abi_word word_from_bytes32(const crypto::hash32& value) { return value; }

crypto::bytes encode_call(std::string_view signature, const std::vector<abi_word>& args) {
  auto sel = function_selector(signature);
  crypto::bytes out(sel.begin(), sel.end());
  out.reserve(4 + 32 * args.size());
  for (const auto& w : args)
    out.insert(out.end(), w.begin(), w.end());
  return out;
}

std::optional<std::uint64_t> decode_uint(const crypto::bytes& data, std::size_t index,
                                         unsigned bits) {
  if (bits == 0 || bits > 64 || bits % 8 != 0 || data.size() < 32 * (index + 1))
    return std::nullopt;
  const std::uint8_t* word = data.data() + 32 * index;
  const std::size_t value_bytes = bits / 8;
  for (std::size_t i = 0; i < 32 - value_bytes; ++i)
    if (word[i] != 0)
      return std::nullopt;
  std::uint64_t v = 0;
  for (std::size_t i = 32 - value_bytes; i < 32; ++i)
    v = (v << 8) | word[i];
  return v;
}

std::optional<crypto::hash32> decode_bytes32(const crypto::bytes& data, std::size_t index) {
  if (data.size() < 32 * (index + 1))
    return std::nullopt;
  crypto::hash32 out{};
  std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(32 * index), 32, out.begin());
  return out;
}

namespace {

bool read_uint(const crypto::bytes& data, std::size_t index, unsigned bits, const char* field,
               std::uint64_t& out, std::string& error) {
  auto v = decode_uint(data, index, bits);
  if (!v) {
    error = std::string("ABI word ") + std::to_string(index) + " (" + field +
            ") is not a valid uint" + std::to_string(bits);
    return false;
  }
  out = *v;
  return true;
}

} // namespace

std::optional<bridge_wallet_tuple> decode_bridge_wallet(const crypto::bytes& data,
                                                        std::string& error) {
  if (data.size() != 9 * 32) {
    error = "Bridge wallets() returned " + std::to_string(data.size()) +
            " bytes; expected 288 (9 ABI words)";
    return std::nullopt;
  }
  bridge_wallet_tuple t;
  t.ecdsa_wallet_id = *decode_bytes32(data, 0);
  t.main_utxo_hash = *decode_bytes32(data, 1);
  std::uint64_t v = 0;
  if (!read_uint(data, 2, 64, "pendingRedemptionsValue", v, error))
    return std::nullopt;
  t.pending_redemptions_value = v;
  if (!read_uint(data, 3, 32, "createdAt", v, error))
    return std::nullopt;
  t.created_at = static_cast<std::uint32_t>(v);
  if (!read_uint(data, 4, 32, "movingFundsRequestedAt", v, error))
    return std::nullopt;
  t.moving_funds_requested_at = static_cast<std::uint32_t>(v);
  if (!read_uint(data, 5, 32, "closingStartedAt", v, error))
    return std::nullopt;
  t.closing_started_at = static_cast<std::uint32_t>(v);
  if (!read_uint(data, 6, 32, "pendingMovedFundsSweepRequestsCount", v, error))
    return std::nullopt;
  t.pending_moved_funds_sweep_requests_count = static_cast<std::uint32_t>(v);
  if (!read_uint(data, 7, 8, "state", v, error))
    return std::nullopt;
  t.state = static_cast<std::uint8_t>(v);
  t.moving_funds_target_wallets_commitment_hash = *decode_bytes32(data, 8);
  return t;
}

std::optional<bool> decode_bool(const crypto::bytes& data, std::string& error) {
  auto v = data.size() == 32 ? decode_uint(data, 0, 8) : std::nullopt;
  if (!v || *v > 1) {
    error = "expected one ABI bool word, got " + std::to_string(data.size()) + " bytes" +
            (data.size() == 32 ? " that are not 0 or 1" : "");
    return std::nullopt;
  }
  return *v == 1;
}

std::optional<registry_wallet_tuple> decode_registry_wallet(const crypto::bytes& data,
                                                            std::string& error) {
  if (data.size() != 3 * 32) {
    error = "WalletRegistry getWallet() returned " + std::to_string(data.size()) +
            " bytes; expected 96 (3 ABI words)";
    return std::nullopt;
  }
  return registry_wallet_tuple{*decode_bytes32(data, 0), *decode_bytes32(data, 1),
                               *decode_bytes32(data, 2)};
}

} // namespace covsigner::chain
