// The Bitcoin Core JSON-RPC source through bitcoin_reader. No bitcoind is
// available here, so a loopback HTTP server answers in Bitcoin Core's
// documented shapes (a simulated peer): getrawtransaction <txid> true ->
// {"hex", "confirmations", ...}; an unknown txid -> HTTP 500 with error code
// -5; getblockcount -> a number; HTTP basic auth required.
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

TEST(BitcoinCoreSource, ThroughTheBitcoinReader) {
  simulated_bitcoin_core peer;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto reader =
    spawn_bitcoin_reader(sys, chain::make_bitcoin_core(client(peer.url("alice:secret"))));
  auto r = test_support::ask<outpoint_reply>(sys, reader, 5s, outpoint_atom::value,
                                             "0x" + std::string(64, 'c'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, chain_code::ok);
  EXPECT_EQ(r->confirmations, 7u);
  r = test_support::ask<outpoint_reply>(sys, reader, 5s, outpoint_atom::value,
                                        "0x" + std::string(64, 'd'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, chain_code::not_found);
  auto bad = test_support::ask<outpoint_reply>(sys, reader, 5s, outpoint_atom::value,
                                               std::string("c0ffee"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), caf::sec::invalid_argument);
  caf::anon_send_exit(reader, caf::exit_reason::user_shutdown);
}

} // namespace
} // namespace covsigner::actors
