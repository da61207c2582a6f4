// Transaction serialization, txid / wtxid and parsing.
#include "bitcoin/transaction.hpp"

#include <gtest/gtest.h>

namespace {

using namespace covsigner::bitcoin;
using covsigner::crypto::bytes;
using covsigner::crypto::from_hex;
using covsigner::crypto::to_hex;

// BIP143's signed native P2WPKH example
// (https://github.com/bitcoin/bips/blob/master/bip-0143.mediawiki).
constexpr const char* signed_hex =
    "01000000000102fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f00000000494830"
    "450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be022040529b194ba3f928"
    "1a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed01eeffffffef51e1b804cc89d182d279655c3aa89e81"
    "5b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a9148280b37df378db99f6"
    "6f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa815988"
    "ac000247304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb1366d7f01cc44a0220573a954c"
    "4518331561406f90300e8f3358f51928d43c212a8caed02de67eebee0121025476c2e83188368da1ff3e292e7aca"
    "fcdb3566bb0ad253f62fc70f07aeee635711000000";

// The same transaction without marker, flag and witnesses (BIP144).
constexpr const char* legacy_hex =
    "0100000002fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f00000000494830450221"
    "008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be022040529b194ba3f9281a99f2b1"
    "c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed01eeffffffef51e1b804cc89d182d279655c3aa89e815b1b309fe2"
    "87d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a9148280b37df378db99f66f85c95a783a"
    "76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa815988ac11000000";

transaction parse_ok(std::string_view h) {
  auto r = parse_transaction(*from_hex(h));
  EXPECT_TRUE(r.tx) << r.error;
  return r.tx.value_or(transaction{});
}

std::string parse_error(std::string_view h) {
  auto r = parse_transaction(*from_hex(h));
  EXPECT_FALSE(r.tx);
  return r.error;
}

TEST(Transaction, ParsesTheBip143SignedExample) {
  const transaction tx = parse_ok(signed_hex);
  EXPECT_EQ(tx.version, 1u);
  ASSERT_EQ(tx.inputs.size(), 2u);
  EXPECT_EQ(tx.inputs[0].sequence, 0xffffffeeu);
  EXPECT_EQ(tx.inputs[0].script_sig.size(), 0x49u);
  EXPECT_TRUE(tx.inputs[0].witness.empty());
  ASSERT_EQ(tx.inputs[1].witness.size(), 2u);
  EXPECT_EQ(to_hex(tx.inputs[1].witness[1]),
            "025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee6357");
  EXPECT_EQ(tx.inputs[1].prevout.vout, 1u);
  ASSERT_EQ(tx.outputs.size(), 2u);
  EXPECT_EQ(tx.outputs[0].value, 112340000);
  EXPECT_EQ(tx.outputs[1].value, 223450000);
  EXPECT_EQ(tx.locktime, 17u);
  EXPECT_TRUE(tx.has_witness());
  EXPECT_EQ(to_hex(serialize_with_witness(tx)), signed_hex);
  EXPECT_EQ(to_hex(serialize_without_witness(tx)), legacy_hex);
}

TEST(Transaction, TxidAndWtxid) {
  // Values computed independently (Python hashlib, double SHA-256 of the
  // two serializations above, displayed byte-reversed).
  const transaction tx = parse_ok(signed_hex);
  EXPECT_EQ(to_display_hex(txid(tx)),
            "e8151a2af31c368a35053ddd4bdb285a8595c769a3ad83e0fa02314a602d4609");
  EXPECT_EQ(to_display_hex(wtxid(tx)),
            "c36c38370907df2324d9ce9d149d191192f338b37665a82e78e76a12c909b762");
  // Internal order is the display order reversed.
  EXPECT_EQ(to_hex(txid(tx)), "09462d604a3102fae083ada369c795855a28db4bdd3d05358a361cf32a1a15e8");
  // A transaction without witnesses: wtxid == txid, and the legacy form
  // parses to the same transaction minus its witness.
  transaction stripped = parse_ok(legacy_hex);
  EXPECT_FALSE(stripped.has_witness());
  EXPECT_EQ(wtxid(stripped), txid(stripped));
  EXPECT_EQ(txid(stripped), txid(tx));
}

TEST(Transaction, DisplayHexRoundTrip) {
  const std::string display = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  auto internal = from_display_hex(display);
  ASSERT_TRUE(internal);
  EXPECT_EQ((*internal)[0], 0xff);
  EXPECT_EQ((*internal)[31], 0x00);
  EXPECT_EQ(to_display_hex(*internal), display);
  EXPECT_TRUE(from_display_hex("00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"));
  EXPECT_FALSE(from_display_hex(display.substr(2)));
  EXPECT_FALSE(from_display_hex("0x" + display.substr(2)));
  EXPECT_FALSE(from_display_hex(display.substr(1) + "g"));
}

TEST(Transaction, RejectsMalformedInput) {
  const std::string legacy = legacy_hex;
  const std::string segwit = signed_hex;
  EXPECT_EQ(parse_error(""), "transaction is truncated");
  EXPECT_EQ(parse_error(legacy.substr(0, legacy.size() - 2)), "transaction is truncated");
  EXPECT_EQ(parse_error(legacy.substr(0, 100)), "transaction is truncated or malformed");
  EXPECT_EQ(parse_error(legacy + "00"), "transaction has trailing bytes");
  // Flag 0x02: an unknown extension.
  EXPECT_EQ(parse_error("010000000002" + segwit.substr(12)), "unknown transaction optional data");
  // Marker with a zero flag.
  EXPECT_EQ(parse_error("010000000000" + segwit.substr(12)), "transaction has no inputs");
  // Witness flag, but every witness empty: Core's "superfluous witness record".
  EXPECT_EQ(parse_error("01000000000101" + std::string(64, 'a') + "00000000" "00" "ffffffff"
                        "01" "0000000000000000" "00" "00" "00000000"),
            "superfluous witness record");
  // Non-canonical CompactSize: 1 input written as fd0100.
  EXPECT_EQ(parse_error("01000000" "fd0100" + std::string(64, 'a') + "00000000" "00" "ffffffff"
                        "00" "00000000"),
            "transaction is truncated or malformed");
  // A count far beyond the remaining bytes does not allocate; it fails.
  EXPECT_EQ(parse_error("01000000" "feffffff0f" "00"), "transaction is truncated or malformed");
}

TEST(Transaction, ParsesWithoutOutputsAndRoundTrips) {
  // One input, no outputs, locktime 0 (legacy form).
  const std::string h = "01000000" "01" + std::string(64, 'b') + "05000000" "00" "fdffffff" "00" "00000000";
  const transaction tx = parse_ok(h);
  EXPECT_TRUE(tx.outputs.empty());
  EXPECT_EQ(tx.inputs[0].prevout.vout, 5u);
  EXPECT_EQ(to_hex(serialize_with_witness(tx)), h);
}

} // namespace
