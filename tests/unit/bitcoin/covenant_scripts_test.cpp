// self_v1 / qc_v1 witness scripts: exact bytes per reference §6.5, key
// canonicalisation, and the parameter errors.
#include "bitcoin/covenant_scripts.hpp"

#include "test_keys.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace {

using namespace covsigner::bitcoin;
using covsigner::crypto::bytes;
using covsigner::crypto::from_hex;
using covsigner::crypto::to_hex;

// The generator point (private key 1), compressed and uncompressed (SEC 2).
constexpr const char* g_compressed =
    "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
constexpr const char* g_uncompressed =
    "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
    "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";

std::string push33(const bytes& key) { return "21" + to_hex(key); }

class CovenantScripts : public ::testing::Test {
protected:
  test::fixed_keys keys;
};

TEST_F(CovenantScripts, SelfV1MatchesTheTemplateByteForByte) {
  // maturity 950000 = 0x0e7ef0 -> push 03 f07e0e; +delta2 4320 = 954320 =
  // 0x0e8fd0 -> 03 d08f0e. Opcodes: IF 63, ELSE 67, ENDIF 68, CLTV b1,
  // DROP 75, CHECKSIG ac, CHECKMULTISIG ae, OP_2 52.
  auto r = build_self_v1_script({keys.depositor_pub, keys.signer_pub, 950000, 4320});
  ASSERT_TRUE(r.script);
  EXPECT_FALSE(r.error);
  const std::string D = push33(keys.depositor_pub), S = push33(keys.signer_pub);
  EXPECT_EQ(to_hex(*r.script), "63" "52" + D + S + "52" "ae"
                               "67" "63" "03f07e0e" "b1" "75" + S + "ac"
                               "67" "03d08f0e" "b1" "75" + D + "ac"
                               "68" "68");
}

TEST_F(CovenantScripts, QcV1MatchesTheTemplateByteForByte) {
  // maturity-beta = 950000-144 = 949856 = 0x0e7e60 -> 03 607e0e; OP_3 53.
  auto r = build_qc_v1_script(
      {keys.depositor_pub, keys.custodian_pub, keys.signer_pub, 950000, 144, 4320});
  ASSERT_TRUE(r.script);
  const std::string D = push33(keys.depositor_pub), C = push33(keys.custodian_pub),
                    S = push33(keys.signer_pub);
  EXPECT_EQ(to_hex(*r.script), "63" "53" + D + C + S + "53" "ae"
                               "67" "63" "03f07e0e" "b1" "75" "52" + S + C + "52" "ae"
                               "67" "63" "03607e0e" "b1" "75" "52" + D + C + "52" "ae"
                               "67" "03d08f0e" "b1" "75" + D + "ac"
                               "68" "68" "68");
}

TEST_F(CovenantScripts, SmallAndLargeHeightsUseCanonicalPushes) {
  // 16 -> OP_16 (btcd turns a one-byte push of 1..16 into OP_n);
  // 2^32-1 needs a fifth (sign) byte: 05 ffffffff00.
  auto small = build_self_v1_script({keys.depositor_pub, keys.signer_pub, 16, 0});
  ASSERT_TRUE(small.script);
  const std::string D = push33(keys.depositor_pub), S = push33(keys.signer_pub);
  EXPECT_EQ(to_hex(*small.script), "63" "52" + D + S + "52" "ae"
                                   "67" "63" "60" "b1" "75" + S + "ac"
                                   "67" "60" "b1" "75" + D + "ac" "68" "68");
  auto large = build_self_v1_script({keys.depositor_pub, keys.signer_pub, 4294967295ULL, 0});
  ASSERT_TRUE(large.script);
  EXPECT_NE(to_hex(*large.script).find("67" "63" "05ffffffff00" "b1"), std::string::npos);
}

