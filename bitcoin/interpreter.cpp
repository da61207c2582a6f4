#include "bitcoin/interpreter.hpp"

#include "bitcoin/script.hpp"
#include "bitcoin/sighash.hpp"
#include "crypto/hash160.hpp"
#include "crypto/secp256k1.hpp"
#include "crypto/sha256.hpp"

#include <algorithm>

namespace covsigner::bitcoin {

std::string_view script_error_name(script_error error) {
  switch (error) {
  case script_error::ok: return "OK";
  case script_error::unknown_error: return "UNKNOWN_ERROR";
  case script_error::eval_false: return "EVAL_FALSE";
  case script_error::op_return: return "OP_RETURN";
  case script_error::script_size: return "SCRIPT_SIZE";
  case script_error::push_size: return "PUSH_SIZE";
  case script_error::op_count: return "OP_COUNT";
  case script_error::stack_size: return "STACK_SIZE";
  case script_error::sig_count: return "SIG_COUNT";
  case script_error::pubkey_count: return "PUBKEY_COUNT";
  case script_error::verify: return "VERIFY";
  case script_error::equalverify: return "EQUALVERIFY";
  case script_error::checkmultisigverify: return "CHECKMULTISIGVERIFY";
  case script_error::checksigverify: return "CHECKSIGVERIFY";
  case script_error::bad_opcode: return "BAD_OPCODE";
  case script_error::invalid_stack_operation: return "INVALID_STACK_OPERATION";
  case script_error::unbalanced_conditional: return "UNBALANCED_CONDITIONAL";
  case script_error::negative_locktime: return "NEGATIVE_LOCKTIME";
  case script_error::unsatisfied_locktime: return "UNSATISFIED_LOCKTIME";
  case script_error::sig_hashtype: return "SIG_HASHTYPE";
  case script_error::sig_der: return "SIG_DER";
  case script_error::minimaldata: return "MINIMALDATA";
  case script_error::sig_pushonly: return "SIG_PUSHONLY";
  case script_error::sig_high_s: return "SIG_HIGH_S";
  case script_error::sig_nulldummy: return "SIG_NULLDUMMY";
  case script_error::pubkeytype: return "PUBKEYTYPE";
  case script_error::cleanstack: return "CLEANSTACK";
  case script_error::minimalif: return "MINIMALIF";
  case script_error::sig_nullfail: return "NULLFAIL";
  case script_error::discourage_upgradable_nops: return "DISCOURAGE_UPGRADABLE_NOPS";
  case script_error::discourage_upgradable_witness_program:
    return "DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM";
  case script_error::witness_program_wrong_length: return "WITNESS_PROGRAM_WRONG_LENGTH";
  case script_error::witness_program_witness_empty: return "WITNESS_PROGRAM_WITNESS_EMPTY";
  case script_error::witness_program_mismatch: return "WITNESS_PROGRAM_MISMATCH";
  case script_error::witness_malleated: return "WITNESS_MALLEATED";
  case script_error::witness_unexpected: return "WITNESS_UNEXPECTED";
  case script_error::witness_pubkeytype: return "WITNESS_PUBKEYTYPE";
  case script_error::unsupported_opcode: return "UNSUPPORTED_OPCODE";
  case script_error::unsupported_script_type: return "UNSUPPORTED_SCRIPT_TYPE";
  }
  return "UNKNOWN_ERROR";
}

std::string_view script_error_message(script_error error) {
  switch (error) {
  case script_error::ok: return "No error";
  case script_error::eval_false:
    return "Script evaluated without error but finished with a false/empty top stack element";
  case script_error::unsupported_opcode: return "unsupported opcode";
  case script_error::unsupported_script_type: return "unsupported script type";
  case script_error::unsatisfied_locktime: return "Locktime requirement not satisfied";
  case script_error::negative_locktime: return "Negative locktime";
  case script_error::sig_nullfail:
    return "Signature must be zero for failed CHECK(MULTI)SIG operation";
  case script_error::sig_nulldummy: return "Dummy CHECKMULTISIG argument must be zero";
  case script_error::minimalif: return "OP_IF/NOTIF argument must be minimal";
  case script_error::cleanstack: return "Stack size must be exactly one after execution";
  case script_error::sig_high_s: return "Non-canonical signature: S value is unnecessarily high";
  case script_error::sig_der: return "Non-canonical DER signature";
  case script_error::witness_program_mismatch: return "Witness program hash mismatch";
  default: return script_error_name(error);
  }
}

namespace {

using stack_type = std::vector<bytes>;

enum class sig_version { base, witness_v0 };

constexpr std::size_t max_script_size = 10000;
constexpr std::size_t max_element_size = 520;
constexpr int max_ops_per_script = 201;
constexpr std::size_t max_stack_size = 1000;
constexpr std::int64_t max_pubkeys_per_multisig = 20;
constexpr std::int64_t locktime_threshold = 500000000; // below: height, else time
constexpr std::uint32_t sequence_final = 0xffffffff;

bool cast_to_bool(const bytes& v) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != 0) {
      // Negative zero (0x80 in the last byte, zeros before) is false.
      return !(i == v.size() - 1 && v[i] == 0x80);
    }
  }
  return false;
}

