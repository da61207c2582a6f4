// The CovenantSpendAuthorization tuple against independent implementations:
// utxoKey against the solc-compiled test contract's own abi.encodePacked and
// keccak256 (eth_call of its pure covenantUtxoKey on a real anvil), and
// outputsHash against bitcoinjs-lib (tests/peers/hash_outputs.js), for the
// committed development examples' spends. Fails, never skips, when a peer
// is missing.
#include "bitcoin/sighash.hpp"
#include "bitcoin/transaction.hpp"
#include "covenant/approval_digest.hpp"
#include "covenant/normalize.hpp"
#include "covenant/spend_authorization.hpp"
#include "tests/support/anvil.hpp"
#include "tests/support/dev_examples.hpp"
#include "tests/support/signed_requests.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace covsigner {
namespace {

namespace fs = std::filesystem;

const fs::path peers_dir = fs::path(COVSIGNER_SOURCE_DIR) / "tests" / "peers";

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::pair<int, std::string> run(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe)
    return {-1, "popen failed"};
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
    output.append(buffer, n);
  return {::pclose(pipe), output};
}

// An example body's job as the node stores it (normalised request JSON).
covenant::job example_job(const std::string& file) {
  auto decoded = covenant::decode_submit_input(slurp(test_support::examples_path("requests/" + file)));
  const auto& request = std::get<covenant::submit_input>(decoded).request;
  // The examples are signed under the node's default EIP-712 domain.
  covenant::eip712_domain domain;
  domain.salt = covenant::default_approval_salt();
  auto normalized = covenant::normalize_request(request, {.domain = domain});
  const auto& n = std::get<covenant::route_submit_request>(normalized);
  covenant::job j;
  j.request_id = "kcs_vector";
  j.route = n.route;
  j.request_json = covenant::canonical_request_json(n);
  return j;
}

// What the engine builds for the example: the spend of the dev chain's
// covenant output, and the tuple the session asks the registry about.
struct example_spend {
  bitcoin::transaction tx;
  covenant::spend_authorization tuple;
};

example_spend build_example(const std::string& file) {
  auto j = example_job(file);
  covenant::engine_settings settings;
  settings.fraud_defense_confirmed = true;
  const auto signer = crypto::serialize_compressed(
    crypto::derive_public_key(test_support::dev_key(0x22)));
  auto prep = covenant::prepare_spend(j, settings, std::span<const std::uint8_t>(signer));
  const auto& p = std::get<covenant::spend_preparation>(prep);
  auto request = boost::json::parse(slurp(test_support::examples_path("requests/" + file)))
                   .at("request").as_object();
  auto output = test_support::dev_chain_output_of(request);
  covenant::active_utxo utxo{output.prevout, output.value, output.script_pubkey};
  auto spend = covenant::plan_spend(p, utxo);
  const auto& s = std::get<covenant::planned_spend>(spend);
  return {s.unsigned_tx, covenant::spend_authorization_for(p, utxo, s)};
}

const std::vector<std::string> example_files{"self_v1-certified.json", "qc_v1-certified.json",
                                             "self_v1.json", "qc_v1.json"};

TEST(SpendAuthorizationVectors, OutputsHashMatchesBitcoinjsLib) {
  ASSERT_TRUE(fs::exists(peers_dir / "node_modules" / "bitcoinjs-lib" / "package.json"))
    << "npm test peers missing: run `npm install --ignore-scripts` in " << peers_dir;
  std::vector<example_spend> spends;
  boost::json::array cases;
  for (const auto& file : example_files) {
    spends.push_back(build_example(file));
    cases.push_back(boost::json::object{
      {"name", file}, {"tx_hex", crypto::to_hex(bitcoin::serialize_with_witness(spends.back().tx))}});
  }
  const fs::path input =
    fs::temp_directory_path() / ("covsigner-hash-outputs-" + std::to_string(::getpid()) + ".json");
  std::ofstream(input) << boost::json::serialize(boost::json::object{{"cases", cases}});
  const auto [status, output] =
    run("node '" + (peers_dir / "hash_outputs.js").string() + "' '" + input.string() + "'");
  fs::remove(input);
  ASSERT_EQ(status, 0) << "node failed: " << output;
  const auto results = boost::json::parse(output).at("results").as_array();
  ASSERT_EQ(results.size(), spends.size());
  for (std::size_t i = 0; i < spends.size(); ++i) {
    SCOPED_TRACE(example_files[i]);
    const auto& r = results[i].as_object();
    EXPECT_GE(r.at("outputs").to_number<int>(), 2); // destination + anchor
    EXPECT_EQ(std::string(r.at("hash_outputs").as_string()),
              crypto::to_0x_hex(spends[i].tuple.outputs_hash));
    EXPECT_EQ(spends[i].tuple.outputs_hash, bitcoin::hash_outputs(spends[i].tx));
    // The operator's tool computes the same tuple from the request alone.
    auto from_request = covenant::spend_authorization_of_request(example_job(example_files[i]));
    ASSERT_TRUE(std::holds_alternative<covenant::spend_authorization>(from_request))
      << std::get<std::string>(from_request);
    EXPECT_EQ(std::get<covenant::spend_authorization>(from_request), spends[i].tuple);
  }
}

TEST(SpendAuthorizationVectors, UtxoKeyMatchesTheSolidityContract) {
  ASSERT_TRUE(fs::exists(test_support::anvil_binary()))
    << "anvil missing: run npm install --ignore-scripts in tests/peers";
  test_support::temp_dir dir;
  test_support::anvil_node node((dir.path() / "anvil.log").string());
  ASSERT_TRUE(node.ready()) << "anvil did not answer";
  std::string error;
  auto registry = node.deploy("TestCovenantSpendAuthorization", error);
  ASSERT_TRUE(registry) << error;

  std::vector<std::pair<crypto::hash32, std::uint32_t>> vectors;
  for (const auto& file : example_files) {
    auto spend = build_example(file);
    vectors.emplace_back(spend.tuple.funding_tx_hash, spend.tuple.funding_output_index);
    // The tuple's key is the key of its own outpoint.
    EXPECT_EQ(spend.tuple.utxo_key, covenant::covenant_utxo_key(spend.tuple.funding_tx_hash,
                                                                spend.tuple.funding_output_index));
  }
  crypto::hash32 pattern{};
  for (std::size_t i = 0; i < pattern.size(); ++i)
    pattern[i] = static_cast<std::uint8_t>(i * 7 + 1);
  vectors.emplace_back(crypto::hash32{}, 0);
  vectors.emplace_back(pattern, 0x01020304); // the index's byte order shows
  vectors.emplace_back(pattern, 0xffffffff);

  auto rpc = node.client();
  for (const auto& [hash, index] : vectors) {
    SCOPED_TRACE(crypto::to_0x_hex(hash) + ":" + std::to_string(index));
    auto ret = chain::eth_call(rpc, *registry,
                               chain::encode_call("covenantUtxoKey(bytes32,uint32)",
                                                  {chain::word_from_bytes32(hash),
                                                   chain::word_from_uint(index)}),
                               "covenantUtxoKey");
    ASSERT_EQ(ret.code, chain::read_code::ok) << ret.cause;
    ASSERT_EQ(ret.value.size(), 32u);
    EXPECT_EQ(crypto::to_0x_hex(ret.value),
              crypto::to_0x_hex(covenant::covenant_utxo_key(hash, index)));
  }
  // Distinct outpoints, distinct keys (the index is part of the key).
  EXPECT_NE(covenant::covenant_utxo_key(pattern, 0), covenant::covenant_utxo_key(pattern, 1));
}

} // namespace
} // namespace covsigner
