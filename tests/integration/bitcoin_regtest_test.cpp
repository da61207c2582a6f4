// Real Bitcoin network acceptance (issue 14): every spend covsignerd hands
// out is broadcast to a real full node (bcoin 1.0.2 on regtest, in memory,
// tests/support/bcoin_regtest.hpp), accepted into its mempool under bcoin's
// standardness policy, mined, and seen confirmed. covsignerd runs as users
// run it (examples/dev.ini: the PUBLIC dev signer key) with its Bitcoin
// data from that node (--chain.bitcoin-backend=bitcoin-core); the Ethereum
// side stays the development fixture (the dev wallet, host height 1000),
// without its simulated Bitcoin transactions. Each test mines its own
// chain: coins, the funding transactions of the requests, confirmations.
// Refusals (too few confirmations, a reorg, a spent outpoint, the RPC down)
// leave the audit log unchanged.
#include "tests/support/bcoin_regtest.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/dev_examples.hpp"
#include "tests/support/regtest_requests.hpp"
#include "tests/support/requests.hpp"
#include "tests/support/temp_dir.hpp"

#include "bitcoin/covenant_transaction.hpp"
#include "bitcoin/relay_policy.hpp"
#include "bitcoin/sighash.hpp"
#include "crypto/secp256k1.hpp"
#include "persistence/audit_log.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>

using namespace covsigner;
using namespace std::chrono_literals;
using test_support::bcoin_regtest;
using test_support::covenant_request;

namespace {

const std::string covsignerd = std::string{COVSIGNER_BINARY_DIR} + "/covsignerd";
const std::string source_dir = COVSIGNER_SOURCE_DIR;

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string json_string(const boost::json::value& v, const char* key) {
  const auto* o = v.if_object();
  const auto* member = o ? o->if_contains(key) : nullptr;
  return member && member->is_string() ? std::string(member->as_string()) : "<missing>";
}

bitcoin::transaction parse_hex_tx(const std::string& hex) {
  auto raw = crypto::from_0x_hex(hex);
  if (!raw)
    throw std::runtime_error("not 0x-hex: " + hex);
  auto parsed = bitcoin::parse_transaction(*raw);
  if (!parsed.tx)
    throw std::runtime_error("unparsable transaction: " + parsed.error);
  return *parsed.tx;
}

class BitcoinRegtest : public ::testing::Test {
protected:
  test_support::temp_dir dir;
  std::unique_ptr<bcoin_regtest> bcoin;
  std::unique_ptr<test_support::child_process> node;
  int port = test_support::free_loopback_port();
  std::string node_log = (dir.path() / "covsignerd.log").string();
  std::string bcoin_log = (dir.path() / "bcoin.log").string();
  std::vector<test_support::regtest_coin> coins;

