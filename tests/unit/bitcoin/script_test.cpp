// Script numbers, btcd's canonical pushes, the opcode reader and P2WSH.
#include "bitcoin/script.hpp"

#include <gtest/gtest.h>

namespace {

using namespace covsigner::bitcoin;
using covsigner::crypto::bytes;
using covsigner::crypto::from_hex;
using covsigner::crypto::to_hex;

bytes hex(std::string_view h) { return *from_hex(h); }

std::string push_hex(const bytes& data) {
  bytes script;
  append_canonical_push(script, data);
  return to_hex(script);
}

TEST(ScriptNumber, EncodesMinimalLittleEndianWithSignBit) {
  // Encodings as Bitcoin Core's CScriptNum::serialize produces them; the
  // sizes agree with script_tests.json's "N SIZE k EQUAL" cases.
  EXPECT_EQ(to_hex(encode_script_number(0)), "");
  EXPECT_EQ(to_hex(encode_script_number(1)), "01");
  EXPECT_EQ(to_hex(encode_script_number(-1)), "81");
  EXPECT_EQ(to_hex(encode_script_number(16)), "10");
  EXPECT_EQ(to_hex(encode_script_number(127)), "7f");
  EXPECT_EQ(to_hex(encode_script_number(128)), "8000");
  EXPECT_EQ(to_hex(encode_script_number(-128)), "8080");
  EXPECT_EQ(to_hex(encode_script_number(255)), "ff00");
  EXPECT_EQ(to_hex(encode_script_number(256)), "0001");
  EXPECT_EQ(to_hex(encode_script_number(32767)), "ff7f");
  EXPECT_EQ(to_hex(encode_script_number(-32768)), "008080");
  EXPECT_EQ(to_hex(encode_script_number(950000)), "f07e0e");
  EXPECT_EQ(to_hex(encode_script_number(8388608)), "00008000");
  EXPECT_EQ(to_hex(encode_script_number(2147483647)), "ffffff7f");
  EXPECT_EQ(to_hex(encode_script_number(2147483648LL)), "0000008000");
  EXPECT_EQ(to_hex(encode_script_number(4294967295LL)), "ffffffff00");
  EXPECT_EQ(to_hex(encode_script_number(-2147483648LL)), "0000008080");
}

TEST(ScriptNumber, DecodeRoundTripsAndEnforcesLimits) {
  for (std::int64_t n : {0LL, 1LL, -1LL, 127LL, 128LL, -255LL, 950000LL, 4294967295LL, -4294967295LL}) {
    auto encoded = encode_script_number(n);
    auto decoded = decode_script_number(encoded, 5, true);
    ASSERT_FALSE(decoded.error) << n;
    EXPECT_EQ(decoded.value, n);
  }
  // 0x0100 is 1 with a redundant zero byte; 0xff00 needs its zero byte.
  EXPECT_EQ(decode_script_number(hex("0100"), 4, true).error, script_number_error::not_minimal);
  EXPECT_EQ(decode_script_number(hex("0100"), 4, false).value, 1);
  EXPECT_FALSE(decode_script_number(hex("ff00"), 4, true).error);
  EXPECT_EQ(decode_script_number(hex("80"), 4, true).error, script_number_error::not_minimal);
  EXPECT_EQ(decode_script_number(hex("80"), 4, false).value, 0); // negative zero
  EXPECT_EQ(decode_script_number(hex("0000008000"), 4, true).error, script_number_error::too_long);
  EXPECT_EQ(decode_script_number(hex("0000008000"), 5, true).value, 2147483648LL);
}

TEST(CanonicalPush, FollowsBtcdAddData) {
  EXPECT_EQ(push_hex({}), "00");
  EXPECT_EQ(push_hex(hex("00")), "00"); // btcd: a single zero byte is OP_0 too
  EXPECT_EQ(push_hex(hex("01")), "51");
  EXPECT_EQ(push_hex(hex("10")), "60");
  EXPECT_EQ(push_hex(hex("11")), "0111");
  EXPECT_EQ(push_hex(hex("81")), "4f");
  EXPECT_EQ(push_hex(hex("80")), "0180");
  EXPECT_EQ(push_hex(hex("f07e0e")), "03f07e0e");
  EXPECT_EQ(push_hex(bytes(75, 0xab)).substr(0, 4), "4bab");
  EXPECT_EQ(push_hex(bytes(76, 0xab)).substr(0, 6), "4c4cab");
  EXPECT_EQ(push_hex(bytes(255, 0xab)).substr(0, 6), "4cffab");
  EXPECT_EQ(push_hex(bytes(256, 0xab)).substr(0, 8), "4d0001ab");
  EXPECT_EQ(push_hex(bytes(65536, 0xab)).substr(0, 12), "4e00000100ab");
  EXPECT_EQ(push_hex(bytes(65536, 0xab)).size(), (5 + 65536) * 2);
}

TEST(ScriptBuilder, NumbersUseSmallIntegerOpcodes) {
  script_builder b;
  b.number(0).number(1).number(16).number(17).number(-1).number(950000).op(OP_CHECKLOCKTIMEVERIFY);
  EXPECT_EQ(to_hex(b.script()), "0051600111" "4f" "03f07e0e" "b1");
}

TEST(ReadOp, ParsesPushesAndRejectsTruncation) {
  const bytes script = hex("0003aabbcc4c01dd4d0200eeff51ac");
  std::size_t pos = 0;
  std::vector<std::pair<int, std::string>> ops;
  while (pos < script.size()) {
    auto op = read_op(script, pos);
    ASSERT_TRUE(op);
    ops.emplace_back(op->code, to_hex(op->data.data(), op->data.size()));
  }
  std::vector<std::pair<int, std::string>> expected{
      {0x00, ""}, {0x03, "aabbcc"}, {0x4c, "dd"}, {0x4d, "eeff"}, {0x51, ""}, {0xac, ""}};
  EXPECT_EQ(ops, expected);

  for (const char* truncated : {"02aa", "4c", "4c02aa", "4d01", "4e010000"}) {
    bytes s = hex(truncated);
    std::size_t p = 0;
    EXPECT_FALSE(read_op(s, p)) << truncated;
  }
}

TEST(MinimalPush, MatchesCoreRules) {
  EXPECT_TRUE(is_minimal_push(OP_0, {}));
  EXPECT_FALSE(is_minimal_push(OP_PUSHDATA1, {}));
  const bytes one = hex("01");
  EXPECT_FALSE(is_minimal_push(0x01, one)); // must be OP_1
  EXPECT_TRUE(is_minimal_push(OP_1, one));
  const bytes zero = hex("00");
  EXPECT_TRUE(is_minimal_push(0x01, zero)); // OP_0 pushes empty, not 0x00
  const bytes b76(76, 1);
  EXPECT_FALSE(is_minimal_push(OP_PUSHDATA2, b76));
  EXPECT_TRUE(is_minimal_push(OP_PUSHDATA1, b76));
}

TEST(P2wsh, AnchorIsP2wshOfOpTrue) {
  // SHA-256(0x51) = 4ae81572...; the well-known P2WSH(OP_TRUE) output.
  EXPECT_EQ(to_hex(anchor_witness_script()), "51");
  EXPECT_EQ(to_hex(anchor_script_pubkey()),
            "00204ae81572f06e1b88fd5ced7a1a000945432e83e1551e6f721ee9c00b8cc33260");
}

TEST(P2wsh, DepositScriptMatchesPinnedVectorHash) {
  // covenant_recovery_approval_vectors_v2.json: depositScript
  // 0x0014aa..aa has depositScriptHash 0x8532ec67...c6d3 (its SHA-256), so
  // its P2WSH output carries that program.
  const bytes deposit = hex("0014aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  const bytes spk = p2wsh_script_pubkey(deposit);
  EXPECT_EQ(to_hex(spk),
            "00208532ec6785e391b2af968b5728d574e271c7f46658f5ed10845d9ad5b23ac6d3");
  auto program = p2wsh_program(spk);
  ASSERT_TRUE(program);
  EXPECT_EQ(to_hex(*program), "8532ec6785e391b2af968b5728d574e271c7f46658f5ed10845d9ad5b23ac6d3");
  EXPECT_FALSE(p2wsh_program(deposit)); // a P2WPKH program is not P2WSH
}

} // namespace
