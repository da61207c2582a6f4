// The committed walk-through examples sign on the committed development
// chain: each examples/requests/<route>-certified.json passes the node's
// submit validation with a certificate verifier at the chain's height, its
// certificate verifies against the wallet examples/chain/dev-chain.json
// describes, and the tbtc engine's pure steps (covenant/signing_engine.hpp:
// prepare, resolve the active outpoint from the fixture's transaction,
// plan, finish with the signer dev key's signature, the key in
// examples/dev-signer.key) end in ARTIFACT_READY with a transaction our
// interpreter accepts, or HANDOFF_READY with a handoff the custodian dev
// key completes into a valid spend. The covsignerd process test runs the
// same files through `make run`'s configuration.
#include "tests/unit/tools/run_ctl.hpp"

#include "bitcoin/covenant_transaction.hpp"
#include "bitcoin/interpreter.hpp"
#include "bitcoin/script.hpp"
#include "chain/fixture.hpp"
#include "covenant/signer_approval.hpp"
#include "covenant/signing_engine.hpp"
#include "covenant/validation.hpp"
#include "crypto/sha256.hpp"
#include "persistence/key_file.hpp"
#include "tests/support/signed_requests.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <string>

namespace {

using namespace covsigner;
using test_support::read_text_file;

const std::string examples_dir = std::string{COVSIGNER_SOURCE_DIR} + "/examples";

chain::fixture_chain dev_chain() {
  std::string error;
  auto chain = chain::load_fixture_file(examples_dir + "/chain/dev-chain.json", error);
  if (!chain)
    throw std::runtime_error("examples/chain/dev-chain.json: " + error);
  return *chain;
}

crypto::bytes compressed(const crypto::private_key& key) {
  return crypto::serialize_compressed(crypto::derive_public_key(key));
}

class DevChainExample : public ::testing::TestWithParam<std::string> {};

} // namespace

TEST(DevChainExamples, TheCommittedKeyIsThePublicSignerDevKey) {
  // The file holds exactly the scalar 0x22..22 (the reference tests' signer
  // key, test_support::dev_key(0x22)) and nothing the key parser refuses.
  auto parsed = persistence::parse_key_file_text(read_text_file(examples_dir + "/dev-signer.key"));
  ASSERT_TRUE(std::holds_alternative<crypto::private_key>(parsed))
    << std::get<std::string>(parsed);
  EXPECT_EQ(compressed(std::get<crypto::private_key>(parsed)),
            compressed(test_support::dev_key(0x22)));
}

