// Bitcoin script primitives: opcodes, script numbers, canonical data pushes,
// a small script builder, an opcode reader, and the P2WSH locking script.
//
// Pushes follow btcd's ScriptBuilder.AddData exactly, because the Go node
// (reference §6.5) builds its witness scripts with it and the script bytes,
// hence the P2WSH address, must match byte for byte.
#pragma once

#include "crypto/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace covsigner::bitcoin {

using crypto::bytes;
using byte_span = std::span<const std::uint8_t>;

/// The opcodes this project names. Values are Bitcoin's.
enum opcode : std::uint8_t {
  OP_0 = 0x00,
  OP_FALSE = OP_0,
  OP_PUSHDATA1 = 0x4c,
  OP_PUSHDATA2 = 0x4d,
  OP_PUSHDATA4 = 0x4e,
  OP_1NEGATE = 0x4f,
  OP_RESERVED = 0x50,
  OP_1 = 0x51,
  OP_TRUE = OP_1,
  OP_2 = 0x52,
  OP_3 = 0x53,
  OP_16 = 0x60,
  OP_NOP = 0x61,
  OP_IF = 0x63,
  OP_NOTIF = 0x64,
  OP_ELSE = 0x67,
  OP_ENDIF = 0x68,
  OP_VERIFY = 0x69,
  OP_RETURN = 0x6a,
  OP_DROP = 0x75,
  OP_DUP = 0x76,
  OP_EQUAL = 0x87,
  OP_EQUALVERIFY = 0x88,
  OP_SHA256 = 0xa8,
  OP_HASH160 = 0xa9,
  OP_CODESEPARATOR = 0xab,
  OP_CHECKSIG = 0xac,
  OP_CHECKSIGVERIFY = 0xad,
  OP_CHECKMULTISIG = 0xae,
  OP_CHECKMULTISIGVERIFY = 0xaf,
  OP_CHECKLOCKTIMEVERIFY = 0xb1,
  OP_CHECKSEQUENCEVERIFY = 0xb2,
};

/// OP_1..OP_16 for n in 1..16, OP_0 for 0. Precondition: n <= 16.
constexpr opcode small_int_opcode(unsigned n) {
  return n == 0 ? OP_0 : static_cast<opcode>(OP_1 + n - 1);
}

/// Bitcoin script-number encoding of `n`: minimal little-endian magnitude,
/// sign in the top bit of the last byte (a 0x00/0x80 byte is appended when
/// the magnitude's top bit is set). 0 encodes as the empty string.
bytes encode_script_number(std::int64_t n);

/// Why a script number failed to decode.
enum class script_number_error {
  too_long,    ///< more bytes than max_size
  not_minimal, ///< require_minimal and the encoding has a redundant byte
};

/// Decodes a script number of at most `max_size` bytes (4 for arithmetic,
/// 5 for CHECKLOCKTIMEVERIFY). With `require_minimal`, rejects encodings with
/// a superfluous trailing 0x00/0x80 byte (Bitcoin Core's MINIMALDATA rule).
struct script_number_result {
  std::int64_t value = 0;
  std::optional<script_number_error> error;
};
script_number_result decode_script_number(byte_span data, std::size_t max_size,
                                          bool require_minimal);

/// Appends `data` to `script` with btcd's canonical push: empty or a single
/// 0x00 -> OP_0; a single byte 1..16 -> OP_1..OP_16; a single 0x81 ->
/// OP_1NEGATE; otherwise the shortest OP_DATA_n / OP_PUSHDATA1/2/4 form.
void append_canonical_push(bytes& script, byte_span data);

/// Builds a script from opcodes, canonical data pushes and numbers.
class script_builder {
public:
  script_builder& op(opcode o) {
    script_.push_back(o);
    return *this;
  }
  /// Canonical push of `data` (see append_canonical_push).
  script_builder& data(byte_span data) {
    append_canonical_push(script_, data);
    return *this;
  }
  /// Canonical push of encode_script_number(n); small numbers become
  /// OP_0 / OP_1..OP_16 / OP_1NEGATE by the push rule.
  script_builder& number(std::int64_t n) {
    auto encoded = encode_script_number(n);
    append_canonical_push(script_, encoded);
    return *this;
  }
  const bytes& script() const& { return script_; }
  bytes script() && { return std::move(script_); }

private:
  bytes script_;
};

/// One parsed script element: an opcode and, for pushes, its payload.
struct script_op {
  std::uint8_t code = 0;
  byte_span data; ///< payload of OP_0..OP_PUSHDATA4 (empty otherwise)
};

/// Reads the element at `pos` and advances `pos`. nullopt when the script is
/// truncated (a push announces more bytes than remain).
/// Precondition: pos < script.size().
std::optional<script_op> read_op(byte_span script, std::size_t& pos);

/// True when `data` pushed with opcode `code` used the minimal push form
/// (Bitcoin Core's CheckMinimalPush; what MINIMALDATA demands).
bool is_minimal_push(std::uint8_t code, byte_span data);

/// P2WSH scriptPubKey: OP_0 <SHA-256(witness_script)> (34 bytes).
bytes p2wsh_script_pubkey(byte_span witness_script);

/// The anchor output's witness script: OP_TRUE (0x51).
bytes anchor_witness_script();

/// The anchor output's scriptPubKey: P2WSH(OP_TRUE) (reference §6.7).
bytes anchor_script_pubkey();

/// When `script_pubkey` is a version 0 P2WSH program, its 32-byte program.
std::optional<crypto::hash32> p2wsh_program(byte_span script_pubkey);

} // namespace covsigner::bitcoin