  void SetUp() override {
    bcoin = std::make_unique<bcoin_regtest>(bcoin_log);
    ASSERT_TRUE(bcoin->ready()) << "bcoin did not start (node on PATH? `make peers`?):\n"
                                << slurp(bcoin_log);
    // Blocks from here on are checked under mainnet's consensus rules, and
    // the first coinbases are mature.
    bcoin->mine_to(bcoin_regtest::mainnet_rules_height + 1);
    coins = bcoin->coinbase_coins(8);
  }

  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "--- covsignerd log ---\n" << slurp(node_log) << "--- bcoin log ---\n"
                << slurp(bcoin_log);
    }
    node.reset(); // SIGKILL by PID if still running
    bcoin.reset();
  }

  // The development fixture chain's Ethereum side only: its wallet and host
  // height; its simulated Bitcoin transactions are dropped, so the only
  // Bitcoin data the node can see is bcoin's.
  std::string ethereum_fixture() {
    auto chain = boost::json::parse(slurp(test_support::examples_path("chain/dev-chain.json")))
                   .as_object();
    chain.erase("transactions");
    chain.erase("bitcoinHeight");
    auto path = dir.path() / "ethereum-fixture.json";
    std::ofstream(path) << boost::json::serialize(chain);
    return path.string();
  }

  std::filesystem::path data_dir() const { return dir.path() / "data"; }

  // examples/dev.ini with the CovenantSpendAuthorization gate off: these
  // tests fund their outpoints on bcoin after the node starts, so the
  // fixture registry cannot hold their tuples (the gate has its own tests on
  // anvil). CAF's command line cannot set a default-true bool to false.
  std::string config_without_spend_gate() {
    std::istringstream dev(slurp(std::filesystem::path(source_dir) / "examples/dev.ini"));
    std::ostringstream out;
    for (std::string line; std::getline(dev, line);) {
      out << line << "\n";
      if (line == "[chain]")
        out << "require-spend-authorization=false\n";
    }
    auto path = dir.path() / "regtest.ini";
    std::ofstream(path) << out.str();
    return path.string();
  }

  // covsignerd as `make run` starts it, on bcoin's RPC for Bitcoin data.
  void start_node(std::uint64_t min_confirmations, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{
      "--config-file=" + config_without_spend_gate(),
      "--chain.fixture-file=" + ethereum_fixture(),
      "--chain.bitcoin-backend=bitcoin-core",
      "--chain.bitcoin-rpc-url=" + bcoin->rpc_url(),
      "--min-active-outpoint-confirmations=" + std::to_string(min_confirmations),
      "--signer.key-file=" + test_support::copy_dev_signer_key(dir.path()).string(),
      "--data-dir=" + data_dir().string(),
      "--port=" + std::to_string(port),
      // The vector requests are signed under the zero EIP-712 domain.
      "--eip712-salt=0x" + std::string(64, '0')};
    args.insert(args.end(), extra.begin(), extra.end());
    node = std::make_unique<test_support::child_process>(covsignerd, args, node_log);
    httplib::Client http("127.0.0.1", port);
    http.set_connection_timeout(0, 200000);
    for (int i = 0; i < 200 && node->running(); ++i) {
      if (auto res = http.Get("/readyz"); res && res->status == 200)
        return;
      node->wait_for_exit(50ms);
    }
    FAIL() << "covsignerd did not become ready";
  }

  // One POST of `request` under `route_request_id`; the answer's JSON.
  boost::json::value submit(const std::string& route, const covenant_request& r,
                            const std::string& route_request_id) {
    httplib::Client http("127.0.0.1", port);
    http.set_read_timeout(40, 0);
    auto res = http.Post("/v1/" + route + "/signer/requests",
                         test_support::submit_body(r.request, route_request_id),
                         "application/json");
    if (!res)
      throw std::runtime_error("no answer from covsignerd");
    if (res->status != 200)
      throw std::runtime_error("HTTP " + std::to_string(res->status) + ": " + res->body);
    return boost::json::parse(res->body);
  }

  // A covenant request of vector `name` at `maturity`, funded by a real
  // transaction (covenant output at vout 0) that is now in bcoin's mempool,
  // and bound to it.
  struct funded {
    covenant_request request;
    bitcoin::transaction funding;
    std::string txid; // display hex
  };
  // `adjust` may change the request's plan before it is bound.
  funded fund(const std::string& name, std::uint64_t maturity,
              const std::function<void(covenant_request&)>& adjust = {}) {
    funded out;
    out.request = test_support::make_covenant_request(name, maturity);
    if (adjust)
      adjust(out.request);
    if (coins.empty())
      throw std::runtime_error("the test used every coin");
    out.funding = test_support::pay_from(coins.back(), {test_support::covenant_output(out.request)});
    coins.pop_back();
    auto sent = bcoin->send(out.funding);
    if (!sent.ok())
      throw std::runtime_error("bcoin refused the funding transaction: " + sent.message);
    out.txid = bitcoin::to_display_hex(bitcoin::txid(out.funding));
    test_support::bind_request(out.request, out.txid, 0);
    return out;
  }

  std::size_t audit_lines() const {
    auto path = persistence::audit_log_path(data_dir());
    if (!std::filesystem::exists(path))
      return 0;
    auto entries = persistence::read_audit_log(path);
    if (!std::holds_alternative<std::vector<persistence::audit_entry>>(entries))
      throw std::runtime_error("audit log unreadable");
    return std::get<std::vector<persistence::audit_entry>>(entries).size();
  }

  // Broadcasts `tx`, mines one block and checks it was mined in it.
  void expect_mined(const bitcoin::transaction& tx) {
    const auto txid = bitcoin::to_display_hex(bitcoin::txid(tx));
    auto sent = bcoin->send(tx);
    ASSERT_TRUE(sent.ok()) << "bcoin's mempool refused " << txid << ": " << sent.message;
    EXPECT_EQ(sent.result, boost::json::value(txid));
    EXPECT_EQ(bcoin->confirmations(txid), 0u) << "not in the mempool";
    auto block = bcoin->mine(1).at(0);
    EXPECT_EQ(bcoin->confirmations(txid), 1u) << "not mined";
    auto info = bcoin->must("getrawtransaction", {txid, true});
    EXPECT_EQ(json_string(info, "blockhash"), block);
  }
};