bool is_supported(std::uint8_t op) {
  if (op <= OP_PUSHDATA4 || op == OP_1NEGATE || (op >= OP_1 && op <= OP_16))
    return true;
  switch (op) {
  case OP_NOP: case OP_IF: case OP_NOTIF: case OP_ELSE: case OP_ENDIF: case OP_VERIFY:
  case OP_RETURN: case OP_DROP: case OP_DUP: case OP_EQUAL: case OP_EQUALVERIFY:
  case OP_SHA256: case OP_HASH160: case OP_CHECKSIG: case OP_CHECKSIGVERIFY:
  case OP_CHECKMULTISIG: case OP_CHECKMULTISIGVERIFY: case OP_CHECKLOCKTIMEVERIFY:
    return true;
  default:
    return false;
  }
}

bool is_compressed_or_uncompressed_key(const bytes& key) {
  if (key.size() < 33)
    return false;
  if (key[0] == 0x04)
    return key.size() == 65;
  if (key[0] == 0x02 || key[0] == 0x03)
    return key.size() == 33;
  return false;
}

bool is_compressed_key(const bytes& key) {
  return key.size() == 33 && (key[0] == 0x02 || key[0] == 0x03);
}

bool is_defined_hashtype(const bytes& sig) {
  const std::uint8_t base = sig.back() & static_cast<std::uint8_t>(~SIGHASH_ANYONECANPAY);
  return base >= SIGHASH_ALL && base <= SIGHASH_SINGLE;
}

bytes boolean_element(bool value) { return value ? bytes{1} : bytes{}; }

class evaluator {
public:
  evaluator(std::uint32_t flags, const spend_context& ctx, sig_version version)
      : flags_(flags), ctx_(ctx), version_(version) {}

  script_error run(byte_span script, stack_type& stack);

private:
  bool has(std::uint32_t flag) const { return (flags_ & flag) != 0; }
  script_error check_signature_encoding(const bytes& sig) const;
  script_error check_pubkey_encoding(const bytes& key) const;
  bool check_ecdsa(const bytes& sig, const bytes& key, byte_span script_code) const;
  bool check_locktime(std::int64_t locktime) const;
  script_error op_checksig(stack_type& stack, byte_span script, bool verify) const;
  script_error op_checkmultisig(stack_type& stack, byte_span script, bool verify, int& op_count) const;

  std::uint32_t flags_;
  const spend_context& ctx_;
  sig_version version_;
};

script_error evaluator::check_signature_encoding(const bytes& sig) const {
  // An empty signature is a valid way to fail a check (NULLFAIL-friendly).
  if (sig.empty())
    return script_error::ok;
  const bytes der(sig.begin(), sig.end() - 1); // without the sighash byte
  if (has(VERIFY_DERSIG | VERIFY_LOW_S | VERIFY_STRICTENC) && !crypto::is_strict_der(der))
    return script_error::sig_der;
  if (has(VERIFY_LOW_S) && !crypto::is_strict_der_low_s(der))
    return script_error::sig_high_s;
  if (has(VERIFY_STRICTENC) && !is_defined_hashtype(sig))
    return script_error::sig_hashtype;
  return script_error::ok;
}