TEST_P(DevChainExample, ValidatesVerifiesAndSignsOnTheDevChain) {
  const std::string route = GetParam();
  const auto chain = dev_chain();
  const covenant::eip712_domain domain{0, covenant::default_approval_salt()}; // dev.ini's
  const std::string body = read_text_file(examples_dir + "/requests/" + route + "-certified.json");

  // Validation as a node with a verifier at the chain's height runs it.
  auto decoded = covenant::decode_submit_input(body);
  ASSERT_TRUE(std::holds_alternative<covenant::submit_input>(decoded));
  covenant::validation_policy policy;
  policy.domain = domain;
  policy.verifier_configured = true;
  policy.current_height = chain.host_chain_height;
  auto validated =
    covenant::validate_submit(std::get<covenant::submit_input>(decoded), route, policy);
  if (auto* e = std::get_if<covenant::validation_error>(&validated))
    FAIL() << e->message;
  const auto& normalized = std::get<covenant::validated_request>(validated).normalized;

  // The certificate verifies against the chain's wallet (Bridge + registry).
  auto subject = covenant::resolve_signer_approval_subject(normalized, domain);
  if (auto* e = std::get_if<covenant::signer_approval_error>(&subject))
    FAIL() << e->message;
  const auto& s = std::get<covenant::signer_approval_subject>(subject);
  auto wallet_it = chain.bridge.find(s.wallet_public_key_hash);
  ASSERT_NE(wallet_it, chain.bridge.end()) << "the dev chain has no wallet for the signer key";
  auto wallet = wallet_it->second;
  wallet.members_ids_hash = chain.registry.at(wallet.ecdsa_wallet_id);
  auto refused = covenant::verify_signer_approval(normalized, s, wallet);
  EXPECT_FALSE(refused) << refused->message;

  // The engine's steps, with the fixture's transaction as the Bitcoin read.
  covenant::job job;
  job.request_id = route == "qc_v1" ? "kcs_qc_0123456789abcdef" : "kcs_self_0123456789abcdef";
  job.route = route;
  job.request_json = boost::json::serialize(boost::json::parse(body).at("request"));
  covenant::engine_settings settings;
  settings.fraud_defense_confirmed = true; // as dev.ini
  const auto signer_key = test_support::dev_key(0x22);
  const auto signer_public = compressed(signer_key);
  auto prepared = covenant::prepare_spend(job, settings, std::span<const std::uint8_t>(signer_public));
  if (auto* t = std::get_if<covenant::job_transition>(&prepared))
    FAIL() << t->reason << ": " << t->detail;
  const auto& prep = std::get<covenant::spend_preparation>(prepared);
  auto tx_it = chain.transactions.find(*crypto::fixed_from_0x_hex<32>(prep.active_txid_display));
  ASSERT_NE(tx_it, chain.transactions.end()) << "the dev chain lacks " << prep.active_txid_display;
  covenant::outpoint_lookup lookup;
  lookup.result = covenant::outpoint_lookup::outcome::found;
  lookup.transaction_hex = tx_it->second.hex;
  lookup.confirmations = tx_it->second.confirmations;
  EXPECT_GE(lookup.confirmations, covenant::default_min_confirmations);
  // The dev chain marks no output spent (`make run` ends READY).
  const bool spent = chain.spent_outputs.count({tx_it->first, prep.request.active_outpoint.vout}) > 0;
  EXPECT_FALSE(spent) << "the dev chain spends " << prep.active_txid_display;
  lookup.output = spent ? covenant::output_spend::spent : covenant::output_spend::unspent;
  auto resolved = covenant::resolve_active_outpoint(prep, lookup, settings);
  if (auto* t = std::get_if<covenant::job_transition>(&resolved))
    FAIL() << t->reason << ": " << t->detail;
  const auto& utxo = std::get<covenant::active_utxo>(resolved);
  auto planned = covenant::plan_spend(prep, utxo);
  if (auto* t = std::get_if<covenant::job_transition>(&planned))
    FAIL() << t->reason << ": " << t->detail;
  const auto& spend = std::get<covenant::planned_spend>(planned);
  auto finished = covenant::finish_spend(
    prep, utxo, spend, crypto::to_0x_hex(crypto::sign_der(signer_key, spend.sighash)));
  ASSERT_NE(finished.state, covenant::job_state::failed) << finished.reason << ": " << finished.detail;

  if (route == "self_v1") {
    EXPECT_EQ(finished.state, covenant::job_state::artifact_ready);
    auto tx = bitcoin::parse_transaction(*crypto::from_0x_hex(finished.transaction_hex));
    ASSERT_TRUE(tx.tx) << tx.error;
    EXPECT_EQ(tx.tx->inputs[0].prevout, utxo.prevout);
    EXPECT_EQ(bitcoin::verify_input(*tx.tx, 0, utxo.script_pubkey, utxo.value),
              bitcoin::script_error::ok);
  } else {
    EXPECT_EQ(finished.state, covenant::job_state::handoff_ready);
    auto handoff = boost::json::parse(finished.handoff_json).as_object();
    auto unsigned_tx = bitcoin::parse_transaction(
      *crypto::from_0x_hex(std::string(handoff.at("unsignedTransactionHex").as_string())));
    ASSERT_TRUE(unsigned_tx.tx) << unsigned_tx.error;
    auto custodian = crypto::sign_der(test_support::dev_key(0x33), spend.sighash);
    custodian.push_back(0x01);
    auto completed = bitcoin::with_input_witness(
      *unsigned_tx.tx,
      bitcoin::qc_v1_migration_witness(
        *crypto::from_0x_hex(std::string(handoff.at("signerSignature").as_string())), custodian,
        prep.witness_script));
    EXPECT_EQ(bitcoin::verify_input(completed, 0, utxo.script_pubkey, utxo.value),
              bitcoin::script_error::ok);
  }

  // The uncertified example spends the same outpoint: only the certificate
  // (and its signature in artifactSignatures) differs.
  auto plain = boost::json::parse(read_text_file(examples_dir + "/requests/" + route + ".json"))
                 .at("request")
                 .as_object();
  auto certified = boost::json::parse(body).at("request").as_object();
  EXPECT_EQ(plain.at("activeOutpoint"), certified.at("activeOutpoint"));
  certified.erase("signerApproval");
  certified["artifactSignatures"].as_array().pop_back();
  EXPECT_EQ(plain, certified);
}

INSTANTIATE_TEST_SUITE_P(Routes, DevChainExample, ::testing::Values("qc_v1", "self_v1"));