// A plan that pays `destination` sats and `fee` sats (the anchor takes the
// rest of the vector's 1,000,000-sat input: 330).
std::function<void(covenant_request&)> plan_values(std::int64_t destination, std::int64_t fee) {
  return [=](covenant_request& r) {
    auto& plan = r.request["migrationTransactionPlan"].as_object();
    if (destination + fee + 330 != plan.at("inputValueSats").to_number<std::int64_t>())
      throw std::runtime_error("plan values do not add up");
    plan["destinationValueSats"] = destination;
    plan["feeSats"] = fee;
  };
}

// The self_v1 spend of `f` signed by the test itself with the PUBLIC dev
// signer key, laid out as the node lays it out (reference §6.7): what the
// node would have answered had it signed.
bitcoin::transaction self_signed_spend(const covenant_request& r, const std::string& funding_txid) {
  const auto& plan = r.request.at("migrationTransactionPlan").as_object();
  const auto& destination = r.request.at("migrationDestination").as_object();
  bitcoin::covenant_spend_plan spend;
  spend.active_outpoint = {*bitcoin::from_display_hex(funding_txid), 0};
  spend.input_sequence = plan.at("inputSequence").to_number<std::uint32_t>();
  spend.lock_time = plan.at("lockTime").to_number<std::uint32_t>();
  spend.action = bitcoin::covenant_action::migration;
  spend.destination_script =
    *crypto::from_0x_hex(std::string(destination.at("depositScript").as_string()));
  spend.destination_value_sats = plan.at("destinationValueSats").to_number<std::uint64_t>();
  auto tx = *bitcoin::build_covenant_spend(spend).tx;
  auto signature = crypto::sign_der(test_support::dev_key(0x22),
                                    bitcoin::covenant_sighash(tx, r.witness_script, r.value));
  signature.push_back(0x01);
  return bitcoin::with_input_witness(tx, bitcoin::self_v1_signer_witness(signature, r.witness_script));
}

// The FAILED answer's detail, or what the answer was instead.
std::string failed_detail(const boost::json::value& answer) {
  if (json_string(answer, "status") != "FAILED")
    return "not FAILED: " + boost::json::serialize(answer);
  return json_string(answer, "detail");
}

} // namespace