script_error evaluator::check_pubkey_encoding(const bytes& key) const {
  if (has(VERIFY_STRICTENC) && !is_compressed_or_uncompressed_key(key))
    return script_error::pubkeytype;
  if (has(VERIFY_WITNESS_PUBKEYTYPE) && version_ == sig_version::witness_v0 &&
      !is_compressed_key(key))
    return script_error::witness_pubkeytype;
  return script_error::ok;
}

bool evaluator::check_ecdsa(const bytes& sig, const bytes& key, byte_span script_code) const {
  if (sig.empty())
    return false;
  auto public_key = crypto::parse_public_key(key);
  if (!public_key)
    return false;
  // Strict DER and low S only: unlike Core without DERSIG / LOW_S, lax
  // encodings and high-S signatures never verify here.
  const auto parsed = crypto::parse_der_signature(bytes(sig.begin(), sig.end() - 1));
  const auto* signature = std::get_if<crypto::ecdsa_signature>(&parsed);
  if (signature == nullptr)
    return false;
  const hash32 digest =
      segwit_v0_sighash(ctx_.tx, ctx_.input_index, script_code, ctx_.amount, sig.back());
  return crypto::verify(*public_key, digest, *signature);
}

bool evaluator::check_locktime(std::int64_t locktime) const {
  const std::int64_t tx_locktime = ctx_.tx.locktime;
  // Heights and timestamps are not comparable.
  if ((tx_locktime < locktime_threshold) != (locktime < locktime_threshold))
    return false;
  if (locktime > tx_locktime)
    return false;
  // A final input disables nLockTime, so it could not enforce the lock.
  return ctx_.tx.inputs[ctx_.input_index].sequence != sequence_final;
}

script_error evaluator::op_checksig(stack_type& stack, byte_span script, bool verify) const {
  if (stack.size() < 2)
    return script_error::invalid_stack_operation;
  if (version_ != sig_version::witness_v0)
    return script_error::unsupported_script_type;
  const bytes sig = stack[stack.size() - 2];
  const bytes key = stack[stack.size() - 1];
  if (auto e = check_signature_encoding(sig); e != script_error::ok)
    return e;
  if (auto e = check_pubkey_encoding(key); e != script_error::ok)
    return e;
  // Without OP_CODESEPARATOR support the scriptCode is the whole script.
  const bool success = check_ecdsa(sig, key, script);
  if (!success && has(VERIFY_NULLFAIL) && !sig.empty())
    return script_error::sig_nullfail;
  stack.pop_back();
  stack.pop_back();
  if (verify) {
    if (!success)
      return script_error::checksigverify;
  } else {
    stack.push_back(boolean_element(success));
  }
  return script_error::ok;
}

