// What the signing node hands out verifies in independent implementations:
// the self_v1 artifact and the qc_v1 handoff (completed by the custodian
// dev key) are checked by bcoin 1.0.2's Script.verify under the covenant
// flags, and bitcoinjs-lib 7.0.5 recomputes the BIP143 sighash the node
// signed (and recorded in its audit log), the txid and the wtxid, through
// tests/peers/verify_witness.js. Fails, never skips, when node or the npm
// peers are missing (`make test` installs them).
#include "tests/support/signing_node.hpp"

#include "bitcoin/covenant_transaction.hpp"
#include "bitcoin/interpreter.hpp"

#include <cstdio>
#include <unistd.h>

using namespace covsigner;
using namespace covsigner::bitcoin;
namespace fs = std::filesystem;

namespace {

const fs::path peers_dir = fs::path(COVSIGNER_SOURCE_DIR) / "tests" / "peers";

std::pair<int, std::string> run(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr)
    return {-1, output};
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
    output.append(buffer, n);
  return {::pclose(pipe), output};
}

// bcoin's names for the covenant flags (VERIFY_<name>).
boost::json::array covenant_flag_names() {
  return {"P2SH",      "STRICTENC",  "DERSIG",   "LOW_S",    "NULLDUMMY",
          "MINIMALDATA", "CLEANSTACK", "CHECKLOCKTIMEVERIFY", "WITNESS", "MINIMALIF",
          "NULLFAIL",  "WITNESS_PUBKEYTYPE"};
}

using PeerSigning = test_support::signing_node_fixture;

} // namespace

TEST_F(PeerSigning, BcoinAndBitcoinjsAcceptWhatTheNodeSigned) {
  ASSERT_TRUE(fs::exists(peers_dir / "node_modules" / "bcoin" / "package.json") &&
              fs::exists(peers_dir / "node_modules" / "bitcoinjs-lib" / "package.json"))
    << "npm test peers missing: run `npm install --ignore-scripts` in " << peers_dir
    << " (make test does this)";
  start(signing_options());

  auto self_reply = submit(self_v1.request, "self_v1", "ors_peer_self");
  ASSERT_EQ(self_reply.result.status, "READY") << self_reply.result.detail;
  auto self_tx = *parse_transaction(*crypto::from_0x_hex(self_reply.result.transaction_hex)).tx;

  auto qc_reply = submit(qc_v1.request, "qc_v1", "ors_peer_qc");
  ASSERT_EQ(qc_reply.result.status, "READY") << qc_reply.result.detail;
  auto handoff = boost::json::parse(qc_reply.result.handoff_json).as_object();
  auto qc_unsigned = *parse_transaction(
    *crypto::from_0x_hex(std::string(handoff.at("unsignedTransactionHex").as_string()))).tx;
  auto custodian = crypto::sign_der(test_support::dev_key(0x33),
                                    covenant_sighash(qc_unsigned, qc_v1.witness_script, 1000000));
  custodian.push_back(0x01);
  auto qc_tx = with_input_witness(
    qc_unsigned, qc_v1_migration_witness(
                   *crypto::from_0x_hex(std::string(handoff.at("signerSignature").as_string())),
                   custodian, qc_v1.witness_script));

  // A copy of the self_v1 artifact with the signature's last DER byte
  // changed: the peer must reject it (so this test can fail).
  auto broken = self_tx;
  broken.inputs[0].witness[0][broken.inputs[0].witness[0].size() - 2] ^= 0x01;

  struct peer_case {
    std::string name;
    const transaction* tx;
    const test_support::funded_request* funded;
    std::string expected;
  };
  const std::vector<peer_case> cases{{"self_v1 artifact", &self_tx, &self_v1, "OK"},
                                     {"qc_v1 handoff + custodian", &qc_tx, &qc_v1, "OK"},
                                     {"self_v1 corrupted signature", &broken, &self_v1, "NULLFAIL"}};
  boost::json::array json_cases;
  for (const auto& c : cases)
    json_cases.push_back(boost::json::object{
      {"name", c.name},
      {"tx_hex", crypto::to_hex(serialize_with_witness(*c.tx))},
      {"input_index", 0},
      {"prevout_script_hex", crypto::to_hex(c.funded->script_pubkey)},
      {"amount", 1000000},
      {"witness_script_hex", crypto::to_hex(c.funded->witness_script)}});
  const fs::path input =
    fs::temp_directory_path() / ("covsigner-signing-peers-" + std::to_string(::getpid()) + ".json");
  std::ofstream(input) << boost::json::serialize(
    boost::json::object{{"flags", covenant_flag_names()}, {"cases", json_cases}});
  const auto [status, output] =
    run("node '" + (peers_dir / "verify_witness.js").string() + "' '" + input.string() + "'");
  fs::remove(input);
  ASSERT_EQ(status, 0) << "node failed: " << output;

  const auto results = boost::json::parse(output).at("results").as_array();
  ASSERT_EQ(results.size(), cases.size());
  const auto audit = audit_entries();
  ASSERT_EQ(audit.size(), 2u);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const auto& r = results[i].as_object();
    SCOPED_TRACE(c.name);
    EXPECT_EQ(r.at("bcoin").as_string(), c.expected);
    EXPECT_EQ(r.at("txid").as_string(), to_display_hex(txid(*c.tx)));
    EXPECT_EQ(r.at("wtxid").as_string(), to_display_hex(wtxid(*c.tx)));
    EXPECT_TRUE(r.at("roundtrip").as_bool());
    // The sighash bitcoinjs computes is the one the node audited and signed.
    if (i < 2) {
      EXPECT_EQ("0x" + std::string(r.at("sighash").as_string()), audit[i].sighash);
      EXPECT_EQ(r.at("txid").as_string(), audit[i].txid);
    }
  }
  EXPECT_EQ(verify_input(broken, 0, self_v1.script_pubkey, 1000000), script_error::sig_nullfail);
}