TEST_F(CovenantScripts, UncompressedKeysAreRecompressed) {
  const bytes compressed = *from_hex(g_compressed);
  const bytes uncompressed = *from_hex(g_uncompressed);
  auto a = build_self_v1_script({compressed, keys.signer_pub, 950000, 4320});
  auto b = build_self_v1_script({uncompressed, keys.signer_pub, 950000, 4320});
  ASSERT_TRUE(a.script && b.script);
  EXPECT_EQ(*a.script, *b.script);
  EXPECT_NE(to_hex(*b.script).find(std::string("21") + g_compressed), std::string::npos);
  auto q = build_qc_v1_script({keys.depositor_pub, uncompressed, keys.signer_pub, 950000, 144, 4320});
  auto q2 = build_qc_v1_script({keys.depositor_pub, compressed, keys.signer_pub, 950000, 144, 4320});
  ASSERT_TRUE(q.script && q2.script);
  EXPECT_EQ(*q.script, *q2.script);
}

TEST_F(CovenantScripts, RejectsInvalidKeys) {
  bytes bad_prefix = keys.signer_pub;
  bad_prefix[0] = 0x05;
  const bytes short_key(keys.signer_pub.begin(), keys.signer_pub.end() - 1);
  EXPECT_EQ(build_self_v1_script({bad_prefix, keys.signer_pub, 950000, 4320}).error,
            covenant_script_error::invalid_depositor_key);
  EXPECT_EQ(build_self_v1_script({keys.depositor_pub, short_key, 950000, 4320}).error,
            covenant_script_error::invalid_signer_key);
  EXPECT_EQ(build_qc_v1_script({keys.depositor_pub, bytes{}, keys.signer_pub, 950000, 144, 4320})
                .error,
            covenant_script_error::invalid_custodian_key);
  auto r = build_qc_v1_script({keys.depositor_pub, keys.custodian_pub, bad_prefix, 950000, 144, 4320});
  EXPECT_FALSE(r.script);
  EXPECT_EQ(r.error, covenant_script_error::invalid_signer_key);
  EXPECT_EQ(to_string(*r.error), "signer public key is not a valid secp256k1 public key");
}

TEST_F(CovenantScripts, RejectsOutOfRangeHeights) {
  constexpr std::uint64_t u32max = std::numeric_limits<std::uint32_t>::max();
  auto self = [&](std::uint64_t maturity, std::uint64_t delta2) {
    return build_self_v1_script({keys.depositor_pub, keys.signer_pub, maturity, delta2}).error;
  };
  EXPECT_EQ(self(0, 10), covenant_script_error::zero_maturity);
  EXPECT_EQ(self(u32max + 1, 0), covenant_script_error::maturity_overflow);
  EXPECT_FALSE(self(u32max, 0));
  EXPECT_EQ(self(u32max, 1), covenant_script_error::last_resort_overflow);
  EXPECT_FALSE(self(u32max - 10, 10));
  EXPECT_EQ(self(u32max - 10, 11), covenant_script_error::last_resort_overflow);
  // A delta2 that would wrap a uint64 sum is still an overflow.
  EXPECT_EQ(self(1, std::numeric_limits<std::uint64_t>::max()),
            covenant_script_error::last_resort_overflow);
  EXPECT_EQ(to_string(covenant_script_error::zero_maturity),
            "maturity height must be greater than zero");
  EXPECT_EQ(to_string(covenant_script_error::last_resort_overflow),
            "maturity height plus delta2 must fit in uint32");
}

TEST_F(CovenantScripts, QcV1RequiresBetaBelowMaturity) {
  auto qc = [&](std::uint64_t maturity, std::uint64_t beta, std::uint64_t delta2) {
    return build_qc_v1_script(
               {keys.depositor_pub, keys.custodian_pub, keys.signer_pub, maturity, beta, delta2})
        .error;
  };
  EXPECT_EQ(qc(100, 100, 0), covenant_script_error::beta_not_below_maturity);
  EXPECT_EQ(qc(100, 101, 0), covenant_script_error::beta_not_below_maturity);
  EXPECT_FALSE(qc(100, 99, 0));
  EXPECT_FALSE(qc(100, 0, 0));
  EXPECT_EQ(qc(0, 0, 0), covenant_script_error::zero_maturity);
  EXPECT_EQ(qc(4294967295ULL, 1, 1), covenant_script_error::last_resort_overflow);
  EXPECT_EQ(to_string(covenant_script_error::beta_not_below_maturity),
            "beta must be less than maturity height");
}

} // namespace
