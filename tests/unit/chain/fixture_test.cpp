// Fixture chain file parsing and fault injection.
#include "chain/fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace covsigner::chain {
namespace {

using namespace std::chrono_literals;

const std::string pkh = "0x" + std::string(40, 'a');
const std::string wallet_id = "0x" + std::string(64, '1');
const std::string members = "0x" + std::string(64, '2');

std::string fixture_json(const std::string& wallet_extra = "") {
  return R"({"hostChainHeight": 100, "bitcoinHeight": 850000,
    "wallets": [{"walletPubKeyHash": ")" + pkh + R"(", "ecdsaWalletID": ")" + wallet_id +
         R"(", "createdAt": 1700000000, "state": 1, "pendingRedemptionsValue": 5,
      "membersIdsHash": ")" + members + "\"" + wallet_extra + R"(}],
    "transactions": [{"txid": "0x)" + std::string(64, 'c') +
         R"(", "hex": "0200", "confirmations": 7}]})";
}

TEST(ChainFixture, ParsesWalletsHeightsAndTransactions) {
  std::string error;
  auto chain = parse_fixture(fixture_json(), error);
  ASSERT_TRUE(chain) << error;
  EXPECT_EQ(chain->host_chain_height, 100u);
  EXPECT_EQ(chain->bitcoin_height, 850000u);
  auto key = *crypto::fixed_from_0x_hex<20>(pkh);
  ASSERT_EQ(chain->bridge.count(key), 1u);
  const auto& w = chain->bridge.at(key);
  EXPECT_EQ(w.created_at, 1700000000u);
  EXPECT_EQ(w.state, covenant::wallet_state::live);
  EXPECT_EQ(w.pending_redemptions_value, 5u);
  EXPECT_FALSE(w.members_ids_hash); // the Bridge record never carries it
  EXPECT_EQ(chain->registry.at(w.ecdsa_wallet_id), *crypto::fixed_from_0x_hex<32>(members));
  EXPECT_EQ(chain->transactions.begin()->second.confirmations, 7u);
}

TEST(ChainFixture, RejectsTyposAndBadValuesNamingTheField) {
  std::string error;
  EXPECT_FALSE(parse_fixture(fixture_json(R"(, "stat": 1)"), error));
  EXPECT_EQ(error, "wallets[0]: unknown key \"stat\"");
  EXPECT_FALSE(parse_fixture(R"({"wallets": []})", error));
  EXPECT_EQ(error, "fixture: missing \"hostChainHeight\"");
  auto bad_state = fixture_json();
  bad_state.replace(bad_state.find("\"state\": 1"), 10, "\"state\": 6");
  EXPECT_FALSE(parse_fixture(bad_state, error));
  EXPECT_EQ(error, "wallets[0]: \"state\" is out of range");
  EXPECT_FALSE(parse_fixture("{", error));
}

TEST(ChainFixture, SourcesAnswerAndInjectFaultsLabelledSimulated) {
  std::string error;
  auto chain = std::make_shared<const fixture_chain>(*parse_fixture(fixture_json(), error));
  auto faults = std::make_shared<fault_switch>(2s);
  auto bridge = make_fixture_bridge(chain, faults);
  auto registry = make_fixture_registry(chain, faults);
  auto key = *crypto::fixed_from_0x_hex<20>(pkh);
  EXPECT_EQ(bridge->wallet(key).code, read_code::ok);
  crypto::hash20 unknown{};
  auto nf = bridge->wallet(unknown);
  EXPECT_EQ(nf.code, read_code::not_found);
  EXPECT_EQ(nf.cause, "fixture Bridge has no wallet 0x" + std::string(40, '0'));
  EXPECT_EQ(registry->members_ids_hash(*crypto::fixed_from_0x_hex<32>(wallet_id)).value,
            *crypto::fixed_from_0x_hex<32>(members));

  faults->set(fault_mode::fail);
  auto failed = registry->members_ids_hash(*crypto::fixed_from_0x_hex<32>(wallet_id));
  EXPECT_EQ(failed.code, read_code::unavailable);
  EXPECT_EQ(failed.cause, "fixture WalletRegistry failed (simulated fault)");

  faults->set(fault_mode::slow, 50ms);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(bridge->wallet(key).code, read_code::ok);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);

  faults->set(fault_mode::crash);
  EXPECT_THROW(bridge->wallet(key), std::runtime_error);

  // A hang ends when the mode changes (here: from another thread).
  faults->set(fault_mode::hang);
  // The clock starts before the flipping thread's sleep does (else the
  // hang can measure a little under 100 ms, as a CI run once did).
  start = std::chrono::steady_clock::now();
  std::thread flip([&] {
    std::this_thread::sleep_for(100ms);
    faults->set(fault_mode::none);
  });
  auto hung = bridge->wallet(key);
  flip.join();
  EXPECT_EQ(hung.cause, "fixture Bridge hung (simulated fault)");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
}

