// The node signs (issue 7): a self_v1 job to ARTIFACT_READY and a qc_v1 job
// to HANDOFF_READY through the tbtc engine, the local_key signer and a
// fixture chain; SIGNING durable and an audit line before the signer is
// asked; sessions that die or hang mid-signing end FAILED "interrupted; may
// have been signed", without a hang, and are never signed again, also after
// a restart on the same data dir.
#include "tests/support/hanging_signer.hpp"
#include "tests/support/signing_node.hpp"

#include "bitcoin/covenant_transaction.hpp"
#include "bitcoin/interpreter.hpp"
#include "covenant/signing_engine.hpp"

#include <fstream>
#include <iterator>

using namespace covsigner;
using namespace covsigner::messages;
using namespace std::chrono_literals;

namespace {

using NodeSigning = test_support::signing_node_fixture;
using test_support::hang_probe;
using test_support::spawn_hanging_signer;

const std::string gate_detail = std::string{covenant::fraud_defense_disabled_detail};

/// A signer that gives every request the same answer.
signer_actor::behavior_type canned_signer(signer_actor::pointer, signature_reply answer) {
  return {[answer](signature_request&) { return answer; }};
}

} // namespace

TEST_F(NodeSigning, SelfV1ToArtifactReady) {
  start(signing_options());
  auto reply = submit(self_v1.request, "self_v1", "ors_self_1");
  ASSERT_EQ(reply.code, reply_code::ok) << reply.message;
  const auto& r = reply.result;
  ASSERT_EQ(r.status, "READY") << r.detail;
  EXPECT_EQ(r.detail, "self_v1 artifact ready");
  EXPECT_TRUE(r.request_id.starts_with("kcs_self_"));
  auto raw = crypto::from_0x_hex(r.transaction_hex);
  ASSERT_TRUE(raw);
  auto tx = bitcoin::parse_transaction(*raw);
  ASSERT_TRUE(tx.tx) << tx.error;
  EXPECT_EQ(tx.tx->inputs[0].prevout.txid, bitcoin::txid(self_v1.funding_tx));
  EXPECT_EQ(bitcoin::verify_input(*tx.tx, 0, self_v1.script_pubkey, 1000000),
            bitcoin::script_error::ok);
  EXPECT_EQ(r.psbt_hash, crypto::to_0x_hex(bitcoin::wtxid(*tx.tx)));

  // Durable: the job file says ARTIFACT_READY with the same artifact.
  auto job = stored(r.request_id);
  EXPECT_EQ(job.snapshot.job.state, covenant::job_state::artifact_ready);
  EXPECT_EQ(job.snapshot.job.transaction_hex, r.transaction_hex);

  // One audit line: this request, the sighash signed, the spend's txid.
  auto unsigned_tx = *tx.tx;
  unsigned_tx.inputs[0].witness.clear();
  auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].request_id, r.request_id);
  EXPECT_EQ(entries[0].sighash, crypto::to_0x_hex(bitcoin::covenant_sighash(
                                  unsigned_tx, self_v1.witness_script, 1000000)));
  EXPECT_EQ(entries[0].txid, bitcoin::to_display_hex(bitcoin::txid(*tx.tx)));

  // The same submit again is a dedupe hit: same artifact, no new signature.
  auto again = submit(self_v1.request, "self_v1", "ors_self_1");
  EXPECT_EQ(again.result, r);
  EXPECT_EQ(audit_entries().size(), 1u);
}

TEST_F(NodeSigning, QcV1ToHandoffReady) {
  start(signing_options());
  auto reply = submit(qc_v1.request, "qc_v1", "ors_qc_1");
  ASSERT_EQ(reply.code, reply_code::ok) << reply.message;
  const auto& r = reply.result;
  ASSERT_EQ(r.status, "READY") << r.detail;
  EXPECT_EQ(r.detail, "qc_v1 signer handoff ready for custodian coordination");
  auto handoff = boost::json::parse(r.handoff_json).as_object();
  EXPECT_EQ(handoff.at("kind").as_string(), "qc_v1_signer_handoff_v1");
  EXPECT_EQ(handoff.at("signerRequestId").as_string(), r.request_id);
  EXPECT_EQ(handoff.at("bundleId"), handoff.at("payloadHash"));
  // The custodian completes the migration branch; the spend verifies.
  auto unsigned_raw = *crypto::from_0x_hex(std::string(handoff.at("unsignedTransactionHex").as_string()));
  auto unsigned_tx = *bitcoin::parse_transaction(unsigned_raw).tx;
  auto signer_sig = *crypto::from_0x_hex(std::string(handoff.at("signerSignature").as_string()));
  auto sighash = bitcoin::covenant_sighash(unsigned_tx, qc_v1.witness_script, 1000000);
  auto custodian_sig = crypto::sign_der(test_support::dev_key(0x33), sighash);
  custodian_sig.push_back(0x01);
  auto done = bitcoin::with_input_witness(
    unsigned_tx, bitcoin::qc_v1_migration_witness(signer_sig, custodian_sig, qc_v1.witness_script));
  EXPECT_EQ(bitcoin::verify_input(done, 0, qc_v1.script_pubkey, 1000000), bitcoin::script_error::ok);
  EXPECT_EQ(stored(r.request_id).snapshot.job.state, covenant::job_state::handoff_ready);
  ASSERT_EQ(audit_entries().size(), 1u);
  EXPECT_EQ(audit_entries()[0].sighash, crypto::to_0x_hex(sighash));
}

