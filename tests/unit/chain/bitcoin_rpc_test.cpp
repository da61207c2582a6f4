// The Bitcoin Core JSON-RPC source through bitcoin_reader. No bitcoind is
// available here, so a loopback HTTP server answers in Bitcoin Core's
// documented shapes (a simulated peer): getrawtransaction <txid> true ->
// {"hex", "confirmations", ...}; an unknown txid -> HTTP 500 with error code
// -5; gettxout <txid> <n> true -> the unspent output's object, or null when
// it is spent or unknown; getblockcount -> a number; HTTP basic auth
// required. Some txids answer gettxout with shapes Core never sends, or an
// error, so the backend's decoding of each is pinned.
#include "actors/bitcoin_reader.hpp"
#include "chain/bitcoin_rpc.hpp"
#include "tests/support/child_process.hpp"
#include "tests/unit/chain/reader_test_support.hpp"

#include <boost/json.hpp>
#include <httplib.h>

#include <thread>

namespace covsigner::actors {
namespace {

using namespace std::chrono_literals;
using namespace messages;
namespace json = boost::json;

class simulated_bitcoin_core {
public:
  simulated_bitcoin_core() : port_(test_support::free_loopback_port()) {
    server_.Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      // "alice:secret" in base64: Bitcoin Core's rpcuser/rpcpassword auth.
      if (req.get_header_value("Authorization") != "Basic YWxpY2U6c2VjcmV0") {
        res.status = 401;
        return;
      }
      auto body = json::parse(req.body).as_object();
      last_params = json::serialize(body["params"]);
      json::object reply{{"id", body["id"]}, {"error", nullptr}};
      auto method = std::string(body["method"].as_string());
      if (method == "getblockcount") {
        reply["result"] = 850123;
      } else if (method == "getrawtransaction" &&
                 body["params"].as_array()[0].as_string() == std::string(64, 'c')) {
        reply["result"] = json::object{{"txid", std::string(64, 'c')},
                                       {"hex", "02000000000101"},
                                       {"confirmations", 7}};
      } else if (method == "getrawtransaction" &&
                 body["params"].as_array()[0].as_string() == std::string(64, 'e')) {
        reply["result"] = json::object{{"txid", std::string(64, 'e')}, {"hex", "0100"}};
      } else if (method == "gettxout") {
        if (!answer_gettxout(body["params"].as_array(), res, reply))
          return;
      } else {
        res.status = 500;
        reply["result"] = nullptr;
        reply["error"] = json::object{
          {"code", -5},
          {"message", "No such mempool or blockchain transaction. Use gettransaction for "
                      "wallet transactions."}};
      }
      res.set_content(json::serialize(reply), "application/json");
    });
    server_.bind_to_port("127.0.0.1", port_);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running())
      std::this_thread::sleep_for(1ms);
  }
  ~simulated_bitcoin_core() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& credentials) const {
    return "http://" + credentials + "@127.0.0.1:" + std::to_string(port_) + "/";
  }
  std::string last_params;

private:
  // gettxout by txid (64 times one hex digit): c -> output 0 unspent (Core's
  // object), any other output null (spent); d -> null (unknown txid: Core
  // answers null, not an error); e -> RPC error; a -> an object without
  // "value"; b -> a string. False: the answer is already in `res`.
  static bool answer_gettxout(const json::array& params, httplib::Response& res,
                              json::object& reply) {
    const std::string txid(params.at(0).as_string());
    const auto vout = params.at(1).to_number<std::uint32_t>();
    if (txid == std::string(64, 'c') && vout == 0) {
      reply["result"] = json::object{
        {"bestblock", std::string(64, '0')}, {"confirmations", 7}, {"value", 0.01},
        {"scriptPubKey", json::object{{"hex", "0020" + std::string(64, '3')}, {"type", "witness_v0_scripthash"}}},
        {"coinbase", false}};
    } else if (txid == std::string(64, 'c') || txid == std::string(64, 'd')) {
      reply["result"] = nullptr;
    } else if (txid == std::string(64, 'e')) {
      res.status = 500;
      reply["result"] = nullptr;
      reply["error"] = json::object{{"code", -1}, {"message", "simulated gettxout failure"}};
    } else if (txid == std::string(64, 'a')) {
      reply["result"] = json::object{{"bestblock", std::string(64, '0')}};
    } else {
      reply["result"] = "unspent";
    }
    res.set_content(json::serialize(reply), "application/json");
    return false;
  }

  int port_;
  httplib::Server server_;
  std::thread thread_;
};

chain::json_rpc_client client(const std::string& url) {
  return chain::json_rpc_client(*chain::parse_http_url(url), {200ms, 200ms, 500ms});
}

TEST(BitcoinCoreSource, ReadsTransactionsConfirmationsAndHeight) {
  simulated_bitcoin_core peer;
  auto source = chain::make_bitcoin_core(client(peer.url("alice:secret")));
  auto tx = source->transaction(*crypto::fixed_from_0x_hex<32>("0x" + std::string(64, 'c')));
  ASSERT_EQ(tx.code, chain::read_code::ok) << tx.cause;
  EXPECT_EQ(tx.value.hex, "02000000000101");
  EXPECT_EQ(tx.value.confirmations, 7u);
  EXPECT_EQ(peer.last_params, R"([")" + std::string(64, 'c') + R"(",true])");
  auto mempool = source->transaction(*crypto::fixed_from_0x_hex<32>("0x" + std::string(64, 'e')));
  ASSERT_EQ(mempool.code, chain::read_code::ok);
  EXPECT_EQ(mempool.value.confirmations, 0u); // no "confirmations": not yet mined
  auto height = source->block_count();
  ASSERT_EQ(height.code, chain::read_code::ok);
  EXPECT_EQ(height.value, 850123u);
}

