// The tbtc engine's pure steps (covenant/signing_engine.hpp): every failure
// path of reference §6.2-§6.7 with its state, reason and exact detail
// (keep-core pkg/tbtc/covenant_signer.go), and the READY results.
#include "covenant/signing_engine.hpp"

#include "bitcoin/covenant_transaction.hpp"
#include "bitcoin/interpreter.hpp"
#include "bitcoin/script.hpp"
#include "covenant/handoff.hpp"
#include "covenant/validation.hpp"
#include "crypto/hash160.hpp"
#include "tests/support/funded_requests.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace covsigner;
using namespace covsigner::covenant;
using test_support::funded_request;

namespace {

const std::string gate_detail =
  "covenant signing is disabled until the tBTC Bridge covenant fraud-defense path is confirmed "
  "deployed; a covenant signature would otherwise expose the wallet to an undefeatable fraud "
  "challenge";

// A job as the node stores it: the normalised request as canonical JSON.
job job_for(const boost::json::object& request, const std::string& route) {
  auto decoded = decode_route_submit_request(boost::json::serialize(request));
  EXPECT_TRUE(std::holds_alternative<route_submit_request>(decoded));
  job j;
  j.request_id = route == "qc_v1" ? "kcs_qc_00112233aabbccdd" : "kcs_self_00112233aabbccdd";
  j.route = route;
  j.request_json = canonical_request_json(std::get<route_submit_request>(decoded));
  return j;
}

// The same job through the full validator first (the request is valid).
job validated_job_for(const boost::json::object& request, const std::string& route) {
  auto decoded = decode_route_submit_request(boost::json::serialize(request));
  auto validated =
    validate_route_request(std::get<route_submit_request>(decoded), route, validation_policy{});
  if (auto* e = std::get_if<validation_error>(&validated))
    ADD_FAILURE() << e->message;
  job j = job_for(request, route);
  j.request_json = canonical_request_json(std::get<validated_request>(validated).normalized);
  return j;
}

engine_settings gate_on() {
  engine_settings s;
  s.fraud_defense_confirmed = true;
  return s;
}

const crypto::bytes signer_key = *crypto::from_0x_hex(test_support::dev_public_key_hex(0x22));

std::variant<spend_preparation, job_transition> prepare(const job& j,
                                                        const engine_settings& s = gate_on()) {
  return prepare_spend(j, s, std::span<const std::uint8_t>(signer_key));
}

void expect_failed(const job_transition& t, std::string_view reason, const std::string& detail) {
  EXPECT_EQ(t.state, job_state::failed);
  EXPECT_EQ(t.reason, reason);
  EXPECT_EQ(t.detail, detail);
  EXPECT_TRUE(t.transaction_hex.empty() && t.psbt_hash.empty() && t.handoff_json.empty());
}

template <class T>
void expect_failed(const std::variant<T, job_transition>& r, std::string_view reason,
                   const std::string& detail) {
  ASSERT_TRUE(std::holds_alternative<job_transition>(r)) << "expected: " << detail;
  expect_failed(std::get<job_transition>(r), reason, detail);
}

outpoint_lookup found(const funded_request& f, std::uint64_t confirmations = 6) {
  outpoint_lookup l;
  l.result = outpoint_lookup::outcome::found;
  l.transaction_hex = crypto::to_hex(bitcoin::serialize_with_witness(f.funding_tx));
  l.confirmations = confirmations;
  l.output = output_spend::unspent;
  return l;
}

boost::json::object& tmpl(boost::json::object& request) {
  return request["scriptTemplate"].as_object();
}

} // namespace

// --- §6.2 gate and dispatch ----------------------------------------------------

TEST(SigningEngine, GateOffRefusesEveryJob) {
  auto f = test_support::make_funded_request("self_v1");
  engine_settings off; // the default
  EXPECT_FALSE(off.fraud_defense_confirmed);
  expect_failed(prepare(job_for(f.request, "self_v1"), off), failure_reason::policy_rejected,
                gate_detail);
  // Before anything else: even an unknown route gets the gate's answer.
  auto j = job_for(f.request, "self_v1");
  j.route = "xx_v1";
  expect_failed(prepare(j, off), failure_reason::policy_rejected, gate_detail);
}