TEST_F(NodeSigning, TheFraudDefenseGateIsOffByDefault) {
  auto options = signing_options();
  options.sessions.tbtc.settings = covenant::engine_settings{};
  start(options);
  auto reply = submit(self_v1.request, "self_v1", "ors_gate");
  EXPECT_EQ(reply.result.status, "FAILED");
  EXPECT_EQ(reply.result.reason, "POLICY_REJECTED");
  EXPECT_EQ(reply.result.detail, gate_detail);
  EXPECT_FALSE(std::filesystem::exists(audit_log()));
}

TEST_F(NodeSigning, TooFewConfirmationsFailBeforeAnySignature) {
  start(signing_options(5));
  auto reply = submit(self_v1.request, "self_v1", "ors_conf");
  EXPECT_EQ(reply.result.status, "FAILED");
  EXPECT_EQ(reply.result.reason, "INVALID_INPUT");
  EXPECT_EQ(reply.result.detail, "active outpoint transaction must have at least 6 confirmations");
  EXPECT_FALSE(std::filesystem::exists(audit_log()));
}

// The simulated chain marks self_v1's covenant output spent: the job fails
// naming the outpoint, before SIGNING, so nothing reaches the audit log;
// the unspent qc_v1 outpoint on the same chain is still signed.
TEST_F(NodeSigning, ASpentActiveOutpointFailsBeforeAnySignature) {
  auto options = signing_options();
  std::ifstream in(options.chain->fixture_file);
  auto fixture =
    boost::json::parse(std::string(std::istreambuf_iterator<char>(in), {})).as_object();
  const auto vout = self_v1.request.at("activeOutpoint").at("vout").to_number<std::uint32_t>();
  for (auto& tx : fixture.at("transactions").as_array())
    if (tx.at("txid") == boost::json::value("0x" + self_v1.txid_display))
      tx.as_object()["spentOutputs"] = boost::json::array{vout};
  std::ofstream(options.chain->fixture_file) << boost::json::serialize(fixture);
  start(options);
  auto reply = submit(self_v1.request, "self_v1", "ors_spent");
  EXPECT_EQ(reply.result.status, "FAILED");
  EXPECT_EQ(reply.result.reason, "INVALID_INPUT");
  EXPECT_EQ(reply.result.detail, "active outpoint 0x" + self_v1.txid_display + ":" +
                                   std::to_string(vout) +
                                   " is already spent (not in the Bitcoin node's unspent outputs)");
  EXPECT_FALSE(std::filesystem::exists(audit_log()));
  auto signed_reply = submit(qc_v1.request, "qc_v1", "ors_unspent");
  EXPECT_EQ(signed_reply.result.status, "READY") << signed_reply.result.detail;
  EXPECT_EQ(audit_entries().size(), 1u);
}

TEST_F(NodeSigning, AnUnknownActiveOutpointFails) {
  start(signing_options());
  auto unfunded = test_support::make_funded_request("self_v1", 123456); // not on the chain
  auto reply = submit(unfunded.request, "self_v1", "ors_missing");
  EXPECT_EQ(reply.result.status, "FAILED");
  EXPECT_EQ(reply.result.reason, "INVALID_INPUT");
  EXPECT_EQ(reply.result.detail, "active outpoint transaction not found");
}

TEST_F(NodeSigning, APassiveNodeStillAnswersPending) {
  actors::node_options options;
  options.data_dir = data_dir();
  start(options);
  auto reply = submit(self_v1.request, "self_v1", "ors_passive");
  EXPECT_EQ(reply.result.status, "PENDING");
  EXPECT_EQ(reply.result.detail, "accepted for covenant signing");
}

