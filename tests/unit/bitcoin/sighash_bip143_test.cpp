// BIP143 published examples. Source: BIP 143 "Transaction Signature
// Verification for Version 0 Witness Program", section "Example"
// (https://github.com/bitcoin/bips/blob/master/bip-0143.mediawiki, read at
// bitcoin/bips commit 0402dd2b). Hex below is copied from that text.
#include "bitcoin/sighash.hpp"
#include "bitcoin/transaction.hpp"

#include <gtest/gtest.h>

namespace {

using namespace covsigner::bitcoin;
using covsigner::crypto::bytes;
using covsigner::crypto::from_hex;
using covsigner::crypto::to_hex;

bytes hex(std::string_view h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b) << h;
  return b.value_or(bytes{});
}

transaction parse(std::string_view h) {
  auto r = parse_transaction(hex(h));
  EXPECT_TRUE(r.tx) << r.error;
  return r.tx.value_or(transaction{});
}

// --- Native P2WPKH ----------------------------------------------------------
constexpr const char* p2wpkh_unsigned =
    "0100000002fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f0000000000eeffffff"
    "ef51e1b804cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206"
    "000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42db"
    "ee7e4dbe6a21b2d50ce2f0167faa815988ac11000000";

TEST(Bip143, NativeP2wpkhPreimageAndSighash) {
  const transaction tx = parse(p2wpkh_unsigned);
  const bytes script_code = hex("76a9141d0f172a0ecb48aee1be1f2687d2963ae33f71a188ac");
  const std::int64_t amount = 600000000; // 6 BTC
  EXPECT_EQ(to_hex(segwit_v0_sighash_preimage(tx, 1, script_code, amount, SIGHASH_ALL)),
            "0100000096b827c8483d4e9b96712b6713a7b68d6e8003a781feba36c31143470b4efd3752b0a642eea2"
            "fb7ae638c36f6252b6750293dbe574a806984b8e4d8548339a3bef51e1b804cc89d182d279655c3aa89e"
            "815b1b309fe287d9b2b55d57b90ec68a010000001976a9141d0f172a0ecb48aee1be1f2687d2963ae33f"
            "71a188ac0046c32300000000ffffffff863ef3e1a92afbfdb97f31ad0fc7683ee943e9abcf2501590ff8"
            "f6551f47e5e51100000001000000");
  EXPECT_EQ(to_hex(segwit_v0_sighash(tx, 1, script_code, amount, SIGHASH_ALL)),
            "c37af31116d1b27caf68aae9e3ac82f1477929014d5b917657d0eb49478cb670");
}

// --- Native P2WSH (OP_CODESEPARATOR, out-of-range SIGHASH_SINGLE) ----------
TEST(Bip143, NativeP2wshSingleOutOfRange) {
  const transaction tx = parse(
      "0100000002fe3dc9208094f3ffd12645477b3dc56f60ec4fa8e6f5d67c565d1c6b9216b36e0000000000ffff"
      "ffff0815cf020f013ed6cf91d29f4202e8a58726b1ac6c79da47c23d1bee0a6925f80000000000ffffffff0100"
      "f2052a010000001976a914a30741f8145e5acadf23f751864167f32e0963f788ac00000000");
  const std::int64_t amount = 4900000000; // 49 BTC
  // Before the OP_CODESEPARATOR executes: the whole witness script.
  const bytes code_full = hex(
      "21026dccc749adc2a9d0d89497ac511f760f45c47dc5ed9cf352a58ac706453880aeadab210255a9626aebf5e2"
      "9c0e6538428ba0d1dcf6ca98ffdf086aa8ced5e0d0215ea465ac");
  EXPECT_EQ(to_hex(segwit_v0_sighash_preimage(tx, 1, code_full, amount, SIGHASH_SINGLE)),
            "01000000ef546acf4a020de3898d1b8956176bb507e6211b5ed3619cd08b6ea7e2a09d410000000000"
            "0000000000000000000000000000000000000000000000000000000815cf020f013ed6cf91d29f4202e8"
            "a58726b1ac6c79da47c23d1bee0a6925f8000000004721026dccc749adc2a9d0d89497ac511f760f45c4"
            "7dc5ed9cf352a58ac706453880aeadab210255a9626aebf5e29c0e6538428ba0d1dcf6ca98ffdf086aa8"
            "ced5e0d0215ea465ac0011102401000000ffffffff000000000000000000000000000000000000000000"
            "00000000000000000000000000000003000000");
  EXPECT_EQ(to_hex(segwit_v0_sighash(tx, 1, code_full, amount, SIGHASH_SINGLE)),
            "82dde6e4f1e94d02c2b7ad03d2115d691f48d064e9d52f58194a6637e4194391");
  // After it: the script from the OP_CODESEPARATOR on, separator excluded.
  const bytes code_tail =
      hex("210255a9626aebf5e29c0e6538428ba0d1dcf6ca98ffdf086aa8ced5e0d0215ea465ac");
  EXPECT_EQ(to_hex(segwit_v0_sighash(tx, 1, code_tail, amount, SIGHASH_SINGLE)),
            "fef7bd749cce710c5c052bd796df1af0d935e59cea63736268bcbe2d2134fc47");
}