TEST(SigningEngine, UnknownRouteIsInvalidInput) {
  auto f = test_support::make_funded_request("self_v1");
  auto j = job_for(f.request, "self_v1");
  j.route = "xx_v1";
  expect_failed(prepare(j), failure_reason::invalid_input, "unsupported covenant route");
}

// --- template and signer key ------------------------------------------------------

TEST(SigningEngine, TemplateFailures) {
  auto f = test_support::make_funded_request("self_v1");
  auto wrong = f.request;
  tmpl(wrong)["template"] = "qc_v1";
  expect_failed(prepare(job_for(wrong, "self_v1")), failure_reason::invalid_input,
                "request template must be self_v1");
  auto unknown_key = f.request;
  tmpl(unknown_key)["extra"] = 1;
  auto r = prepare(job_for(unknown_key, "self_v1"));
  ASSERT_TRUE(std::holds_alternative<job_transition>(r));
  EXPECT_EQ(std::get<job_transition>(r).reason, failure_reason::invalid_input);
  EXPECT_EQ(std::get<job_transition>(r).detail.rfind("cannot decode self_v1 template: ", 0), 0u)
    << std::get<job_transition>(r).detail;
  auto qc = test_support::make_funded_request("qc_v1");
  auto qc_wrong = qc.request;
  tmpl(qc_wrong)["template"] = "self_v1";
  expect_failed(prepare(job_for(qc_wrong, "qc_v1")), failure_reason::invalid_input,
                "request template must be qc_v1");
}

TEST(SigningEngine, InvalidSignerKey) {
  for (std::string route : {"self_v1", "qc_v1"}) {
    auto f = test_support::make_funded_request(route);
    tmpl(f.request)["signerPublicKey"] = "0x05" + std::string(64, '1');
    expect_failed(prepare(job_for(f.request, route)), failure_reason::invalid_input,
                  "invalid " + route + " signer public key");
  }
}

TEST(SigningEngine, WalletMustBeControlledByThisNode) {
  auto f = test_support::make_funded_request("self_v1");
  auto j = job_for(f.request, "self_v1");
  expect_failed(prepare_spend(j, gate_on(), std::nullopt), failure_reason::provider_failed,
                "cannot resolve signing executor: no signer is configured");
  auto other = *crypto::from_0x_hex(test_support::dev_public_key_hex(0x44));
  expect_failed(prepare_spend(j, gate_on(), std::span<const std::uint8_t>(other)),
                failure_reason::policy_rejected, "wallet is not controlled by this node");
  // The signer's key in uncompressed form is the same wallet.
  auto uncompressed = crypto::serialize_uncompressed(*crypto::parse_public_key(signer_key));
  auto ok = prepare_spend(j, gate_on(), std::span<const std::uint8_t>(uncompressed));
  ASSERT_TRUE(std::holds_alternative<spend_preparation>(ok));
  EXPECT_EQ(std::get<spend_preparation>(ok).wallet_public_key_hash, crypto::hash160(signer_key));
}

// --- §6.5 witness script ------------------------------------------------------------