TEST_F(BitcoinRegtest, SelfV1MaturityBranchIsNonFinalBeforeMaturityThenMined) {
  ASSERT_NO_FATAL_FAILURE(start_node(6));
  // Maturity a few blocks past the funding's sixth confirmation.
  const auto maturity = bcoin->block_count() + 10;
  auto reconstruct = fund("self_v1", maturity);
  auto presign = fund("self_v1_presign", maturity);
  bcoin->mine(6);
  ASSERT_EQ(bcoin->confirmations(reconstruct.txid), 6u);

  // The node signs the maturity branch before maturity: it does not check
  // the Bitcoin height (the reference does not either; presigning is the
  // point of presign_self_v1). Finality is the network's rule.
  std::vector<bitcoin::transaction> spends;
  for (auto* r : {&reconstruct, &presign}) {
    auto answer = submit("self_v1", r->request, r == &reconstruct ? "rr_self" : "rr_presign");
    ASSERT_EQ(json_string(answer, "status"), "READY") << answer;
    spends.push_back(parse_hex_tx(json_string(answer, "transactionHex")));
    EXPECT_EQ(spends.back().locktime, maturity);
    EXPECT_EQ(spends.back().inputs.at(0).sequence, 0xFFFFFFFDu);
  }
  EXPECT_EQ(audit_lines(), 2u);

  // bcoin's mempool refuses them as non-final while the next block's
  // height does not exceed the locktime: at tip maturity - 1 too.
  for (const auto& spend : spends) {
    auto sent = bcoin->send(spend);
    EXPECT_FALSE(sent.ok());
    EXPECT_NE(sent.message.find("non-final"), std::string::npos) << sent.message;
  }
  bcoin->mine_to(maturity - 1);
  for (const auto& spend : spends) {
    auto sent = bcoin->send(spend);
    EXPECT_NE(sent.message.find("non-final"), std::string::npos)
      << "at tip " << bcoin->block_count() << ": " << sent.message;
  }
  // At tip == maturity the next block may include them: accepted, mined.
  bcoin->mine_to(maturity);
  for (const auto& spend : spends)
    ASSERT_NO_FATAL_FAILURE(expect_mined(spend));
  // The funding outputs are spent on chain now.
  for (const auto& txid : {reconstruct.txid, presign.txid})
    EXPECT_TRUE(bcoin->must("gettxout", {txid, 0, true}).is_null());
}

TEST_F(BitcoinRegtest, QcV1HandoffCompletedByTheCustodianIsMined) {
  ASSERT_NO_FATAL_FAILURE(start_node(6));
  // Maturity already reached: the migration branch is final at once.
  const auto maturity = bcoin->block_count() - 1;
  auto f = fund("qc_v1", maturity);
  const auto& r = f.request;
  bcoin->mine(6);
  auto answer = submit("qc_v1", r, "rr_qc");
  ASSERT_EQ(json_string(answer, "status"), "READY") << answer;
  const auto& handoff = answer.at("handoff");

  // The custodian completes the handoff as the README documents:
  // witness [<empty dummy>, sigS, sigC, 0x01, <empty>, witnessScript], sigC
  // over the BIP143 SIGHASH_ALL digest of the unsigned spend.
  auto tx = parse_hex_tx(json_string(handoff, "unsignedTransactionHex"));
  const auto script = *crypto::from_0x_hex(json_string(handoff, "witnessScript"));
  ASSERT_EQ(bitcoin::p2wsh_script_pubkey(script), r.script_pubkey);
  auto sig_c = crypto::sign_der(test_support::dev_key(0x33),
                                bitcoin::covenant_sighash(tx, script, r.value));
  sig_c.push_back(0x01); // SIGHASH_ALL
  auto selector = handoff.at("selectorWitnessItems").as_array();
  ASSERT_EQ(selector.size(), 2u);
  tx.inputs.at(0).witness = {crypto::bytes{},
                             *crypto::from_0x_hex(json_string(handoff, "signerSignature")),
                             sig_c,
                             *crypto::from_0x_hex(std::string(selector[0].as_string())),
                             *crypto::from_0x_hex(std::string(selector[1].as_string())),
                             script};
  ASSERT_NO_FATAL_FAILURE(expect_mined(tx));
  EXPECT_TRUE(bcoin->must("gettxout", {f.txid, 0, true}).is_null());
}

