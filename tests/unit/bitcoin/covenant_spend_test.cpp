// The covenant spend layout (reference §6.7) and every template branch spent
// through the interpreter with fresh signatures.
#include "covenant_fixtures.hpp"
#include "crypto/sha256.hpp"

#include <gtest/gtest.h>

namespace {

using namespace covsigner::bitcoin;
using covsigner::crypto::bytes;
using covsigner::crypto::from_hex;
using covsigner::crypto::to_hex;

TEST(CovenantSpend, EveryBranchAndBoundaryVerifiesAsExpected) {
  const auto cases = test::all_spend_cases();
  ASSERT_EQ(cases.size(), 22u);
  int accepted = 0;
  for (const auto& c : cases) {
    const script_error got = verify_input(c.tx, 0, c.spent_script_pubkey, c.amount);
    EXPECT_EQ(script_error_name(got), script_error_name(c.expected)) << c.name;
    accepted += got == script_error::ok;
  }
  EXPECT_EQ(accepted, 8); // the 7 branches, plus the signer one block after maturity
}

TEST(CovenantSpend, LayoutFollowsReference) {
  const transaction tx = test::unsigned_spend(950000);
  EXPECT_EQ(tx.version, 1u);
  ASSERT_EQ(tx.inputs.size(), 1u);
  EXPECT_EQ(tx.inputs[0].sequence, 0xfffffffdu);
  EXPECT_TRUE(tx.inputs[0].script_sig.empty());
  EXPECT_EQ(tx.inputs[0].prevout.vout, 1u);
  EXPECT_EQ(to_display_hex(tx.inputs[0].prevout.txid),
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab");
  EXPECT_EQ(tx.inputs[0].prevout.txid[0], 0xab); // internal order is reversed
  EXPECT_EQ(tx.locktime, 950000u);
  ASSERT_EQ(tx.outputs.size(), 2u);
  EXPECT_EQ(tx.outputs[0].value, 998000);
  // MIGRATION wraps the depositScript: P2WSH with the pinned depositScriptHash.
  EXPECT_EQ(to_hex(tx.outputs[0].script_pubkey),
            "00208532ec6785e391b2af968b5728d574e271c7f46658f5ed10845d9ad5b23ac6d3");
  EXPECT_EQ(tx.outputs[1].value, 330);
  EXPECT_EQ(to_hex(tx.outputs[1].script_pubkey),
            "00204ae81572f06e1b88fd5ced7a1a000945432e83e1551e6f721ee9c00b8cc33260");
  // Hand-assembled legacy serialization of the same transaction.
  EXPECT_EQ(to_hex(qc_v1_unsigned_transaction(tx)),
            "01000000" "01" + std::string("ab") + std::string(62, 'a') + "01000000" "00" "fdffffff"
            "02" "703a0f0000000000" "22" "00208532ec6785e391b2af968b5728d574e271c7f46658f5ed10845d9ad5b23ac6d3"
            "4a01000000000000" "22" "00204ae81572f06e1b88fd5ced7a1a000945432e83e1551e6f721ee9c00b8cc33260"
            "f07e0e00");
}

TEST(CovenantSpend, RedeemAndRenewUseTheScriptVerbatim) {
  const bytes script = *from_hex("76a914000102030405060708090a0b0c0d0e0f1011121388ac");
  EXPECT_EQ(destination_script_pubkey(covenant_action::redeem, script), script);
  EXPECT_EQ(destination_script_pubkey(covenant_action::renew, script), script);
  EXPECT_EQ(destination_script_pubkey(covenant_action::migration, script),
            p2wsh_script_pubkey(script));
  covenant_spend_plan plan;
  plan.action = covenant_action::redeem;
  plan.destination_script = script;
  plan.destination_value_sats = 5;
  auto r = build_covenant_spend(plan);
  ASSERT_TRUE(r.tx);
  EXPECT_EQ(r.tx->outputs[0].script_pubkey, script);
}

TEST(CovenantSpend, RejectsValuesBeyondInt64) {
  covenant_spend_plan plan;
  plan.destination_value_sats = 0x8000000000000000ULL;
  auto r = build_covenant_spend(plan);
  EXPECT_FALSE(r.tx);
  EXPECT_EQ(r.error, "destination value exceeds int64");
  plan.destination_value_sats = 0x7fffffffffffffffULL;
  EXPECT_TRUE(build_covenant_spend(plan).tx);
}

TEST(CovenantSpend, SelfV1ArtifactWitnessAndPsbtHash) {
  const test::fixed_keys k;
  const bytes script =
      *build_self_v1_script({k.depositor_pub, k.signer_pub, test::maturity, test::delta2}).script;
  const transaction unsigned_tx = test::unsigned_spend(950000);
  const bytes sig = test::sign_with_hashtype(k.signer, covenant_sighash(unsigned_tx, script, test::input_value));
  const std::vector<bytes> witness = self_v1_signer_witness(sig, script);
  ASSERT_EQ(witness.size(), 4u);
  EXPECT_EQ(witness[0], sig);
  EXPECT_EQ(to_hex(witness[1]), "01");
  EXPECT_TRUE(witness[2].empty());
  EXPECT_EQ(witness[3], script);
  const transaction signed_tx = with_input_witness(unsigned_tx, witness);
  EXPECT_EQ(verify_input(signed_tx, 0, p2wsh_script_pubkey(script), test::input_value),
            script_error::ok);

  const bytes full = serialize_with_witness(signed_tx);
  EXPECT_EQ(to_hex(full).substr(0, 12), "010000000001"); // version, marker, flag
  // psbtHash: double SHA-256 of the witness serialization, not reversed.
  EXPECT_EQ(self_v1_psbt_hash(signed_tx), covsigner::crypto::double_sha256(full));
  EXPECT_EQ(self_v1_psbt_hash(signed_tx), wtxid(signed_tx));
  EXPECT_NE(wtxid(signed_tx), txid(signed_tx));
  EXPECT_EQ(txid(signed_tx), txid(unsigned_tx)); // witness is not in the txid
  // The full serialization parses back to the same transaction.
  auto parsed = parse_transaction(full);
  ASSERT_TRUE(parsed.tx) << parsed.error;
  EXPECT_EQ(*parsed.tx, signed_tx);
}

TEST(CovenantSpend, MaturitySelectorIsOneThenEmpty) {
  auto selector = maturity_branch_selector();
  ASSERT_EQ(selector.size(), 2u);
  EXPECT_EQ(to_hex(selector[0]), "01");
  EXPECT_EQ(to_hex(selector[1]), "");
}

} // namespace
