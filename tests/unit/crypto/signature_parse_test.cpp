// Strict-DER (BIP66) and compact (r || s [|| v]) signature parsing, the
// low-S policy, and DER serialization.
#include "crypto/secp256k1.hpp"
#include "secp256k1_vectors.hpp"
#include "test_hex.hpp"

#include <gtest/gtest.h>

#include <string>

namespace covsigner::crypto {
namespace {

using namespace test;

signature_parse_error error_of(const signature_parse_result& r) {
  EXPECT_TRUE(std::holds_alternative<signature_parse_error>(r));
  return std::holds_alternative<signature_parse_error>(r) ? std::get<signature_parse_error>(r)
                                                         : signature_parse_error{};
}

std::string compact_of(const signature_parse_result& r) {
  if (!std::holds_alternative<ecdsa_signature>(r))
    return "<error " + std::to_string(static_cast<int>(std::get<signature_parse_error>(r))) + ">";
  return to_hex(std::get<ecdsa_signature>(r).compact);
}

constexpr auto invalid = signature_parse_error::invalid_encoding;
constexpr auto high = signature_parse_error::high_s;

// The web3 signature with S replaced by n - S, in DER (S's top bit is set,
// so it is padded).
const std::string kWeb3HighDer = std::string("3046") +
                                 "022100b91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd" +
                                 "022100" + kWeb3HighS;

// --- Strict DER -------------------------------------------------------------------

TEST(DerSignature, ParsesAndRoundTrips) {
  auto r = parse_der_signature(unhex(kWeb3Der));
  EXPECT_EQ(compact_of(r), std::string(kWeb3R) + kWeb3S);
  EXPECT_EQ(to_hex(serialize_der(std::get<ecdsa_signature>(r))), kWeb3Der);
  EXPECT_TRUE(is_strict_der(unhex(kWeb3Der)));
  EXPECT_TRUE(is_strict_der_low_s(unhex(kWeb3Der)));
}

TEST(DerSignature, SmallestStrictEncoding) {
  // r = 1, s = 1: 8 bytes, the BIP66 minimum without the sighash byte.
  auto r = parse_der_signature(unhex("3006020101020101"));
  EXPECT_EQ(compact_of(r), std::string(63, '0') + "1" + std::string(63, '0') + "1");
  EXPECT_EQ(to_hex(serialize_der(std::get<ecdsa_signature>(r))), "3006020101020101");
}

TEST(DerSignature, HighSIsReportedNotNormalized) {
  bytes der = unhex(kWeb3HighDer);
  EXPECT_TRUE(is_strict_der(der)); // the structure is fine
  EXPECT_EQ(error_of(parse_der_signature(der)), high);
  EXPECT_FALSE(is_strict_der_low_s(der));
}

TEST(DerSignature, LowSBoundaryIsHalfTheOrder) {
  // S = floor(n/2) is the largest low S; S = floor(n/2) + 1 is high.
  std::string r_part = "020101";
  EXPECT_EQ(compact_of(parse_der_signature(unhex("3025" + r_part + "0220" + kHalfOrder))),
            std::string(63, '0') + "1" + kHalfOrder);
  std::string above = kHalfOrder;
  above.back() = '1';
  EXPECT_EQ(error_of(parse_der_signature(unhex("3025" + r_part + "0220" + above))), high);
}

// Each BIP66 IsValidSignatureEncoding rule, for signatures without the
// sighash byte (BIP66 "DER encoding" section; Bitcoin Core's
// script_tests.json DERSIG cases are the same shapes).
struct der_case {
  const char* name;
  std::string hex;
};

class DerStrictness : public ::testing::TestWithParam<der_case> {};

TEST_P(DerStrictness, RejectedAsInvalidEncoding) {
  bytes der = unhex(GetParam().hex);
  EXPECT_FALSE(is_strict_der(der));
  EXPECT_FALSE(is_strict_der_low_s(der));
  EXPECT_EQ(error_of(parse_der_signature(der)), invalid);
}

const std::string kR = "022100b91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd";
const std::string kS = "02206007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a029";

INSTANTIATE_TEST_SUITE_P(
    Bip66, DerStrictness,
    ::testing::Values(
        der_case{"Empty", ""},
        der_case{"TooShort", "30050201010201"},
        // 73 bytes, otherwise consistent (R and S 33-byte values).
        der_case{"TooLong", "3047022100" + std::string(64, 'f') + "022200" + "80" + std::string(64, '0')},
        der_case{"WrongSequenceTag", "3145" + kR + kS},
        der_case{"TotalLengthTooBig", "3046" + kR + kS},
        der_case{"TotalLengthTooSmall", "3044" + kR + kS},
        der_case{"TrailingByte", "3046" + kR + kS + "00"},
        der_case{"RLengthRunsPastEnd", "3006020301010201"},
        der_case{"ComponentLengthsDoNotAddUp", "3006020101020201"},
        der_case{"RNotAnInteger", "3045032100" + kR.substr(6) + kS},
        der_case{"ZeroLengthR", "3006020002020101"},
        der_case{"NegativeR",
                 "3044" + std::string("0220b91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd") +
                     kS},
        der_case{"PaddedR", "3007" + std::string("02020001") + "020101"},
        der_case{"SNotAnInteger", "3045" + kR + "0320" + kS.substr(4)},
        der_case{"ZeroLengthS", "3006020201010200"},
        der_case{"NegativeS", "3006020101020180"},
        der_case{"PaddedS", "3007020101" + std::string("02020001")}),
    [](const ::testing::TestParamInfo<der_case>& info) { return std::string(info.param.name); });

TEST(DerSignature, StrictButOutOfRangeIsInvalid) {
  // r = 0.
  bytes zero_r = unhex("3006020100020101");
  EXPECT_TRUE(is_strict_der(zero_r));
  EXPECT_EQ(error_of(parse_der_signature(zero_r)), invalid);
  // s = 0.
  EXPECT_EQ(error_of(parse_der_signature(unhex("3006020101020100"))), invalid);
  // r = n (33 bytes with its pad).
  bytes r_order = unhex("3026022100" + std::string(kOrder) + "020101");
  EXPECT_TRUE(is_strict_der(r_order));
  EXPECT_EQ(error_of(parse_der_signature(r_order)), invalid);
  // s = n: out of range, reported as invalid rather than "high".
  EXPECT_EQ(error_of(parse_der_signature(unhex("3026020101022100" + std::string(kOrder)))), invalid);
  // A 33-byte integer value (00 pad before a byte >= 0x80 and 32 more bytes).
  bytes wide_r = unhex("3027022200" + std::string("80") + std::string(64, '0') + "020101");
  EXPECT_TRUE(is_strict_der(wide_r));
  EXPECT_EQ(error_of(parse_der_signature(wide_r)), invalid);
}

// is_strict_der_low_s mirrors Bitcoin Core's IsLowDERSignature
// (src/script/interpreter.cpp + CPubKey::CheckLowS): S is read with the lax
// parser, which replaces the whole signature by zero when r or s is >= n or
// wider than 32 bytes, and zero is low. Such signatures fail later, at
// verification, not with SCRIPT_ERR_SIG_HIGH_S.
TEST(DerSignature, LowSCheckMirrorsBitcoinCore) {
  EXPECT_TRUE(is_strict_der_low_s(unhex("3006020100020101")));                       // r = 0
  EXPECT_TRUE(is_strict_der_low_s(unhex("3006020101020100")));                       // s = 0
  EXPECT_TRUE(is_strict_der_low_s(unhex("3026020101022100" + std::string(kOrder)))); // s = n
  // r = n with a high S: the overflow zeroes S too, so Core calls it low.
  EXPECT_TRUE(is_strict_der_low_s(unhex("3046022100" + std::string(kOrder) + "022100" + kWeb3HighS)));
  // A 33-byte r (a high S would not fit in 72 bytes next to it).
  EXPECT_TRUE(is_strict_der_low_s(unhex("3027022200" + std::string("80") + std::string(64, '0') + "020101")));
  // In range and high: rejected; in range and low: accepted.
  EXPECT_FALSE(is_strict_der_low_s(unhex(kWeb3HighDer)));
  EXPECT_TRUE(is_strict_der_low_s(unhex(kWeb3Der)));
  // A structural failure is never "low".
  EXPECT_FALSE(is_strict_der_low_s(unhex("3006020101020180")));
}

// --- Compact, recoverable and "compact or DER" (reference §5.3) ------------------

TEST(CompactSignature, SixtyFourBytes) {
  bytes rs = unhex(std::string(kWeb3R) + kWeb3S);
  EXPECT_EQ(compact_of(parse_compact_or_der(rs)), std::string(kWeb3R) + kWeb3S);
}

TEST(CompactSignature, SixtyFiveBytesAcceptsV0_1_27_28) {
  for (int v : {0, 1, 27, 28}) {
    bytes sig = unhex(std::string(kWeb3R) + kWeb3S);
    sig.push_back(static_cast<std::uint8_t>(v));
    EXPECT_EQ(compact_of(parse_compact_or_der(sig)), std::string(kWeb3R) + kWeb3S) << v;
  }
}

TEST(CompactSignature, SixtyFiveBytesRejectsOtherV) {
  for (int v : {2, 3, 26, 29, 35, 37, 0xff}) {
    bytes sig = unhex(std::string(kWeb3R) + kWeb3S);
    sig.push_back(static_cast<std::uint8_t>(v));
    EXPECT_EQ(error_of(parse_compact_or_der(sig)), invalid) << v;
  }
}

TEST(CompactSignature, HighSInEveryForm) {
  bytes rs = unhex(std::string(kWeb3R) + kWeb3HighS);
  EXPECT_EQ(error_of(parse_compact_or_der(rs)), high);
  rs.push_back(27);
  EXPECT_EQ(error_of(parse_compact_or_der(rs)), high);
  EXPECT_EQ(error_of(parse_compact_or_der(unhex(kWeb3HighDer))), high);
}

TEST(CompactSignature, OutOfRangeComponents) {
  EXPECT_EQ(error_of(parse_compact_or_der(unhex(std::string(kOrder) + kWeb3S))), invalid);
  EXPECT_EQ(error_of(parse_compact_or_der(unhex(std::string(kWeb3R) + kOrder))), invalid);
  EXPECT_EQ(error_of(parse_compact_or_der(bytes(64, 0))), invalid);
  EXPECT_EQ(error_of(parse_compact_or_der(unhex(std::string(64, '0') + kWeb3S))), invalid);
  EXPECT_EQ(error_of(parse_compact_or_der(unhex(std::string(kWeb3R) + std::string(64, '0')))),
            invalid);
}

TEST(CompactSignature, OtherLengthsAreDer) {
  EXPECT_EQ(compact_of(parse_compact_or_der(unhex(kWeb3Der))), std::string(kWeb3R) + kWeb3S);
  EXPECT_EQ(error_of(parse_compact_or_der(bytes{})), invalid);
  EXPECT_EQ(error_of(parse_compact_or_der(bytes(63, 0x11))), invalid);
  EXPECT_EQ(error_of(parse_compact_or_der(bytes(66, 0x11))), invalid);
}

TEST(RecoverableSignature, MapsVToRecoveryId) {
  for (auto [v, id] : {std::pair{0, 0}, {1, 1}, {27, 0}, {28, 1}}) {
    bytes sig = unhex(std::string(kWeb3R) + kWeb3S);
    sig.push_back(static_cast<std::uint8_t>(v));
    auto r = parse_recoverable_signature(sig);
    ASSERT_TRUE(std::holds_alternative<recoverable_signature>(r)) << v;
    EXPECT_EQ(std::get<recoverable_signature>(r).recovery_id, id);
    EXPECT_EQ(to_hex(std::get<recoverable_signature>(r).rs.compact), std::string(kWeb3R) + kWeb3S);
  }
}

TEST(RecoverableSignature, Rejections) {
  auto err = [](const bytes& sig) {
    auto r = parse_recoverable_signature(sig);
    EXPECT_TRUE(std::holds_alternative<signature_parse_error>(r));
    return std::holds_alternative<signature_parse_error>(r) ? std::get<signature_parse_error>(r)
                                                           : signature_parse_error{};
  };
  bytes rs = unhex(std::string(kWeb3R) + kWeb3S);
  EXPECT_EQ(err(rs), invalid); // 64 bytes: no v
  EXPECT_EQ(err(unhex(kWeb3Der)), invalid);
  bytes v2 = rs;
  v2.push_back(2);
  EXPECT_EQ(err(v2), invalid);
  bytes high_sig = unhex(std::string(kWeb3R) + kWeb3HighS);
  high_sig.push_back(28);
  EXPECT_EQ(err(high_sig), high);
  bytes overflow = unhex(std::string(kOrder) + kWeb3S);
  overflow.push_back(27);
  EXPECT_EQ(err(overflow), invalid);
}

TEST(RecoverableSignature, ParsedWeb3SignatureRecoversItsSigner) {
  bytes sig = unhex(std::string(kWeb3R) + kWeb3S + "1c");
  auto parsed = parse_recoverable_signature(sig);
  ASSERT_TRUE(std::holds_alternative<recoverable_signature>(parsed));
  const auto& rec = std::get<recoverable_signature>(parsed);
  auto pub = recover(digest_of(kWeb3MessageHash), rec.rs.compact, rec.recovery_id);
  ASSERT_TRUE(pub);
  EXPECT_EQ(to_hex(eth_address(*pub)), kWeb3Address);
}

TEST(SerializeDer, RejectsOutOfRangeCompact) {
  EXPECT_TRUE(serialize_der(ecdsa_signature{rs_of(kOrder, kWeb3S)}).empty());
}

} // namespace
} // namespace covsigner::crypto