TEST_F(BitcoinRegtest, ASpendWithOneSatoshiChangedIsRejectedByTheMempool) {
  ASSERT_NO_FATAL_FAILURE(start_node(6));
  auto f = fund("self_v1", bcoin->block_count() - 1);
  bcoin->mine(6);
  auto answer = submit("self_v1", f.request, "rr_tamper");
  ASSERT_EQ(json_string(answer, "status"), "READY") << answer;
  const auto spend = parse_hex_tx(json_string(answer, "transactionHex"));

  // One satoshi less to the destination (one more in fee), re-signed by
  // nobody: the signature no longer covers the outputs.
  auto tampered = spend;
  tampered.outputs.at(0).value -= 1;
  auto sent = bcoin->send(tampered);
  EXPECT_FALSE(sent.ok()) << "bcoin accepted a spend whose signature does not cover it";
  // The script check failed under the standard flags (which include
  // WITNESS). bcoin names it "non-mandatory-script-verify-flag": its
  // "mandatory" set is P2SH alone, under which a witness output is not
  // checked at all, so the rejection is the witness signature's.
  EXPECT_NE(sent.message.find("script-verify-flag"), std::string::npos) << sent.message;
  EXPECT_EQ(bcoin->confirmations(bitcoin::to_display_hex(bitcoin::txid(tampered))), std::nullopt);
  // The untouched spend is accepted and mined.
  ASSERT_NO_FATAL_FAILURE(expect_mined(spend));
}

TEST_F(BitcoinRegtest, FewerConfirmationsThanTheMinimumAreRefusedAndNothingIsSigned) {
  ASSERT_NO_FATAL_FAILURE(start_node(3));
  auto f = fund("self_v1", bcoin->block_count() - 1);
  const std::string refusal = "active outpoint transaction must have at least 3 confirmations";
  // In the mempool only (0 confirmations), then 2 of 3.
  EXPECT_EQ(failed_detail(submit("self_v1", f.request, "rr_conf_0")), refusal);
  bcoin->mine(2);
  ASSERT_EQ(bcoin->confirmations(f.txid), 2u);
  EXPECT_EQ(failed_detail(submit("self_v1", f.request, "rr_conf_2")), refusal);
  EXPECT_EQ(audit_lines(), 0u) << "a refused job reached the signer";
  // The third confirmation: signed, accepted, mined.
  bcoin->mine(1);
  auto answer = submit("self_v1", f.request, "rr_conf_3");
  ASSERT_EQ(json_string(answer, "status"), "READY") << answer;
  EXPECT_EQ(audit_lines(), 1u);
  ASSERT_NO_FATAL_FAILURE(expect_mined(parse_hex_tx(json_string(answer, "transactionHex"))));
}

TEST_F(BitcoinRegtest, AReorgBelowTheMinimumIsRefused) {
  ASSERT_NO_FATAL_FAILURE(start_node(3));
  auto f = fund("self_v1", bcoin->block_count() - 1);
  bcoin->mine(3);
  const auto funding_block =
    json_string(bcoin->must("getrawtransaction", {f.txid, true}), "blockhash");
  ASSERT_EQ(bcoin->confirmations(f.txid), 3u);
  const auto funding_height = bcoin->block_count() - 2;
  const std::string refusal = "active outpoint transaction must have at least 3 confirmations";

  // The funding block and the two on top of it leave the chain; a block
  // without the funding transaction replaces it. bcoin's invalidateblock
  // resets the chain and empties the mempool (Bitcoin Core would return the
  // disconnected transactions to it): the node finds no transaction.
  bcoin->must("invalidateblock", {funding_block});
  ASSERT_EQ(bcoin->block_count(), funding_height - 1);
  bcoin->mine(1);
  ASSERT_EQ(bcoin->confirmations(f.txid), std::nullopt);
  auto detail = failed_detail(submit("self_v1", f.request, "rr_reorg_gone"));
  EXPECT_TRUE(detail.starts_with("cannot determine active outpoint transaction confirmations") ||
              detail == "active outpoint transaction not found")
    << detail;
  // Broadcast again, as its wallet would: back to 0, then 2 confirmations.
  auto again = bcoin->send(f.funding);
  ASSERT_TRUE(again.ok()) << again.message;
  EXPECT_EQ(failed_detail(submit("self_v1", f.request, "rr_reorg_0")), refusal);
  bcoin->mine(2);
  EXPECT_EQ(failed_detail(submit("self_v1", f.request, "rr_reorg_2")), refusal);
  EXPECT_EQ(audit_lines(), 0u) << "a refused job reached the signer";
  // Three confirmations on the new branch: signed, accepted, mined.
  bcoin->mine(1);
  auto answer = submit("self_v1", f.request, "rr_reorg_3");
  ASSERT_EQ(json_string(answer, "status"), "READY") << answer;
  ASSERT_NO_FATAL_FAILURE(expect_mined(parse_hex_tx(json_string(answer, "transactionHex"))));
}

