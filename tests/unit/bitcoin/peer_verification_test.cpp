// Independent implementations agree with ours: every covenant spend of
// covenant_fixtures.hpp is verified by bcoin 1.0.2 (its own script
// interpreter) and re-hashed by bitcoinjs-lib 7.0.5 (BIP143 sighash, txid,
// wtxid), through tests/peers/verify_witness.js. Fails, never skips, when
// node or the npm peers are missing (`make test` installs them).
#include "covenant_fixtures.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace {

using namespace covsigner::bitcoin;
using covsigner::crypto::to_hex;
namespace fs = std::filesystem;

const fs::path peers_dir = fs::path(COVSIGNER_SOURCE_DIR) / "tests" / "peers";

/// The names of the bits set in `flags`, as bcoin spells them after VERIFY_.
boost::json::array flag_names(std::uint32_t flags) {
  static const std::vector<std::pair<std::uint32_t, const char*>> names{
      {VERIFY_P2SH, "P2SH"}, {VERIFY_STRICTENC, "STRICTENC"}, {VERIFY_DERSIG, "DERSIG"},
      {VERIFY_LOW_S, "LOW_S"}, {VERIFY_NULLDUMMY, "NULLDUMMY"}, {VERIFY_MINIMALDATA, "MINIMALDATA"},
      {VERIFY_CLEANSTACK, "CLEANSTACK"}, {VERIFY_CHECKLOCKTIMEVERIFY, "CHECKLOCKTIMEVERIFY"},
      {VERIFY_WITNESS, "WITNESS"}, {VERIFY_MINIMALIF, "MINIMALIF"}, {VERIFY_NULLFAIL, "NULLFAIL"},
      {VERIFY_WITNESS_PUBKEYTYPE, "WITNESS_PUBKEYTYPE"}};
  boost::json::array out;
  std::uint32_t covered = 0;
  for (const auto& [bit, name] : names) {
    if (flags & bit) {
      out.emplace_back(name);
      covered |= bit;
    }
  }
  EXPECT_EQ(covered, flags) << "a flag has no bcoin name in this table";
  return out;
}

/// Runs `command`, returning its exit status and standard output.
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

TEST(PeerVerification, BcoinAndBitcoinjsAgreeWithUs) {
  ASSERT_TRUE(fs::exists(peers_dir / "node_modules" / "bcoin" / "package.json") &&
              fs::exists(peers_dir / "node_modules" / "bitcoinjs-lib" / "package.json"))
      << "npm test peers missing: run `npm install --ignore-scripts` in " << peers_dir
      << " (make test does this)";

  const auto cases = test::all_spend_cases();
  boost::json::array json_cases;
  for (const auto& c : cases) {
    json_cases.push_back(boost::json::object{
        {"name", c.name},
        {"tx_hex", to_hex(serialize_with_witness(c.tx))},
        {"input_index", 0},
        {"prevout_script_hex", to_hex(c.spent_script_pubkey)},
        {"amount", c.amount},
        {"witness_script_hex", to_hex(c.witness_script)}});
  }
  const boost::json::object request{{"flags", flag_names(covenant_verify_flags)},
                                    {"cases", json_cases}};
  const fs::path input =
      fs::temp_directory_path() / ("covsigner-bitcoin-peers-" + std::to_string(::getpid()) + ".json");
  {
    std::ofstream out(input);
    out << boost::json::serialize(request);
  }
  const auto [status, output] =
      run("node '" + (peers_dir / "verify_witness.js").string() + "' '" + input.string() + "'");
  fs::remove(input);
  ASSERT_EQ(status, 0) << "node failed: " << output;

  const auto results = boost::json::parse(output).at("results").as_array();
  ASSERT_EQ(results.size(), cases.size());
  int rejected_by_bcoin = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const auto& r = results[i].as_object();
    SCOPED_TRACE(c.name);
    ASSERT_EQ(r.at("name").as_string(), c.name);
    // Same verdict and, for failures, the same error name as Core uses --
    // except that bcoin 1.0.2 predates Core's switch from EVAL_FALSE to
    // CLEANSTACK for a witness script leaving more than one item
    // (bcoin lib/script/script.js verifyProgram: "stack.length !== 1 ||
    // !getBool -> EVAL_FALSE"); script_tests.json pins CLEANSTACK.
    const std::string_view ours = script_error_name(c.expected);
    EXPECT_EQ(r.at("bcoin").as_string(),
              ours == "CLEANSTACK" ? std::string_view("EVAL_FALSE") : ours);
    rejected_by_bcoin += r.at("bcoin").as_string() != "OK";
    // bitcoinjs-lib: BIP143 digest of the unsigned fields, ids, re-encoding.
    EXPECT_EQ(r.at("sighash").as_string(), to_hex(covenant_sighash(c.tx, c.witness_script, c.amount)));
    EXPECT_EQ(r.at("txid").as_string(), to_display_hex(txid(c.tx)));
    EXPECT_EQ(r.at("wtxid").as_string(), to_display_hex(wtxid(c.tx)));
    EXPECT_TRUE(r.at("roundtrip").as_bool());
  }
  // The broken witnesses are really rejected by the peer (so this test can fail).
  EXPECT_EQ(rejected_by_bcoin, 14);
}

} // namespace
