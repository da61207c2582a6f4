// A Bitcoin script interpreter for the opcodes the covenant templates use,
// with segwit v0 (P2WSH, P2WPKH) verification as Bitcoin Core's
// VerifyScript does it. It exists to prove, in tests and before a signature
// is handed out, that a witness really spends the covenant output.
//
// Supported opcodes: data pushes (OP_0, 1..75-byte pushes, PUSHDATA1/2/4),
// OP_1NEGATE, OP_1..OP_16, OP_NOP, OP_IF, OP_NOTIF, OP_ELSE, OP_ENDIF,
// OP_VERIFY, OP_RETURN, OP_DROP, OP_DUP, OP_EQUAL, OP_EQUALVERIFY,
// OP_SHA256, OP_HASH160, OP_CHECKSIG, OP_CHECKSIGVERIFY, OP_CHECKMULTISIG,
// OP_CHECKMULTISIGVERIFY, OP_CHECKLOCKTIMEVERIFY. Any other opcode in an
// evaluated script, executed or not, fails with UNSUPPORTED_OPCODE (Core
// would accept some unexecuted ones; we refuse rather than guess).
// Signatures are checked only in witness v0 scripts (BIP143); a signature
// opcode executed in a legacy script and P2SH spends fail with
// UNSUPPORTED_SCRIPT_TYPE. Signatures verify only when strict DER and low-S
// (crypto::verify), whatever the flags: where Core without DERSIG / LOW_S
// would accept a lax or high-S signature, this interpreter says EVAL_FALSE /
// NULLFAIL.
#pragma once

#include "bitcoin/transaction.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace covsigner::bitcoin {

/// Script errors, named and ordered like Bitcoin Core's ScriptError; the
/// last two are ours.
enum class script_error {
  ok,
  unknown_error,
  eval_false,
  op_return,
  script_size,
  push_size,
  op_count,
  stack_size,
  sig_count,
  pubkey_count,
  verify,
  equalverify,
  checkmultisigverify,
  checksigverify,
  bad_opcode,
  invalid_stack_operation,
  unbalanced_conditional,
  negative_locktime,
  unsatisfied_locktime,
  sig_hashtype,
  sig_der,
  minimaldata,
  sig_pushonly,
  sig_high_s,
  sig_nulldummy,
  pubkeytype,
  cleanstack,
  minimalif,
  sig_nullfail,
  discourage_upgradable_nops,
  discourage_upgradable_witness_program,
  witness_program_wrong_length,
  witness_program_witness_empty,
  witness_program_mismatch,
  witness_malleated,
  witness_unexpected,
  witness_pubkeytype,
  unsupported_opcode,      ///< ours: an opcode this interpreter does not implement
  unsupported_script_type, ///< ours: P2SH, or a legacy (pre-segwit) signature check
};

/// Core's name for the error as used in script_tests.json ("OK",
/// "EVAL_FALSE", "NULLFAIL", "SIG_NULLDUMMY", ...); ours are
/// "UNSUPPORTED_OPCODE" and "UNSUPPORTED_SCRIPT_TYPE".
std::string_view script_error_name(script_error error);

/// A human-readable message, e.g. "unsupported opcode" for
/// unsupported_opcode and "Script evaluated without error but finished with
/// a false/empty top stack element" for eval_false (Core's wording).
std::string_view script_error_message(script_error error);

/// Verification flags; bit values equal Bitcoin Core's SCRIPT_VERIFY_*.
enum verify_flag : std::uint32_t {
  VERIFY_NONE = 0,
  VERIFY_P2SH = 1U << 0,
  VERIFY_STRICTENC = 1U << 1,
  VERIFY_DERSIG = 1U << 2,
  VERIFY_LOW_S = 1U << 3,
  VERIFY_NULLDUMMY = 1U << 4,
  VERIFY_SIGPUSHONLY = 1U << 5,
  VERIFY_MINIMALDATA = 1U << 6,
  VERIFY_DISCOURAGE_UPGRADABLE_NOPS = 1U << 7,
  VERIFY_CLEANSTACK = 1U << 8,
  VERIFY_CHECKLOCKTIMEVERIFY = 1U << 9,
  VERIFY_CHECKSEQUENCEVERIFY = 1U << 10,
  VERIFY_WITNESS = 1U << 11,
  VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM = 1U << 12,
  VERIFY_MINIMALIF = 1U << 13,
  VERIFY_NULLFAIL = 1U << 14,
  VERIFY_WITNESS_PUBKEYTYPE = 1U << 15,
};

/// The rules a covenant spend must satisfy: consensus (P2SH, DERSIG, CLTV,
/// WITNESS, NULLDUMMY) plus the segwit v0 standardness rules relay enforces
/// (STRICTENC, LOW_S, MINIMALDATA, CLEANSTACK, MINIMALIF, NULLFAIL,
/// WITNESS_PUBKEYTYPE).
inline constexpr std::uint32_t covenant_verify_flags =
    VERIFY_P2SH | VERIFY_STRICTENC | VERIFY_DERSIG | VERIFY_LOW_S | VERIFY_NULLDUMMY |
    VERIFY_MINIMALDATA | VERIFY_CLEANSTACK | VERIFY_CHECKLOCKTIMEVERIFY | VERIFY_WITNESS |
    VERIFY_MINIMALIF | VERIFY_NULLFAIL | VERIFY_WITNESS_PUBKEYTYPE;

/// The input being verified: the spending transaction, which input, and the
/// value of the output it spends (BIP143 signs the amount).
struct spend_context {
  const transaction& tx;
  std::size_t input_index;
  std::int64_t amount;
};

/// Verifies that `script_sig` + `witness` satisfy `script_pubkey` for the
/// input in `ctx`, under `flags` (Core's VerifyScript, restricted to the
/// supported opcodes and script types). Returns script_error::ok on success.
/// Preconditions: ctx.input_index < ctx.tx.inputs.size(); CLEANSTACK is only
/// set together with P2SH and WITNESS (as Core requires).
script_error verify_script(std::span<const std::uint8_t> script_sig,
                           std::span<const std::uint8_t> script_pubkey,
                           const std::vector<bytes>& witness, std::uint32_t flags,
                           const spend_context& ctx);

/// verify_script with the input's own scriptSig and witness.
/// Precondition: input_index < tx.inputs.size().
script_error verify_input(const transaction& tx, std::size_t input_index,
                          std::span<const std::uint8_t> spent_script_pubkey,
                          std::int64_t spent_amount,
                          std::uint32_t flags = covenant_verify_flags);

} // namespace covsigner::bitcoin