TEST_F(BitcoinRegtest, BitcoinRpcDownOpensTheReaderBreakerAndNothingIsSigned) {
  ASSERT_NO_FATAL_FAILURE(start_node(3, {"--chain.breaker-failures=2",
                                         "--chain.breaker-window-ms=60000",
                                         "--chain.breaker-open-ms=60000"}));
  auto f = fund("self_v1", bcoin->block_count() - 1);
  bcoin->mine(3);
  bcoin->stop();
  ASSERT_FALSE(bcoin->running());

  const std::string unavailable = "cannot determine active outpoint transaction confirmations: ";
  for (const char* id : {"rr_down_1", "rr_down_2"}) {
    auto detail = failed_detail(submit("self_v1", f.request, id));
    EXPECT_TRUE(detail.starts_with(unavailable)) << detail;
  }
  // Two failures in the window: the breaker is open and answers at once.
  auto detail = failed_detail(submit("self_v1", f.request, "rr_down_3"));
  EXPECT_EQ(detail, unavailable + "Bitcoin circuit breaker is open (fast fail)");
  EXPECT_NE(slurp(node_log).find("Bitcoin circuit breaker open"), std::string::npos);
  EXPECT_EQ(audit_lines(), 0u) << "a job was signed without Bitcoin data";

  // The node says so: not ready (the tbtc engine signs nothing without
  // Bitcoin data), naming the reader, and the breaker in /metrics.
  httplib::Client http("127.0.0.1", port);
  auto ready = http.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503) << ready->body;
  EXPECT_NE(ready->body.find(R"("failing":["bitcoin_reader: breaker open"])"), std::string::npos)
    << ready->body;
  EXPECT_NE(ready->body.find(R"("Bitcoin":"open")"), std::string::npos) << ready->body;
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  for (const char* line : {R"(covsigner_reader_breaker_state{reader="Bitcoin",state="open"} 1)",
                           R"(covsigner_reader_breaker_state{reader="Bitcoin",state="closed"} 0)",
                           R"(covsigner_reader_failures{reader="Bitcoin"} 2)",
                           R"(covsigner_reader_rejected{reader="Bitcoin"} 1)"})
    EXPECT_NE(metrics->body.find(line), std::string::npos) << line << "\n" << metrics->body;
}

