// Interpreter behaviour outside what the Core vectors and the covenant
// branches exercise: our documented refusals and the CLTV argument rules.
#include "bitcoin/interpreter.hpp"
#include "bitcoin/script.hpp"

#include <gtest/gtest.h>

namespace {

using namespace covsigner::bitcoin;
using covsigner::crypto::bytes;

struct p2wsh_spend {
  transaction tx;
  bytes script_pubkey;
};

/// A one-input spend of P2WSH(`script`) with `stack` + script as witness.
p2wsh_spend spend(const bytes& script, std::vector<bytes> stack, std::uint32_t locktime = 0,
                  std::uint32_t sequence = 0xfffffffe) {
  p2wsh_spend s;
  s.tx.inputs.push_back(tx_input{});
  s.tx.inputs[0].sequence = sequence;
  stack.push_back(script);
  s.tx.inputs[0].witness = std::move(stack);
  s.tx.outputs.push_back(tx_output{1000, bytes{OP_TRUE}});
  s.tx.locktime = locktime;
  s.script_pubkey = p2wsh_script_pubkey(script);
  return s;
}

script_error verify(const p2wsh_spend& s) { return verify_input(s.tx, 0, s.script_pubkey, 1000); }

TEST(Interpreter, UnknownOpcodesAreRefusedEvenWhenNotExecuted) {
  // 1 1 OP_ADD: Core would accept; we do not implement OP_ADD.
  const bytes add{OP_1, OP_1, 0x93};
  EXPECT_EQ(verify(spend(add, {})), script_error::unsupported_opcode);
  EXPECT_EQ(script_error_message(script_error::unsupported_opcode), "unsupported opcode");
  EXPECT_EQ(script_error_name(script_error::unsupported_opcode), "UNSUPPORTED_OPCODE");
  // OP_0 OP_IF OP_ADD OP_ENDIF OP_1: in an unexecuted branch, still refused.
  const bytes hidden{OP_0, OP_IF, 0x93, OP_ENDIF, OP_1};
  EXPECT_EQ(verify(spend(hidden, {})), script_error::unsupported_opcode);
  // OP_CODESEPARATOR changes the scriptCode; not implemented, so refused.
  EXPECT_EQ(verify(spend(bytes{OP_CODESEPARATOR, OP_1}, {})), script_error::unsupported_opcode);
}

TEST(Interpreter, P2shIsRefused) {
  // HASH160 <hash160(OP_1)> EQUAL spent by pushing OP_1's script.
  p2wsh_spend s = spend(bytes{OP_1}, {});
  s.tx.inputs[0].witness.clear();
  s.tx.inputs[0].script_sig = bytes{0x01, OP_1};
  const bytes p2sh = *covsigner::crypto::from_hex("a914da1745e9b549bd0bfa1a569971c77eba30cd5a4b87");
  EXPECT_EQ(verify_input(s.tx, 0, p2sh, 1000), script_error::unsupported_script_type);
  // Without the P2SH flag it is a plain hash puzzle, which we do evaluate.
  EXPECT_EQ(verify_input(s.tx, 0, p2sh, 1000, VERIFY_NONE), script_error::ok);
}

TEST(Interpreter, WitnessProgramShapes) {
  p2wsh_spend s = spend(bytes{OP_1}, {});
  EXPECT_EQ(verify(s), script_error::ok);
  s.tx.inputs[0].witness.clear();
  EXPECT_EQ(verify(s), script_error::witness_program_witness_empty);
  // A 0-version program of 25 bytes is neither P2WPKH nor P2WSH.
  bytes odd{OP_0, 25};
  odd.resize(27, 0x42);
  EXPECT_EQ(verify_input(s.tx, 0, odd, 1000), script_error::witness_program_wrong_length);
  // A non-empty scriptSig on a native witness spend.
  p2wsh_spend m = spend(bytes{OP_1}, {});
  m.tx.inputs[0].script_sig = bytes{OP_0};
  EXPECT_EQ(verify(m), script_error::witness_malleated);
}

TEST(Interpreter, CheckLockTimeVerifyArguments) {
  auto cltv = [](std::int64_t n) {
    script_builder b;
    b.number(n).op(OP_CHECKLOCKTIMEVERIFY);
    return std::move(b).script();
  };
  EXPECT_EQ(verify(spend(cltv(100), {}, 100)), script_error::ok);
  EXPECT_EQ(verify(spend(cltv(101), {}, 100)), script_error::unsatisfied_locktime);
  EXPECT_EQ(verify(spend(cltv(-1), {}, 100)), script_error::negative_locktime);
  // 2^32-1 needs 5 bytes and is accepted; a 6-byte number is not a lock time.
  EXPECT_EQ(verify(spend(cltv(4294967295LL), {}, 4294967295U)), script_error::ok);
  const bytes six{0x06, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, OP_CHECKLOCKTIMEVERIFY};
  EXPECT_EQ(verify(spend(six, {}, 100)), script_error::unknown_error);
  // A minimal push of a non-minimal number (0x0100 = 1): Core's scriptnum
  // error, reported as UNKNOWN_ERROR under MINIMALDATA.
  const bytes padded{0x02, 0x01, 0x00, OP_CHECKLOCKTIMEVERIFY};
  EXPECT_EQ(verify(spend(padded, {}, 100)), script_error::unknown_error);
  // Heights and timestamps do not compare.
  EXPECT_EQ(verify(spend(cltv(100), {}, 500000000)), script_error::unsatisfied_locktime);
  // A final sequence disables the lock.
  EXPECT_EQ(verify(spend(cltv(100), {}, 100, 0xffffffff)), script_error::unsatisfied_locktime);
  // Empty stack.
  EXPECT_EQ(verify(spend(bytes{OP_CHECKLOCKTIMEVERIFY}, {}, 100)),
            script_error::invalid_stack_operation);
}

TEST(Interpreter, NonMinimalPushIsRejected) {
  // PUSHDATA1 of one byte where a direct push would do.
  const bytes script{OP_PUSHDATA1, 0x01, 0x2a};
  EXPECT_EQ(verify(spend(script, {})), script_error::minimaldata);
}

TEST(Interpreter, UnbalancedConditionals) {
  EXPECT_EQ(verify(spend(bytes{OP_1, OP_IF, OP_1}, {})), script_error::unbalanced_conditional);
  EXPECT_EQ(verify(spend(bytes{OP_1, OP_ENDIF}, {})), script_error::unbalanced_conditional);
  EXPECT_EQ(verify(spend(bytes{OP_ELSE, OP_1}, {})), script_error::unbalanced_conditional);
}

} // namespace
