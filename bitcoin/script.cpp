#include "bitcoin/script.hpp"

#include "crypto/sha256.hpp"

#include <algorithm>

namespace covsigner::bitcoin {

bytes encode_script_number(std::int64_t n) {
  bytes out;
  if (n == 0)
    return out;
  const bool negative = n < 0;
  // Negate in unsigned arithmetic so INT64_MIN does not overflow.
  std::uint64_t magnitude =
      negative ? ~static_cast<std::uint64_t>(n) + 1 : static_cast<std::uint64_t>(n);
  while (magnitude != 0) {
    out.push_back(static_cast<std::uint8_t>(magnitude & 0xff));
    magnitude >>= 8;
  }
  // The top bit of the last byte is the sign: if the magnitude already uses
  // it, add a byte to carry the sign.
  if (out.back() & 0x80)
    out.push_back(negative ? 0x80 : 0x00);
  else if (negative)
    out.back() |= 0x80;
  return out;
}

script_number_result decode_script_number(byte_span data, std::size_t max_size,
                                          bool require_minimal) {
  script_number_result result;
  if (data.size() > max_size || data.size() > 8) {
    result.error = script_number_error::too_long;
    return result;
  }
  if (data.empty())
    return result;
  if (require_minimal && (data.back() & 0x7f) == 0) {
    // A last byte of 0x00/0x80 is only needed when the byte before it has
    // its top bit set (otherwise the sign could live there).
    if (data.size() == 1 || (data[data.size() - 2] & 0x80) == 0) {
      result.error = script_number_error::not_minimal;
      return result;
    }
  }
  std::uint64_t magnitude = 0;
  for (std::size_t i = 0; i < data.size(); ++i)
    magnitude |= static_cast<std::uint64_t>(data[i]) << (8 * i);
  const std::uint64_t sign_bit = std::uint64_t{0x80} << (8 * (data.size() - 1));
  if (magnitude & sign_bit)
    result.value = -static_cast<std::int64_t>(magnitude & ~sign_bit);
  else
    result.value = static_cast<std::int64_t>(magnitude);
  return result;
}

void append_canonical_push(bytes& script, byte_span data) {
  const std::size_t size = data.size();
  if (size == 0 || (size == 1 && data[0] == 0)) {
    script.push_back(OP_0);
    return;
  }
  if (size == 1 && data[0] <= 16) {
    script.push_back(small_int_opcode(data[0]));
    return;
  }
  if (size == 1 && data[0] == 0x81) {
    script.push_back(OP_1NEGATE);
    return;
  }
  if (size < OP_PUSHDATA1) {
    script.push_back(static_cast<std::uint8_t>(size));
  } else if (size <= 0xff) {
    script.push_back(OP_PUSHDATA1);
    script.push_back(static_cast<std::uint8_t>(size));
  } else if (size <= 0xffff) {
    script.push_back(OP_PUSHDATA2);
    script.push_back(static_cast<std::uint8_t>(size & 0xff));
    script.push_back(static_cast<std::uint8_t>(size >> 8));
  } else {
    script.push_back(OP_PUSHDATA4);
    for (int i = 0; i < 4; ++i)
      script.push_back(static_cast<std::uint8_t>((size >> (8 * i)) & 0xff));
  }
  script.insert(script.end(), data.begin(), data.end());
}

std::optional<script_op> read_op(byte_span script, std::size_t& pos) {
  script_op op;
  op.code = script[pos++];
  if (op.code > OP_PUSHDATA4)
    return op;
  std::size_t length = 0;
  std::size_t length_bytes = 0;
  if (op.code < OP_PUSHDATA1)
    length = op.code;
  else
    length_bytes = op.code == OP_PUSHDATA1 ? 1 : op.code == OP_PUSHDATA2 ? 2 : 4;
  if (script.size() - pos < length_bytes)
    return std::nullopt;
  for (std::size_t i = 0; i < length_bytes; ++i)
    length |= static_cast<std::size_t>(script[pos + i]) << (8 * i);
  pos += length_bytes;
  if (script.size() - pos < length)
    return std::nullopt;
  op.data = script.subspan(pos, length);
  pos += length;
  return op;
}

bool is_minimal_push(std::uint8_t code, byte_span data) {
  const std::size_t size = data.size();
  if (size == 0)
    return code == OP_0;
  if (size == 1 && data[0] >= 1 && data[0] <= 16)
    return code == small_int_opcode(data[0]);
  if (size == 1 && data[0] == 0x81)
    return code == OP_1NEGATE;
  if (size <= 75)
    return code == size;
  if (size <= 0xff)
    return code == OP_PUSHDATA1;
  if (size <= 0xffff)
    return code == OP_PUSHDATA2;
  return true;
}

bytes p2wsh_script_pubkey(byte_span witness_script) {
  const crypto::hash32 digest = crypto::sha256(witness_script.data(), witness_script.size());
  bytes out(2 + digest.size());
  out[0] = OP_0;
  out[1] = static_cast<std::uint8_t>(digest.size());
  std::copy(digest.begin(), digest.end(), out.begin() + 2);
  return out;
}

bytes anchor_witness_script() { return bytes{OP_TRUE}; }

bytes anchor_script_pubkey() { return p2wsh_script_pubkey(anchor_witness_script()); }

std::optional<crypto::hash32> p2wsh_program(byte_span script_pubkey) {
  if (script_pubkey.size() != 34 || script_pubkey[0] != OP_0 || script_pubkey[1] != 32)
    return std::nullopt;
  crypto::hash32 program{};
  std::copy(script_pubkey.begin() + 2, script_pubkey.end(), program.begin());
  return program;
}

} // namespace covsigner::bitcoin