TEST(SigningEngine, WitnessScriptFailuresInTheReferenceOrder) {
  auto self = test_support::make_funded_request("self_v1");
  auto qc = test_support::make_funded_request("qc_v1");
  auto expect = [](boost::json::object request, const std::string& route, const std::string& detail) {
    expect_failed(prepare(job_for(request, route)), failure_reason::invalid_input, detail);
  };
  auto zero = self.request;
  zero["maturityHeight"] = 0;
  tmpl(zero)["depositorPublicKey"] = "0x05"; // numbers are checked before keys
  expect(zero, "self_v1", "maturity height must be greater than zero");
  auto big = self.request;
  big["maturityHeight"] = 4294967296ULL;
  expect(big, "self_v1", "maturity height exceeds bitcoin locktime range");
  auto delta = self.request;
  tmpl(delta)["delta2"] = 4294967295ULL - 950000 + 1;
  expect(delta, "self_v1", "self_v1 delta2 overflows bitcoin locktime range");
  auto depositor = self.request;
  tmpl(depositor)["depositorPublicKey"] = "0x02" + std::string(62, '0') + "07";
  expect(depositor, "self_v1", "invalid self_v1 depositor public key");

  auto beta = qc.request;
  tmpl(beta)["beta"] = 950000;
  tmpl(beta)["delta2"] = 4294967295ULL; // beta is checked before delta2
  expect(beta, "qc_v1", "qc_v1 beta must be below maturity height");
  auto qc_delta = qc.request;
  tmpl(qc_delta)["delta2"] = 4294967295ULL;
  expect(qc_delta, "qc_v1", "qc_v1 delta2 overflows bitcoin locktime range");
  auto custodian = qc.request;
  tmpl(custodian)["custodianPublicKey"] = "0x0300";
  expect(custodian, "qc_v1", "invalid qc_v1 custodian public key");
  auto qc_depositor = qc.request;
  tmpl(qc_depositor)["depositorPublicKey"] = "0xzz";
  expect(qc_depositor, "qc_v1", "invalid qc_v1 depositor public key");
}

TEST(SigningEngine, ActiveTxidMustParse) {
  auto f = test_support::make_funded_request("self_v1");
  f.request["activeOutpoint"].as_object()["txid"] = "0x1234";
  expect_failed(prepare(job_for(f.request, "self_v1")), failure_reason::invalid_input,
                "active outpoint txid is invalid");
}

TEST(SigningEngine, PreparationOfAValidJob) {
  auto f = test_support::make_funded_request("qc_v1");
  auto r = prepare(validated_job_for(f.request, "qc_v1"));
  ASSERT_TRUE(std::holds_alternative<spend_preparation>(r));
  const auto& prep = std::get<spend_preparation>(r);
  EXPECT_EQ(prep.witness_script, f.witness_script);
  EXPECT_EQ(prep.active_txid_display, "0x" + f.txid_display);
  EXPECT_EQ(prep.active_txid, bitcoin::txid(f.funding_tx));
  EXPECT_EQ(prep.signer_public_key, signer_key);
}

// --- §6.6 active outpoint -----------------------------------------------------------

class ActiveOutpoint : public ::testing::Test {
protected:
  funded_request f = test_support::make_funded_request("self_v1");
  spend_preparation prep = std::get<spend_preparation>(prepare(job_for(f.request, "self_v1")));

  spend_preparation prep_for(const funded_request& g) {
    return std::get<spend_preparation>(prepare(job_for(g.request, "self_v1")));
  }
};

TEST_F(ActiveOutpoint, ReaderFailures) {
  outpoint_lookup down;
  down.cause = "bitcoin: breaker open";
  expect_failed(resolve_active_outpoint(prep, down, gate_on()), failure_reason::invalid_input,
                "cannot determine active outpoint transaction confirmations: bitcoin: breaker open");
  outpoint_lookup missing;
  missing.result = outpoint_lookup::outcome::not_found;
  expect_failed(resolve_active_outpoint(prep, missing, gate_on()), failure_reason::invalid_input,
                "active outpoint transaction not found");
}

TEST_F(ActiveOutpoint, TheReaderMustReturnTheTransactionAskedFor) {
  auto garbage = found(f);
  garbage.transaction_hex = "0102";
  expect_failed(resolve_active_outpoint(prep, garbage, gate_on()), failure_reason::invalid_input,
                "active outpoint transaction not found");
  auto other = test_support::make_funded_request("qc_v1");
  expect_failed(resolve_active_outpoint(prep, found(other), gate_on()),
                failure_reason::invalid_input, "active outpoint transaction not found");
  auto prefixed = found(f);
  prefixed.transaction_hex = "0x" + prefixed.transaction_hex;
  EXPECT_TRUE(std::holds_alternative<active_utxo>(resolve_active_outpoint(prep, prefixed, gate_on())));
}