script_error evaluator::op_checkmultisig(stack_type& stack, byte_span script, bool verify,
                                         int& op_count) const {
  // Stack, top first: n, n keys, m, m signatures, dummy. `i` counts
  // elements from the top, as Core does.
  const bool require_minimal = has(VERIFY_MINIMALDATA);
  auto top = [&](std::size_t depth) -> const bytes& { return stack[stack.size() - depth]; };
  std::size_t i = 1;
  if (stack.size() < i)
    return script_error::invalid_stack_operation;
  auto keys = decode_script_number(top(i), 4, require_minimal);
  if (keys.error)
    return script_error::unknown_error;
  std::int64_t key_count = keys.value;
  if (key_count < 0 || key_count > max_pubkeys_per_multisig)
    return script_error::pubkey_count;
  op_count += static_cast<int>(key_count);
  if (op_count > max_ops_per_script)
    return script_error::op_count;
  std::size_t ikey = ++i;
  // Keys not yet tried and not to be NULLFAIL-checked; see the cleanup loop.
  std::size_t ikey2 = static_cast<std::size_t>(key_count) + 2;
  i += static_cast<std::size_t>(key_count);
  if (stack.size() < i)
    return script_error::invalid_stack_operation;
  auto sigs = decode_script_number(top(i), 4, require_minimal);
  if (sigs.error)
    return script_error::unknown_error;
  std::int64_t sig_count = sigs.value;
  if (sig_count < 0 || sig_count > key_count)
    return script_error::sig_count;
  std::size_t isig = ++i;
  i += static_cast<std::size_t>(sig_count);
  if (stack.size() < i)
    return script_error::invalid_stack_operation;
  if (version_ != sig_version::witness_v0 && sig_count > 0)
    return script_error::unsupported_script_type;

  bool success = true;
  while (success && sig_count > 0) {
    const bytes& sig = top(isig);
    const bytes& key = top(ikey);
    // Encodings are checked lazily, only for the pairs actually tried.
    if (auto e = check_signature_encoding(sig); e != script_error::ok)
      return e;
    if (auto e = check_pubkey_encoding(key); e != script_error::ok)
      return e;
    if (check_ecdsa(sig, key, script)) {
      ++isig;
      --sig_count;
    }
    ++ikey;
    --key_count;
    // More signatures left than keys: cannot succeed any more.
    if (sig_count > key_count)
      success = false;
  }

  // Pop every argument; with NULLFAIL, a failed check requires all
  // signatures (not the keys, which ikey2 skips) to be empty.
  while (i-- > 1) {
    if (!success && has(VERIFY_NULLFAIL) && ikey2 == 0 && !stack.back().empty())
      return script_error::sig_nullfail;
    if (ikey2 > 0)
      --ikey2;
    stack.pop_back();
  }
  // The historical extra pop (the "dummy"); NULLDUMMY demands it be empty.
  if (stack.empty())
    return script_error::invalid_stack_operation;
  if (has(VERIFY_NULLDUMMY) && !stack.back().empty())
    return script_error::sig_nulldummy;
  stack.pop_back();
  if (verify) {
    if (!success)
      return script_error::checkmultisigverify;
  } else {
    stack.push_back(boolean_element(success));
  }
  return script_error::ok;
}