TEST(Bip143, NativeP2wshSingleAnyoneCanPay) {
  const transaction tx = parse(
      "0100000002e9b542c5176808107ff1df906f46bb1f2583b16112b95ee5380665ba7fcfc0010000000000ffff"
      "ffff80e68831516392fcd100d186b3c2c7b95c80b53c77e77c35ba03a66b429a2a1b0000000000ffffffff0280"
      "969800000000001976a914de4b231626ef508c9a74a8517e6783c0546d6b2888ac8096980000000000197"
      "6a9146648a8cd4531e1ec47f35916de8e259237294d1e88ac00000000");
  const std::int64_t amount = 16777215; // 0.16777215 BTC
  const std::uint32_t type = SIGHASH_SINGLE | SIGHASH_ANYONECANPAY;
  const bytes code0 =
      hex("0063ab68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac");
  EXPECT_EQ(to_hex(segwit_v0_sighash_preimage(tx, 0, code0, amount, type)),
            "01000000" + std::string(128, '0') + // hashPrevouts, hashSequence: zero
            "e9b542c5176808107ff1df906f46bb1f25"
            "83b16112b95ee5380665ba7fcfc00100000000270063ab68210392972e2eb617b2388771abe27235fd5a"
            "c44af8e61693261550447a4c3e39da98acffffff0000000000ffffffffb258eaf08c39fbe9fbac97c15c"
            "7e7adeb8df142b0df6f83e017f349c2b6fe3d20000000083000000");
  EXPECT_EQ(to_hex(segwit_v0_sighash(tx, 0, code0, amount, type)),
            "e9071e75e25b8a1e298a72f0d2e9f4f95a0f5cdf86a533cda597eb402ed13b3a");
  const bytes code1 = hex("68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac");
  EXPECT_EQ(to_hex(segwit_v0_sighash(tx, 1, code1, amount, type)),
            "cd72f1f1a433ee9df816857fad88d8ebd97e09a75cd481583eb841c330275e54");
}

// --- P2SH-P2WSH 6-of-6: every sighash type ---------------------------------
TEST(Bip143, AllSighashTypes) {
  const transaction tx = parse(
      "010000000136641869ca081e70f394c6948e8af409e18b619df2ed74aa106c1ca29787b96e0100000000ffff"
      "ffff0200e9a435000000001976a914389ffce9cd9ae88dcc0631e88a821ffdbe9bfe2688acc0832f0500000000"
      "1976a9147480a33f950689af511e6e84c138dbbd3c3ee41588ac00000000");
  const bytes script = hex(
      "56210307b8ae49ac90a048e9b53357a2354b3334e9c8bee813ecb98e99a7e07e8c3ba32103b28f0c28bfab5455"
      "4ae8c658ac5c3e0ce6e79ad336331f78c428dd43eea8449b21034b8113d703413d57761b8b9781957b8c0ac1df"
      "e69f492580ca4195f50376ba4a21033400f6afecb833092a9a21cfdf1ed1376e58c5d1f47de74683123987e967"
      "a8f42103a6d48b1131e94ba04d9737d61acdaa1322008af9602b3b14862c07a1789aac162102d8b661b0b3302e"
      "e2f162b09e07a55ad5dfbe673a9f01d9f0c19617681024306b56ae");
  const std::int64_t amount = 987654321; // 9.87654321 BTC
  const std::vector<std::pair<std::uint32_t, const char*>> cases{
      {SIGHASH_ALL, "185c0be5263dce5b4bb50a047973c1b6272bfbd0103a89444597dc40b248ee7c"},
      {SIGHASH_NONE, "e9733bc60ea13c95c6527066bb975a2ff29a925e80aa14c213f686cbae5d2f36"},
      {SIGHASH_SINGLE, "1e1f1c303dc025bd664acb72e583e933fae4cff9148bf78c157d1e8f78530aea"},
      {SIGHASH_ALL | SIGHASH_ANYONECANPAY,
       "2a67f03e63a6a422125878b40b82da593be8d4efaafe88ee528af6e5a9955c6e"},
      {SIGHASH_NONE | SIGHASH_ANYONECANPAY,
       "781ba15f3779d5542ce8ecb5c18716733a5ee42a6f51488ec96154934e2c890a"},
      {SIGHASH_SINGLE | SIGHASH_ANYONECANPAY,
       "511e8e52ed574121fc1b654970395502128263f62662e076dc6baf05c2e6a99b"},
  };
  for (const auto& [type, expected] : cases)
    EXPECT_EQ(to_hex(segwit_v0_sighash(tx, 0, script, amount, type)), expected) << type;
}

} // namespace