TEST_F(ActiveOutpoint, Confirmations) {
  expect_failed(resolve_active_outpoint(prep, found(f, 5), gate_on()), failure_reason::invalid_input,
                "active outpoint transaction must have at least 6 confirmations");
  EXPECT_TRUE(std::holds_alternative<active_utxo>(resolve_active_outpoint(prep, found(f, 6), gate_on())));
  auto ten = gate_on();
  ten.min_confirmations = 10;
  expect_failed(resolve_active_outpoint(prep, found(f, 9), ten), failure_reason::invalid_input,
                "active outpoint transaction must have at least 10 confirmations");
  EXPECT_TRUE(std::holds_alternative<active_utxo>(resolve_active_outpoint(prep, found(f, 10), ten)));
  auto zero = gate_on();
  zero.min_confirmations = 0; // unset: the default 6
  expect_failed(resolve_active_outpoint(prep, found(f, 5), zero), failure_reason::invalid_input,
                "active outpoint transaction must have at least 6 confirmations");
}

TEST_F(ActiveOutpoint, OutputChecks) {
  auto far = f;
  far.request["activeOutpoint"].as_object()["vout"] = 3; // the funding tx has 3 outputs
  expect_failed(resolve_active_outpoint(prep_for(far), found(f), gate_on()),
                failure_reason::invalid_input, "active outpoint output index is out of range");

  auto wrong_script = test_support::make_funded_request("self_v1", std::nullopt,
                                                        bitcoin::anchor_script_pubkey());
  expect_failed(resolve_active_outpoint(prep_for(wrong_script), found(wrong_script), gate_on()),
                failure_reason::invalid_input, "active outpoint script does not match self_v1 template");
  auto qc_wrong = test_support::make_funded_request("qc_v1", std::nullopt,
                                                    bitcoin::anchor_script_pubkey());
  auto qc_prep = std::get<spend_preparation>(prepare(job_for(qc_wrong.request, "qc_v1")));
  expect_failed(resolve_active_outpoint(qc_prep, found(qc_wrong), gate_on()),
                failure_reason::invalid_input, "active outpoint script does not match qc_v1 template");

  auto empty = test_support::make_funded_request("self_v1", 0);
  expect_failed(resolve_active_outpoint(prep_for(empty), found(empty), gate_on()),
                failure_reason::invalid_input, "active outpoint value must be greater than zero");
  auto other_value = test_support::make_funded_request("self_v1", 999999);
  expect_failed(resolve_active_outpoint(prep_for(other_value), found(other_value), gate_on()),
                failure_reason::invalid_input,
                "active outpoint value does not match migration transaction plan");
}

// Ours, not the reference's: a spent output, or one whose spent state the
// reader could not tell, is never signed. Both are checked once the output
// is known to exist (the index check wins over them).
TEST_F(ActiveOutpoint, SpentOrUnknownSpentStateIsRefusedNamingTheOutpoint) {
  const auto outpoint = "0x" + f.txid_display + ":" +
                        std::to_string(f.request.at("activeOutpoint").at("vout").to_number<int>());
  auto spent = found(f);
  spent.output = output_spend::spent;
  expect_failed(resolve_active_outpoint(prep, spent, gate_on()), failure_reason::invalid_input,
                "active outpoint " + outpoint +
                  " is already spent (not in the Bitcoin node's unspent outputs)");
  auto unknown = found(f);
  unknown.output = output_spend::unknown;
  unknown.output_cause = "Bitcoin circuit breaker is open (fast fail)";
  expect_failed(resolve_active_outpoint(prep, unknown, gate_on()), failure_reason::invalid_input,
                "cannot determine whether active outpoint " + outpoint +
                  " is unspent: Bitcoin circuit breaker is open (fast fail)");
  // A reader that never filled it in (the default) fails closed too.
  outpoint_lookup unset = found(f);
  unset.output = outpoint_lookup{}.output;
  EXPECT_TRUE(std::holds_alternative<job_transition>(resolve_active_outpoint(prep, unset, gate_on())));
  // Fewer confirmations and a bad index are named first.
  expect_failed(resolve_active_outpoint(prep, [&] { auto l = spent; l.confirmations = 5; return l; }(),
                                        gate_on()),
                failure_reason::invalid_input,
                "active outpoint transaction must have at least 6 confirmations");
  auto far = f;
  far.request["activeOutpoint"].as_object()["vout"] = 3;
  expect_failed(resolve_active_outpoint(prep_for(far), spent, gate_on()),
                failure_reason::invalid_input, "active outpoint output index is out of range");
}