TEST_F(NodeSigning, AKeyFileReadableByOthersStartsNothing) {
  auto options = signing_options();
  ::chmod(options.signer.key_file.c_str(), 0644);
  auto started = actors::start_node(system, options);
  ASSERT_TRUE(std::holds_alternative<std::string>(started));
  EXPECT_EQ(std::get<std::string>(started),
            "signer: signer key file " + options.signer.key_file.string() +
              " has mode 0644; it must be 0600 (owner read/write only)");
  EXPECT_FALSE(std::filesystem::exists(data_dir() / "covenant-signer-jobs" / ".lock"));
  options.signer.backend = "hsm";
  started = actors::start_node(system, options);
  ASSERT_TRUE(std::holds_alternative<std::string>(started));
  EXPECT_EQ(std::get<std::string>(started), "signer: unknown backend \"hsm\" (none | local_key | remote)");
}

// A session killed while its signer holds the request: FAILED interrupted at
// once, and after a restart the job is not signed again.
TEST_F(NodeSigning, KillingASessionMidSigningFailsItAndItIsNeverSignedAgain) {
  auto probe = std::make_shared<hang_probe>();
  auto options = signing_options();
  options.signer.backend = "none";
  options.sessions.engine = actors::engine_kind::tbtc;
  options.sessions.tbtc.signer = spawn_hanging_signer(system, probe);
  start(options);
  auto reply = submit(self_v1.request, "self_v1", "ors_kill", 200);
  ASSERT_EQ(reply.result.status, "PENDING");
  const auto id = reply.result.request_id;
  for (int i = 0; i < 1000 && probe->requests == 0; ++i)
    std::this_thread::sleep_for(10ms);
  ASSERT_EQ(probe->requests, 1);
  // SIGNING was durable and audited before the signer was asked.
  EXPECT_EQ(stored(id).snapshot.job.state, covenant::job_state::signing);
  ASSERT_EQ(audit_entries().size(), 1u);
  EXPECT_EQ(audit_entries()[0].request_id, id);

  caf::actor session;
  {
    std::lock_guard<std::mutex> guard(probe->mutex);
    session = caf::actor_cast<caf::actor>(probe->last_session);
  }
  ASSERT_TRUE(session);
  caf::anon_send_exit(session, caf::exit_reason::kill);
  ASSERT_TRUE(wait_for_state(id, covenant::job_state::failed));
  auto job = stored(id).snapshot.job;
  EXPECT_EQ(job.reason, "PROVIDER_FAILED");
  EXPECT_EQ(job.detail, "interrupted; may have been signed");
  auto status = [&] {
    supervisor_status s;
    caf::scoped_actor self{system};
    self->request(node.supervisor, 5s, status_atom::value)
      .receive([&](supervisor_status& x) { s = x; }, [&](caf::error&) {});
    return s;
  }();
  EXPECT_EQ(status.interrupted, 1u);
  EXPECT_EQ(status.in_flight, 0u);

  // Restart on the same data dir with a signer that would sign: nothing is.
  stop();
  caf::anon_send_exit(options.sessions.tbtc.signer->actor, caf::exit_reason::user_shutdown);
  auto after = std::make_shared<hang_probe>();
  options.sessions.tbtc.signer = spawn_hanging_signer(system, after);
  start(options);
  auto resubmit = submit(self_v1.request, "self_v1", "ors_kill", 200);
  EXPECT_EQ(resubmit.result.request_id, id);
  EXPECT_EQ(resubmit.result.status, "FAILED");
  EXPECT_EQ(resubmit.result.detail, "interrupted; may have been signed");
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(after->requests, 0);
  EXPECT_EQ(audit_entries().size(), 1u);
  stop();
  caf::anon_send_exit(options.sessions.tbtc.signer->actor, caf::exit_reason::user_shutdown);
}

// A signer that never answers within the session timeout: the supervisor
// ends the session and fails the job; nothing waits forever.
TEST_F(NodeSigning, ASessionThatTimesOutWhileSigningIsInterrupted) {
  auto probe = std::make_shared<hang_probe>();
  auto options = signing_options();
  options.signer.backend = "none";
  options.sessions.engine = actors::engine_kind::tbtc;
  options.sessions.tbtc.signer = spawn_hanging_signer(system, probe);
  options.sessions.session_timeout = 500ms;
  start(options);
  auto started = std::chrono::steady_clock::now();
  auto reply = submit(self_v1.request, "self_v1", "ors_timeout", 5000);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
  EXPECT_EQ(reply.result.status, "FAILED");
  EXPECT_EQ(reply.result.reason, "PROVIDER_FAILED");
  EXPECT_EQ(reply.result.detail, "interrupted; may have been signed");
  EXPECT_EQ(probe->requests, 1);
  stop();
  caf::anon_send_exit(options.sessions.tbtc.signer->actor, caf::exit_reason::user_shutdown);
}