TEST_F(BitcoinRegtest, AnOutpointAlreadySpentIsRefusedAndNothingMoreIsSigned) {
  ASSERT_NO_FATAL_FAILURE(start_node(3));
  auto f = fund("self_v1", bcoin->block_count() - 1);
  bcoin->mine(3);
  auto answer = submit("self_v1", f.request, "rr_spend");
  ASSERT_EQ(json_string(answer, "status"), "READY") << answer;
  ASSERT_EQ(audit_lines(), 1u);
  const auto spend = parse_hex_tx(json_string(answer, "transactionHex"));
  const auto spend_txid = bitcoin::to_display_hex(bitcoin::txid(spend));
  const std::string refusal = "active outpoint 0x" + f.txid +
                              ":0 is already spent (not in the Bitcoin node's unspent outputs)";

  // Spent by a transaction in the mempool (the peer answers gettxout as
  // Bitcoin Core does there), then in a block.
  auto sent = bcoin->send(spend);
  ASSERT_TRUE(sent.ok()) << sent.message;
  EXPECT_TRUE(bcoin->must("gettxout", {f.txid, 0, true}).is_null());
  EXPECT_FALSE(bcoin->must("gettxout", {f.txid, 0, false}).is_null()) << "still in the chain's set";
  auto detail = failed_detail(submit("self_v1", f.request, "rr_spent_in_mempool"));
  EXPECT_EQ(detail, refusal);
  bcoin->mine(1);
  ASSERT_EQ(bcoin->confirmations(spend_txid), 1u);
  EXPECT_TRUE(bcoin->must("gettxout", {f.txid, 0, false}).is_null());
  detail = failed_detail(submit("self_v1", f.request, "rr_spent_in_block"));
  EXPECT_EQ(detail, refusal);
  EXPECT_EQ(audit_lines(), 1u) << "a spent outpoint reached the signer";
  // The funding transaction itself is untouched: its other output (the
  // change) is still unspent.
  EXPECT_FALSE(bcoin->must("gettxout", {f.txid, 1, true}).is_null());
}


TEST_F(BitcoinRegtest, SpendsTheNetworkWouldNotRelayAreRefusedBeforeSigning) {
  ASSERT_NO_FATAL_FAILURE(start_node(1));
  const auto maturity = bcoin->block_count() - 1;
  // A fee of 150 sats for a spend of about 196 vB (under 1 sat/vB), and a
  // destination of 329 sats to P2WSH (dust below 330 at 3 sat/vB).
  auto low_fee = fund("self_v1", maturity, plan_values(1000000 - 330 - 150, 150));
  auto dust = fund("self_v1", maturity, plan_values(329, 1000000 - 330 - 329));
  bcoin->mine(1);

  auto detail = failed_detail(submit("self_v1", low_fee.request, "rr_low_fee"));
  const std::string fee_refusal = "covenant transaction fee of 150 sats is below the minimum "
                                  "relay fee of ";
  ASSERT_TRUE(detail.starts_with(fee_refusal)) << detail;
  const auto minimum = std::stoll(detail.substr(fee_refusal.size()));
  EXPECT_EQ(failed_detail(submit("self_v1", dust.request, "rr_dust")),
            "covenant destination output of 329 sats is dust (its output script needs at least "
            "330 sats to be relayed)");
  EXPECT_EQ(audit_lines(), 0u) << "a refused spend reached the signer";

  // Had the node signed them, the network would have refused them: the
  // same spends signed here with the public dev key.
  auto sent = bcoin->send(self_signed_spend(low_fee.request, low_fee.txid));
  EXPECT_FALSE(sent.ok());
  EXPECT_NE(sent.message.find("insufficientfee"), std::string::npos) << sent.message;
  sent = bcoin->send(self_signed_spend(dust.request, dust.txid));
  EXPECT_FALSE(sent.ok());
  EXPECT_NE(sent.message.find("dust"), std::string::npos) << sent.message;

  // At the node's minimum fee and at the dust threshold: signed, relayed,
  // mined.
  auto at_fee = fund("self_v1", maturity, plan_values(1000000 - 330 - minimum, minimum));
  auto at_dust = fund("self_v1", maturity, plan_values(330, 1000000 - 330 - 330));
  bcoin->mine(1);
  for (auto* f : {&at_fee, &at_dust}) {
    auto answer = submit("self_v1", f->request, f == &at_fee ? "rr_at_fee" : "rr_at_dust");
    ASSERT_EQ(json_string(answer, "status"), "READY") << answer;
    const auto spend = parse_hex_tx(json_string(answer, "transactionHex"));
    // The node's bound is the spend's real size, rounded up by at most the
    // signature's one byte of slack.
    if (f == &at_fee) {
      EXPECT_LE(minimum, static_cast<long long>(bitcoin::virtual_size(spend)) + 1);
    }
    ASSERT_NO_FATAL_FAILURE(expect_mined(spend));
  }
  EXPECT_EQ(audit_lines(), 2u);
}