TEST_F(ActiveOutpoint, ScriptHash) {
  auto bad = f;
  bad.request["activeOutpoint"].as_object()["scriptHash"] = "0x" + std::string(64, 'b');
  expect_failed(resolve_active_outpoint(prep_for(bad), found(f), gate_on()),
                failure_reason::invalid_input, "active outpoint script hash does not match self_v1 template");
  // Compared in lowercase; absent means not checked.
  auto upper = f;
  auto hash = std::string(upper.request["activeOutpoint"].as_object()["scriptHash"].as_string());
  for (std::size_t i = 2; i < hash.size(); ++i)
    hash[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(hash[i])));
  upper.request["activeOutpoint"].as_object()["scriptHash"] = hash;
  EXPECT_TRUE(std::holds_alternative<active_utxo>(resolve_active_outpoint(prep_for(upper), found(f), gate_on())));
  auto none = f;
  none.request["activeOutpoint"].as_object().erase("scriptHash");
  auto utxo = resolve_active_outpoint(prep_for(none), found(f), gate_on());
  ASSERT_TRUE(std::holds_alternative<active_utxo>(utxo));
  EXPECT_EQ(std::get<active_utxo>(utxo).value, 1000000);
  EXPECT_EQ(std::get<active_utxo>(utxo).prevout.vout, 1u);
  EXPECT_EQ(std::get<active_utxo>(utxo).script_pubkey, f.script_pubkey);
}

// --- §6.7 spend ------------------------------------------------------------------------

TEST_F(ActiveOutpoint, PlanFailures) {
  auto utxo = std::get<active_utxo>(resolve_active_outpoint(prep, found(f), gate_on()));
  auto with = [&](auto edit) {
    auto g = f;
    edit(g.request);
    return plan_spend(prep_for(g), utxo);
  };
  auto plan = [](boost::json::object& r) -> boost::json::object& {
    return r["migrationTransactionPlan"].as_object();
  };
  expect_failed(with([&](auto& r) { plan(r)["destinationValueSats"] = 9223372036854775808ULL; }),
                failure_reason::invalid_input,
                "migration destination value exceeds bitcoin output value range");
  expect_failed(with([&](auto& r) { plan(r)["anchorValueSats"] = 9223372036854775808ULL; }),
                failure_reason::invalid_input, "migration anchor value exceeds bitcoin output value range");
  expect_failed(with([](auto& r) { r["migrationDestination"].as_object()["depositScript"] = "0xzz"; }),
                failure_reason::provider_failed, "migration destination deposit script is invalid");
  expect_failed(with([](auto& r) { r["migrationDestination"].as_object()["depositScript"] = "0x"; }),
                failure_reason::provider_failed, "migration destination deposit script must not be empty");
  expect_failed(with([](auto& r) { r.erase("migrationDestination"); }),
                failure_reason::provider_failed, "migration destination is required");
  expect_failed(with([](auto& r) { r["action"] = "REDEEM"; }), failure_reason::provider_failed,
                "redeem destination is required");
  expect_failed(with([](auto& r) { r["action"] = "RENEW"; }), failure_reason::provider_failed,
                "renew destination is required");
  expect_failed(with([](auto& r) { r["action"] = "BURN"; }), failure_reason::provider_failed,
                "unsupported covenant action \"BURN\"");
  expect_failed(with([&](auto& r) { plan(r)["anchorValueSats"] = 331; }),
                failure_reason::provider_failed, "migration anchor value must be 330 sats");
}