script_error evaluator::run(byte_span script, stack_type& stack) {
  if (script.size() > max_script_size)
    return script_error::script_size;
  std::vector<bool> exec_stack; // one entry per open IF: is its branch taken
  int op_count = 0;
  std::size_t pos = 0;
  while (pos < script.size()) {
    const bool executing =
        std::find(exec_stack.begin(), exec_stack.end(), false) == exec_stack.end();
    auto op = read_op(script, pos);
    if (!op)
      return script_error::bad_opcode;
    if (op->data.size() > max_element_size)
      return script_error::push_size;
    if (op->code > OP_16 && ++op_count > max_ops_per_script)
      return script_error::op_count;
    if (!is_supported(op->code))
      return script_error::unsupported_opcode;

    const std::uint8_t code = op->code;
    if (code <= OP_PUSHDATA4) {
      if (executing) {
        if (has(VERIFY_MINIMALDATA) && !is_minimal_push(code, op->data))
          return script_error::minimaldata;
        stack.emplace_back(op->data.begin(), op->data.end());
      }
    } else if (executing || (code >= OP_IF && code <= OP_ENDIF)) {
      switch (code) {
      case OP_1NEGATE:
        stack.push_back(encode_script_number(-1));
        break;
      case OP_NOP:
        break;
      case OP_CHECKLOCKTIMEVERIFY: {
        if (!has(VERIFY_CHECKLOCKTIMEVERIFY)) {
          // Before BIP65 this opcode is NOP2.
          if (has(VERIFY_DISCOURAGE_UPGRADABLE_NOPS))
            return script_error::discourage_upgradable_nops;
          break;
        }
        if (stack.empty())
          return script_error::invalid_stack_operation;
        // 5 bytes: lock times reach 2^32-1, beyond 4-byte script numbers.
        auto locktime = decode_script_number(stack.back(), 5, has(VERIFY_MINIMALDATA));
        if (locktime.error)
          return script_error::unknown_error;
        if (locktime.value < 0)
          return script_error::negative_locktime;
        if (!check_locktime(locktime.value))
          return script_error::unsatisfied_locktime;
        break;
      }
      case OP_IF:
      case OP_NOTIF: {
        bool value = false;
        if (executing) {
          // Current Core (and the vendored script_tests.json) report an
          // empty stack here as INVALID_STACK_OPERATION; older releases said
          // UNBALANCED_CONDITIONAL.
          if (stack.empty())
            return script_error::invalid_stack_operation;
          const bytes& top = stack.back();
          if (version_ == sig_version::witness_v0 && has(VERIFY_MINIMALIF)) {
            if (top.size() > 1 || (top.size() == 1 && top[0] != 1))
              return script_error::minimalif;
          }
          value = cast_to_bool(top);
          if (code == OP_NOTIF)
            value = !value;
          stack.pop_back();
        }
        exec_stack.push_back(value);
        break;
      }
      case OP_ELSE:
        if (exec_stack.empty())
          return script_error::unbalanced_conditional;
        exec_stack.back() = !exec_stack.back();
        break;
      case OP_ENDIF:
        if (exec_stack.empty())
          return script_error::unbalanced_conditional;
        exec_stack.pop_back();
        break;
      case OP_VERIFY:
        if (stack.empty())
          return script_error::invalid_stack_operation;
        if (!cast_to_bool(stack.back()))
          return script_error::verify;
        stack.pop_back();
        break;
      case OP_RETURN:
        return script_error::op_return;
      case OP_DROP:
        if (stack.empty())
          return script_error::invalid_stack_operation;
        stack.pop_back();
        break;
      case OP_DUP:
        if (stack.empty())
          return script_error::invalid_stack_operation;
        stack.push_back(stack.back());
        break;
      case OP_EQUAL:
      case OP_EQUALVERIFY: {
        if (stack.size() < 2)
          return script_error::invalid_stack_operation;
        const bool equal = stack[stack.size() - 2] == stack[stack.size() - 1];
        stack.pop_back();
        stack.pop_back();
        if (code == OP_EQUALVERIFY) {
          if (!equal)
            return script_error::equalverify;
        } else {
          stack.push_back(boolean_element(equal));
        }
        break;
      }
      case OP_SHA256: {
        if (stack.empty())
          return script_error::invalid_stack_operation;
        const hash32 h = crypto::sha256(stack.back());
        stack.back().assign(h.begin(), h.end());
        break;
      }
      case OP_HASH160: {
        if (stack.empty())
          return script_error::invalid_stack_operation;
        const crypto::hash20 h = crypto::hash160(stack.back());
        stack.back().assign(h.begin(), h.end());
        break;
      }
      case OP_CHECKSIG:
      case OP_CHECKSIGVERIFY:
        if (auto e = op_checksig(stack, script, code == OP_CHECKSIGVERIFY); e != script_error::ok)
          return e;
        break;
      case OP_CHECKMULTISIG:
      case OP_CHECKMULTISIGVERIFY:
        if (auto e = op_checkmultisig(stack, script, code == OP_CHECKMULTISIGVERIFY, op_count);
            e != script_error::ok)
          return e;
        break;
      default: // OP_1..OP_16
        stack.push_back(encode_script_number(code - (OP_1 - 1)));
        break;
      }
    }
    if (stack.size() > max_stack_size)
      return script_error::stack_size;
  }
  if (!exec_stack.empty())
    return script_error::unbalanced_conditional;
  return script_error::ok;
}

/// Version and program of a witness program scriptPubKey (BIP141: a
/// version opcode then one 2..40-byte push, 4..42 bytes in all).
bool witness_program(byte_span script, int& version, byte_span& program) {
  if (script.size() < 4 || script.size() > 42)
    return false;
  if (script[0] != OP_0 && (script[0] < OP_1 || script[0] > OP_16))
    return false;
  if (static_cast<std::size_t>(script[1]) + 2 != script.size())
    return false;
  version = script[0] == OP_0 ? 0 : script[0] - (OP_1 - 1);
  program = script.subspan(2);
  return true;
}

bool is_p2sh(byte_span script) {
  return script.size() == 23 && script[0] == OP_HASH160 && script[1] == 0x14 &&
         script[22] == OP_EQUAL;
}

bool is_push_only(byte_span script) {
  std::size_t pos = 0;
  while (pos < script.size()) {
    auto op = read_op(script, pos);
    if (!op || op->code > OP_16)
      return false;
  }
  return true;
}