// The signer was asked and did not answer within signer_timeout (the
// session's own bound, below the session timeout): it may have signed, so
// the job ends FAILED "interrupted; may have been signed", not "the signer
// did not answer", and it is never signed again.
TEST_F(NodeSigning, ASignerTimeoutAfterTheSignerWasAskedMayHaveSigned) {
  auto probe = std::make_shared<hang_probe>();
  auto options = signing_options();
  options.signer.backend = "none";
  options.sessions.engine = actors::engine_kind::tbtc;
  options.sessions.tbtc.signer = spawn_hanging_signer(system, probe);
  options.sessions.tbtc.signer_timeout = 300ms;
  start(options);
  auto started = std::chrono::steady_clock::now();
  auto reply = submit(self_v1.request, "self_v1", "ors_signer_timeout", 5000);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
  EXPECT_EQ(probe->requests, 1);
  EXPECT_EQ(reply.result.status, "FAILED");
  EXPECT_EQ(reply.result.reason, "PROVIDER_FAILED");
  EXPECT_EQ(reply.result.detail, "interrupted; may have been signed");
  auto job = stored(reply.result.request_id).snapshot.job;
  EXPECT_EQ(job.state, covenant::job_state::failed);
  EXPECT_EQ(job.detail, "interrupted; may have been signed");
  ASSERT_EQ(audit_entries().size(), 1u);
  auto again = submit(self_v1.request, "self_v1", "ors_signer_timeout", 200);
  EXPECT_EQ(again.result, reply.result);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(probe->requests, 1);
  stop();
  caf::anon_send_exit(options.sessions.tbtc.signer->actor, caf::exit_reason::user_shutdown);
}

// A signer that refuses, or answers with a signature by another key: FAILED
// from SIGNING with the cause (the audit line of the attempt stays).
TEST_F(NodeSigning, ASignerFailureFailsTheJob) {
  auto key = *crypto::from_0x_hex(test_support::dev_public_key_hex(0x22));
  auto wrong = crypto::to_0x_hex(crypto::sign_der(test_support::dev_key(0x33), crypto::hash32{}));
  struct variant_case {
    signature_reply answer;
    std::string detail;
  };
  int n = 0;
  for (const auto& c :
       {variant_case{{false, {}, "tss: quorum lost"}, "cannot sign covenant transaction: tss: quorum lost"},
        variant_case{{true, wrong, {}},
                     "cannot sign covenant transaction: the signer's signature does not verify "
                     "under the wallet key"}}) {
    auto options = signing_options();
    options.signer.backend = "none";
    options.sessions.engine = actors::engine_kind::tbtc;
    options.sessions.tbtc.signer = actors::signer_handle{system.spawn(canned_signer, c.answer), key};
    start(options);
    auto reply = submit(self_v1.request, "self_v1", "ors_refuse_" + std::to_string(n++));
    EXPECT_EQ(reply.result.status, "FAILED");
    EXPECT_EQ(reply.result.reason, "PROVIDER_FAILED");
    EXPECT_EQ(reply.result.detail, c.detail);
    EXPECT_EQ(stored(reply.result.request_id).snapshot.job.state, covenant::job_state::failed);
    EXPECT_EQ(audit_entries().size(), static_cast<std::size_t>(n));
    stop();
    caf::anon_send_exit(options.sessions.tbtc.signer->actor, caf::exit_reason::user_shutdown);
  }
}

// The node stops while a signature is outstanding: the job stays SIGNING on
// disk, and the next start fails it as interrupted without signing.
TEST_F(NodeSigning, AStopMidSigningIsFailedByTheNextStart) {
  auto probe = std::make_shared<hang_probe>();
  auto options = signing_options();
  options.signer.backend = "none";
  options.sessions.engine = actors::engine_kind::tbtc;
  options.sessions.tbtc.signer = spawn_hanging_signer(system, probe);
  start(options);
  auto reply = submit(self_v1.request, "self_v1", "ors_stop", 200);
  const auto id = reply.result.request_id;
  for (int i = 0; i < 1000 && probe->requests == 0; ++i)
    std::this_thread::sleep_for(10ms);
  ASSERT_EQ(probe->requests, 1);
  stop(); // no grace: the session is stopped with the supervisor
  caf::anon_send_exit(options.sessions.tbtc.signer->actor, caf::exit_reason::user_shutdown);

  auto after = std::make_shared<hang_probe>();
  options.sessions.tbtc.signer = spawn_hanging_signer(system, after);
  start(options);
  auto job = stored(id).snapshot.job;
  EXPECT_EQ(job.state, covenant::job_state::failed);
  EXPECT_EQ(job.detail, "interrupted; may have been signed");
  auto resubmit = submit(self_v1.request, "self_v1", "ors_stop", 200);
  EXPECT_EQ(resubmit.result.status, "FAILED");
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(after->requests, 0);
  stop();
  caf::anon_send_exit(options.sessions.tbtc.signer->actor, caf::exit_reason::user_shutdown);
}