TEST_F(ActiveOutpoint, PlannedSpendFollowsThePlan) {
  auto utxo = std::get<active_utxo>(resolve_active_outpoint(prep, found(f), gate_on()));
  auto spend = std::get<planned_spend>(plan_spend(prep, utxo));
  const auto& tx = spend.unsigned_tx;
  EXPECT_EQ(tx.version, 1u);
  ASSERT_EQ(tx.inputs.size(), 1u);
  EXPECT_EQ(tx.inputs[0].prevout, utxo.prevout);
  EXPECT_EQ(tx.inputs[0].sequence, 0xFFFFFFFDu);
  EXPECT_EQ(tx.locktime, 950000u);
  ASSERT_EQ(tx.outputs.size(), 2u);
  EXPECT_EQ(tx.outputs[0].value, 998000);
  // MIGRATION pays P2WSH(depositScript).
  EXPECT_EQ(tx.outputs[0].script_pubkey,
            bitcoin::p2wsh_script_pubkey(*crypto::from_0x_hex("0x0014" + std::string(40, 'a'))));
  EXPECT_EQ(tx.outputs[1].value, 330);
  EXPECT_EQ(tx.outputs[1].script_pubkey, bitcoin::anchor_script_pubkey());
  EXPECT_EQ(spend.sighash, bitcoin::covenant_sighash(tx, f.witness_script, 1000000));
  EXPECT_EQ(spend.txid_display, bitcoin::to_display_hex(bitcoin::txid(tx)));
}

// --- finishing ----------------------------------------------------------------------------

TEST_F(ActiveOutpoint, SignerAnswersThatAreNotAValidSignature) {
  auto utxo = std::get<active_utxo>(resolve_active_outpoint(prep, found(f), gate_on()));
  auto spend = std::get<planned_spend>(plan_spend(prep, utxo));
  expect_failed(finish_spend(prep, utxo, spend, "3045"), failure_reason::provider_failed,
                "cannot sign covenant transaction: the signer returned a signature that is not 0x-hex");
  expect_failed(finish_spend(prep, utxo, spend, "0x3006020101020101ff"), failure_reason::provider_failed,
                "cannot sign covenant transaction: the signer returned a signature that is not strict DER");
  // The high-S twin of a valid signature.
  auto sig = crypto::sign(test_support::dev_key(0x22), spend.sighash);
  auto high = sig;
  {
    // s' = n - s, big-endian subtraction.
    static const std::array<std::uint8_t, 32> n = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
      0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
    int borrow = 0;
    for (int i = 31; i >= 0; --i) {
      int d = n[i] - sig.compact[32 + i] - borrow;
      borrow = d < 0;
      high.compact[32 + i] = static_cast<std::uint8_t>(d + (borrow ? 256 : 0));
    }
  }
  expect_failed(finish_spend(prep, utxo, spend, crypto::to_0x_hex(crypto::serialize_der(high))),
                failure_reason::provider_failed,
                "cannot sign covenant transaction: the signer returned a high-S signature");
  auto wrong_key = crypto::sign_der(test_support::dev_key(0x33), spend.sighash);
  expect_failed(finish_spend(prep, utxo, spend, crypto::to_0x_hex(wrong_key)),
                failure_reason::provider_failed,
                "cannot sign covenant transaction: the signer's signature does not verify under the wallet key");
  expect_failed(signing_failed("timeout"), failure_reason::provider_failed,
                "cannot sign covenant transaction: timeout");
}