// The simulated chain's spent state: listed outputs are spent, the other
// outputs of a listed transaction unspent, an unknown transaction's outputs
// not unspent (as gettxout answers null for them).
TEST(ChainFixture, SpentOutputsAreSpentAndTheRestUnspent) {
  auto json = fixture_json();
  json.replace(json.find("\"confirmations\": 7"), 18, R"("confirmations": 7, "spentOutputs": [1, 3])");
  std::string error;
  auto parsed = parse_fixture(json, error);
  ASSERT_TRUE(parsed) << error;
  auto chain = std::make_shared<const fixture_chain>(*parsed);
  auto faults = std::make_shared<fault_switch>(2s);
  auto bitcoin = make_fixture_bitcoin(chain, faults);
  const auto txid = *crypto::fixed_from_0x_hex<32>("0x" + std::string(64, 'c'));
  using covenant::output_spend;
  for (std::uint32_t vout : {0u, 2u}) {
    auto r = bitcoin->output_spend(txid, vout);
    ASSERT_EQ(r.code, read_code::ok) << r.cause;
    EXPECT_EQ(r.value, output_spend::unspent) << vout;
  }
  for (std::uint32_t vout : {1u, 3u})
    EXPECT_EQ(bitcoin->output_spend(txid, vout).value, output_spend::spent) << vout;
  EXPECT_EQ(bitcoin->output_spend(crypto::hash32{}, 0).value, output_spend::spent);
  faults->set(fault_mode::fail);
  auto failed = bitcoin->output_spend(txid, 0);
  EXPECT_EQ(failed.code, read_code::unavailable);
  EXPECT_EQ(failed.cause, "fixture Bitcoin failed (simulated fault)");
}

TEST(ChainFixture, RejectsSpentOutputsThatAreNotOutputIndexes) {
  for (const auto& [value, expected] : std::vector<std::pair<std::string, std::string>>{
         {"0", "transactions[0]: \"spentOutputs\" must be an array of output indexes"},
         {"[0, -1]", "transactions[0]: \"spentOutputs\"[1] must be an output index (0..4294967295)"},
         {"[4294967296]",
          "transactions[0]: \"spentOutputs\"[0] must be an output index (0..4294967295)"},
         {"[\"0\"]", "transactions[0]: \"spentOutputs\"[0] must be an output index (0..4294967295)"}}) {
    auto json = fixture_json();
    json.replace(json.find("\"confirmations\": 7"), 18,
                 "\"confirmations\": 7, \"spentOutputs\": " + value);
    std::string error;
    EXPECT_FALSE(parse_fixture(json, error)) << value;
    EXPECT_EQ(error, expected) << value;
  }
}

} // namespace
} // namespace covsigner::chain

namespace covsigner::chain {
namespace {

std::string with_authorization(const std::string& entry) {
  return R"({"hostChainHeight": 1, "spendAuthorizations": [)" + entry + "]}";
}

const std::string key = "0x" + std::string(64, '1');
const std::string wallet = "0x" + std::string(40, '2');
const std::string outputs = "0x" + std::string(64, '3');

TEST(ChainFixture, SpendAuthorizationsAnswerOnlyTheirExactTuple) {
  std::string error;
  auto parsed = parse_fixture(with_authorization(R"({"utxoKey": ")" + key + R"(", "walletPKH": ")" +
                                                 wallet + R"(", "value": 5, "outputsHash": ")" +
                                                 outputs + R"("})"),
                              error);
  ASSERT_TRUE(parsed) << error;
  auto faults = std::make_shared<fault_switch>();
  auto source = make_fixture_spend_authorization(
    std::make_shared<const fixture_chain>(std::move(*parsed)), faults);
  covenant::spend_authorization t;
  t.utxo_key = *crypto::fixed_from_0x_hex<32>(key);
  t.wallet_pkh = *crypto::fixed_from_0x_hex<20>(wallet);
  t.value = 5;
  t.outputs_hash = *crypto::fixed_from_0x_hex<32>(outputs);
  auto yes = source->authorized(t);
  EXPECT_EQ(yes.code, read_code::ok);
  EXPECT_TRUE(yes.value);
  auto other = t;
  other.value = 6; // one field differs: another spend
  auto no = source->authorized(other);
  EXPECT_EQ(no.code, read_code::ok);
  EXPECT_FALSE(no.value);
  EXPECT_EQ(no.cause, "the fixture chain holds no such authorization");
  faults->set(fault_mode::fail, std::chrono::milliseconds(0), "CovenantSpendAuthorization");
  auto down = source->authorized(t);
  EXPECT_EQ(down.code, read_code::unavailable);
  EXPECT_NE(down.cause.find("simulated"), std::string::npos) << down.cause;
}

TEST(ChainFixture, SpendAuthorizationsRefuseWhatTheRegistryRefuses) {
  std::string error;
  EXPECT_FALSE(parse_fixture(with_authorization(R"({"utxoKey": ")" + key + R"(", "walletPKH": ")" +
                                                wallet + R"(", "value": 0, "outputsHash": ")" +
                                                outputs + R"("})"),
                             error));
  EXPECT_EQ(error, "spendAuthorizations[0]: a zero walletPKH or value is never authorized");
  EXPECT_FALSE(parse_fixture(with_authorization(R"({"utxoKey": ")" + key + R"(", "walletPKH": ")" +
                                                wallet + R"(", "valu": 1, "outputsHash": ")" +
                                                outputs + R"("})"),
                             error));
  EXPECT_EQ(error, "spendAuthorizations[0]: unknown key \"valu\"");
}

} // namespace
} // namespace covsigner::chain