script_error execute_witness_script(stack_type stack, byte_span script, std::uint32_t flags,
                                    const spend_context& ctx) {
  for (const auto& item : stack)
    if (item.size() > max_element_size)
      return script_error::push_size;
  evaluator eval(flags, ctx, sig_version::witness_v0);
  if (auto e = eval.run(script, stack); e != script_error::ok)
    return e;
  // Witness scripts must leave exactly one true element (implicit CLEANSTACK).
  if (stack.size() != 1)
    return script_error::cleanstack;
  if (!cast_to_bool(stack.back()))
    return script_error::eval_false;
  return script_error::ok;
}

script_error verify_witness_program(const std::vector<bytes>& witness, int version,
                                    byte_span program, std::uint32_t flags,
                                    const spend_context& ctx) {
  if (version != 0) {
    // Future versions (and taproot, which we do not implement) stay
    // anyone-can-spend unless policy discourages them.
    if (flags & VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM)
      return script_error::discourage_upgradable_witness_program;
    return script_error::ok;
  }
  if (program.size() == 32) { // P2WSH
    if (witness.empty())
      return script_error::witness_program_witness_empty;
    const bytes& script = witness.back();
    const hash32 digest = crypto::sha256(script);
    if (!std::equal(digest.begin(), digest.end(), program.begin(), program.end()))
      return script_error::witness_program_mismatch;
    return execute_witness_script(stack_type(witness.begin(), witness.end() - 1), script, flags,
                                  ctx);
  }
  if (program.size() == 20) { // P2WPKH: DUP HASH160 <program> EQUALVERIFY CHECKSIG
    if (witness.size() != 2)
      return script_error::witness_program_mismatch;
    script_builder b;
    b.op(OP_DUP).op(OP_HASH160).data(program).op(OP_EQUALVERIFY).op(OP_CHECKSIG);
    return execute_witness_script(witness, b.script(), flags, ctx);
  }
  return script_error::witness_program_wrong_length;
}

} // namespace

script_error verify_script(std::span<const std::uint8_t> script_sig,
                           std::span<const std::uint8_t> script_pubkey,
                           const std::vector<bytes>& witness, std::uint32_t flags,
                           const spend_context& ctx) {
  if ((flags & VERIFY_SIGPUSHONLY) && !is_push_only(script_sig))
    return script_error::sig_pushonly;
  stack_type stack;
  evaluator legacy(flags, ctx, sig_version::base);
  if (auto e = legacy.run(script_sig, stack); e != script_error::ok)
    return e;
  if (auto e = legacy.run(script_pubkey, stack); e != script_error::ok)
    return e;
  if (stack.empty() || !cast_to_bool(stack.back()))
    return script_error::eval_false;

  bool had_witness = false;
  int version = 0;
  byte_span program;
  if ((flags & VERIFY_WITNESS) && witness_program(script_pubkey, version, program)) {
    had_witness = true;
    // A native witness spend must have an empty scriptSig.
    if (!script_sig.empty())
      return script_error::witness_malleated;
    if (auto e = verify_witness_program(witness, version, program, flags, ctx);
        e != script_error::ok)
      return e;
    // The witness program left its own clean stack; keep CLEANSTACK happy.
    stack.resize(1);
  }
  if ((flags & VERIFY_P2SH) && is_p2sh(script_pubkey))
    return script_error::unsupported_script_type;
  if ((flags & VERIFY_CLEANSTACK) && stack.size() != 1)
    return script_error::cleanstack;
  if ((flags & VERIFY_WITNESS) && !had_witness && !witness.empty())
    return script_error::witness_unexpected;
  return script_error::ok;
}

script_error verify_input(const transaction& tx, std::size_t input_index,
                          std::span<const std::uint8_t> spent_script_pubkey,
                          std::int64_t spent_amount, std::uint32_t flags) {
  const tx_input& in = tx.inputs[input_index];
  return verify_script(in.script_sig, spent_script_pubkey, in.witness, flags,
                       spend_context{tx, input_index, spent_amount});
}

} // namespace covsigner::bitcoin