TEST(SigningEngineFinish, SelfV1ArtifactVerifiesInOurInterpreter) {
  for (std::string name : {"self_v1", "self_v1_presign"}) {
    SCOPED_TRACE(name);
    auto f = test_support::make_funded_request(name);
    auto prep = std::get<spend_preparation>(prepare(validated_job_for(f.request, "self_v1")));
    auto utxo = std::get<active_utxo>(resolve_active_outpoint(prep, found(f), gate_on()));
    auto spend = std::get<planned_spend>(plan_spend(prep, utxo));
    auto der = crypto::sign_der(test_support::dev_key(0x22), spend.sighash);
    auto t = finish_spend(prep, utxo, spend, crypto::to_0x_hex(der));
    EXPECT_EQ(t.state, job_state::artifact_ready);
    EXPECT_EQ(t.detail, name == "self_v1" ? "self_v1 artifact ready" : "self_v1 presign artifact ready");
    EXPECT_TRUE(t.reason.empty() && t.handoff_json.empty());
    auto raw = crypto::from_0x_hex(t.transaction_hex);
    ASSERT_TRUE(raw);
    auto parsed = bitcoin::parse_transaction(*raw);
    ASSERT_TRUE(parsed.tx) << parsed.error;
    auto sig = der;
    sig.push_back(0x01);
    EXPECT_EQ(parsed.tx->inputs[0].witness, bitcoin::self_v1_signer_witness(sig, f.witness_script));
    EXPECT_EQ(bitcoin::verify_input(*parsed.tx, 0, f.script_pubkey, 1000000), bitcoin::script_error::ok);
    EXPECT_EQ(t.psbt_hash, crypto::to_0x_hex(bitcoin::wtxid(*parsed.tx)));
  }
}

TEST(SigningEngineFinish, QcV1HandoffCarriesTheSignerSignatureAndPayloadHash) {
  auto f = test_support::make_funded_request("qc_v1");
  auto j = validated_job_for(f.request, "qc_v1");
  auto prep = std::get<spend_preparation>(prepare(j));
  auto utxo = std::get<active_utxo>(resolve_active_outpoint(prep, found(f), gate_on()));
  auto spend = std::get<planned_spend>(plan_spend(prep, utxo));
  auto der = crypto::sign_der(test_support::dev_key(0x22), spend.sighash);
  auto t = finish_spend(prep, utxo, spend, crypto::to_0x_hex(der));
  EXPECT_EQ(t.state, job_state::handoff_ready);
  EXPECT_EQ(t.detail, "qc_v1 signer handoff ready for custodian coordination");
  EXPECT_TRUE(t.transaction_hex.empty() && t.psbt_hash.empty() && t.reason.empty());
  auto sig = der;
  sig.push_back(0x01);
  handoff_payload payload{std::string(f.request.at("destinationCommitmentHash").as_string()),
                          crypto::to_0x_hex(sig),
                          crypto::to_0x_hex(bitcoin::qc_v1_unsigned_transaction(spend.unsigned_tx)),
                          crypto::to_0x_hex(f.witness_script)};
  const auto hash = handoff_payload_hash(payload);
  const std::string expected =
    R"({"bundleId":")" + hash + R"(","destinationCommitmentHash":")" +
    payload.destination_commitment_hash + R"(","kind":"qc_v1_signer_handoff_v1","payloadHash":")" +
    hash + R"(","requiresDummy":true,"selectorWitnessItems":["0x01","0x"],"sighashType":1,)" +
    R"("signerRequestId":")" + j.request_id + R"(","signerSignature":")" + payload.signer_signature +
    R"(","unsignedTransactionHex":")" + payload.unsigned_transaction_hex + R"(","witnessScript":")" +
    payload.witness_script + R"("})";
  EXPECT_EQ(t.handoff_json, expected);
  // The custodian completes the 2-of-2 migration branch; the spend verifies.
  auto custodian = crypto::sign_der(test_support::dev_key(0x33), spend.sighash);
  custodian.push_back(0x01);
  auto done = bitcoin::with_input_witness(
    spend.unsigned_tx, bitcoin::qc_v1_migration_witness(sig, custodian, f.witness_script));
  EXPECT_EQ(bitcoin::verify_input(done, 0, f.script_pubkey, 1000000), bitcoin::script_error::ok);
}
