// Interpreter checks against published data: BIP143's signed native P2WPKH
// example (https://github.com/bitcoin/bips/blob/master/bip-0143.mediawiki,
// bitcoin/bips commit 0402dd2b) verified as a whole transaction.
#include "bitcoin/interpreter.hpp"
#include "bitcoin/transaction.hpp"

#include <gtest/gtest.h>

namespace {

using namespace covsigner::bitcoin;
using covsigner::crypto::bytes;
using covsigner::crypto::from_hex;
using covsigner::crypto::to_hex;

constexpr const char* p2wpkh_signed =
    "01000000000102fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f00000000494830"
    "450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be022040529b194ba3f928"
    "1a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed01eeffffffef51e1b804cc89d182d279655c3aa89e81"
    "5b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a9148280b37df378db99f6"
    "6f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa815988"
    "ac000247304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb1366d7f01cc44a0220573a954c"
    "4518331561406f90300e8f3358f51928d43c212a8caed02de67eebee0121025476c2e83188368da1ff3e292e7aca"
    "fcdb3566bb0ad253f62fc70f07aeee635711000000";

TEST(Bip143, NativeP2wpkhSignedTransactionVerifies) {
  // The signed transaction parses, re-serializes byte for byte, and its
  // P2WPKH input verifies under the covenant rules; a changed amount fails.
  auto parsed = parse_transaction(*from_hex(p2wpkh_signed));
  ASSERT_TRUE(parsed.tx) << parsed.error;
  const transaction& tx = *parsed.tx;
  EXPECT_EQ(to_hex(serialize_with_witness(tx)), p2wpkh_signed);
  EXPECT_EQ(to_hex(serialize_without_witness(tx)).substr(0, 8), "01000000");
  ASSERT_EQ(tx.inputs.size(), 2u);
  const bytes spk = *from_hex("00141d0f172a0ecb48aee1be1f2687d2963ae33f71a1");
  EXPECT_EQ(verify_input(tx, 1, spk, 600000000), script_error::ok);
  EXPECT_EQ(verify_input(tx, 1, spk, 600000001), script_error::sig_nullfail);
  EXPECT_EQ(verify_input(tx, 1, spk, 600000001, covenant_verify_flags & ~VERIFY_NULLFAIL),
            script_error::eval_false);
}

} // namespace