TEST(BitcoinCoreSource, UnknownTxidIsNotFoundAndBadCredentialsUnavailable) {
  simulated_bitcoin_core peer;
  auto source = chain::make_bitcoin_core(client(peer.url("alice:secret")));
  auto missing = source->transaction(*crypto::fixed_from_0x_hex<32>("0x" + std::string(64, 'd')));
  EXPECT_EQ(missing.code, chain::read_code::not_found);
  EXPECT_EQ(missing.cause, "Bitcoin node has no transaction 0x" + std::string(64, 'd') +
                             ": getrawtransaction failed: RPC error -5: No such mempool or "
                             "blockchain transaction. Use gettransaction for wallet transactions.");
  auto wrong = chain::make_bitcoin_core(client(peer.url("alice:wrong")));
  auto denied = wrong->block_count();
  EXPECT_EQ(denied.code, chain::read_code::unavailable);
  EXPECT_EQ(denied.cause, "getblockcount: HTTP 401");
}

chain::read_result<covenant::output_spend> output_spend(chain::bitcoin_source& source, char digit,
                                                       std::uint32_t vout) {
  return source.output_spend(*crypto::fixed_from_0x_hex<32>("0x" + std::string(64, digit)), vout);
}

TEST(BitcoinCoreSource, GettxoutObjectIsUnspentAndNullIsSpent) {
  simulated_bitcoin_core peer;
  auto source = chain::make_bitcoin_core(client(peer.url("alice:secret")));
  auto unspent = output_spend(*source, 'c', 0);
  ASSERT_EQ(unspent.code, chain::read_code::ok) << unspent.cause;
  EXPECT_EQ(unspent.value, covenant::output_spend::unspent);
  // Mempool spends count: the third parameter is include_mempool = true.
  EXPECT_EQ(peer.last_params, R"([")" + std::string(64, 'c') + R"(",0,true])");
  auto spent = output_spend(*source, 'c', 1);
  ASSERT_EQ(spent.code, chain::read_code::ok) << spent.cause;
  EXPECT_EQ(spent.value, covenant::output_spend::spent);
  EXPECT_EQ(peer.last_params, R"([")" + std::string(64, 'c') + R"(",1,true])");
  auto unknown = output_spend(*source, 'd', 0);
  ASSERT_EQ(unknown.code, chain::read_code::ok) << unknown.cause;
  EXPECT_EQ(unknown.value, covenant::output_spend::spent);
}

TEST(BitcoinCoreSource, GettxoutErrorsAndOtherShapesAreUnavailable) {
  simulated_bitcoin_core peer;
  auto source = chain::make_bitcoin_core(client(peer.url("alice:secret")));
  auto failed = output_spend(*source, 'e', 0);
  EXPECT_EQ(failed.code, chain::read_code::unavailable);
  EXPECT_EQ(failed.cause, "gettxout failed: RPC error -1: simulated gettxout failure");
  for (char digit : {'a', 'b'}) {
    auto odd = output_spend(*source, digit, 0);
    EXPECT_EQ(odd.code, chain::read_code::unavailable) << digit;
    EXPECT_EQ(odd.cause, "gettxout: result is neither null nor an unspent output") << digit;
  }
  auto denied = output_spend(*chain::make_bitcoin_core(client(peer.url("alice:wrong"))), 'c', 0);
  EXPECT_EQ(denied.code, chain::read_code::unavailable);
  EXPECT_EQ(denied.cause, "gettxout: HTTP 401");
}

TEST(BitcoinCoreSource, ThroughTheBitcoinReader) {
  simulated_bitcoin_core peer;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto reader =
    spawn_bitcoin_reader(sys, chain::make_bitcoin_core(client(peer.url("alice:secret"))));
  auto ask = [&](char digit, std::uint32_t vout) {
    return test_support::ask<outpoint_reply>(sys, reader, 5s, outpoint_atom::value,
                                             "0x" + std::string(64, digit), vout);
  };
  auto r = ask('c', 0);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, chain_code::ok);
  EXPECT_EQ(r->confirmations, 7u);
  EXPECT_EQ(r->output, covenant::output_spend::unspent);
  r = ask('c', 1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, chain_code::ok);
  EXPECT_EQ(r->output, covenant::output_spend::spent);
  r = ask('d', 0);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, chain_code::not_found);
  EXPECT_EQ(r->output, covenant::output_spend::unknown);
  // The transaction is there, gettxout fails: the transaction's read
  // stands, the spent state is unknown and says why.
  r = ask('e', 0);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, chain_code::ok) << r->cause;
  EXPECT_EQ(r->transaction_hex, "0100");
  EXPECT_EQ(r->output, covenant::output_spend::unknown);
  EXPECT_EQ(r->output_cause, "gettxout failed: RPC error -1: simulated gettxout failure");
  auto bad = test_support::ask<outpoint_reply>(sys, reader, 5s, outpoint_atom::value,
                                               std::string("c0ffee"), std::uint32_t{0});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), caf::sec::invalid_argument);
  caf::anon_send_exit(reader, caf::exit_reason::user_shutdown);
}

} // namespace
} // namespace covsigner::actors
