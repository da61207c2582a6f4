// A real Bitcoin full node for tests: bcoin 1.0.2 on regtest, in memory
// (tests/peers/bcoin_regtest.js), on 127.0.0.1 at a free port with its own
// API key, stopped by PID when the object goes away. The node has no wallet:
// every block pays its coinbase to P2WSH(OP_TRUE) (the covenant anchor
// script, spendable by anyone with the witness [OP_TRUE]), and the tests
// spend those coins with transactions they build (coinbase_coins,
// pay_from).
#pragma once

#include "bitcoin/script.hpp"
#include "bitcoin/transaction.hpp"
#include "chain/json_rpc.hpp"
#include "crypto/bytes.hpp"
#include "tests/support/bech32.hpp"
#include "tests/support/child_process.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace covsigner::test_support {

/// `program` found on PATH, or empty.
inline std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate.string();
  }
  return {};
}

/// A spendable P2WSH(OP_TRUE) output.
struct regtest_coin {
  bitcoin::outpoint prevout;
  std::int64_t value = 0;
};

class bcoin_regtest {
public:
  /// bcoin's regtest enforces BIP66 (strict DER) in blocks from height 1251
  /// and BIP65 (CHECKLOCKTIMEVERIFY) from 1351, segwit from 432 (BIP9
  /// signalling). Past this height blocks are checked with mainnet's
  /// consensus rules; its mempool applies them (and more) at any height.
  static constexpr std::uint64_t mainnet_rules_height = 1351;
  /// Coinbase outputs are spendable after this many confirmations.
  static constexpr std::uint64_t coinbase_maturity = 100;

  /// Starts the node; `ready()` says whether its RPC answered within 30 s.
  explicit bcoin_regtest(const std::string& log_file)
    : port_(free_loopback_port()), api_key_(random_key()) {
    const auto node = find_on_path("node");
    if (node.empty())
      return; // ready() stays false; the test reports it
    process_ = std::make_unique<child_process>(
      node,
      std::vector<std::string>{std::string{COVSIGNER_SOURCE_DIR} + "/tests/peers/bcoin_regtest.js",
                               std::to_string(port_), api_key_},
      log_file);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline && process_->running()) {
      if (call("getblockcount", {}).ok()) {
        ready_ = true;
        break;
      }
      process_->wait_for_exit(std::chrono::milliseconds(100));
    }
  }
  ~bcoin_regtest() { stop(); }
  bcoin_regtest(const bcoin_regtest&) = delete;
  bcoin_regtest& operator=(const bcoin_regtest&) = delete;

  bool ready() const { return ready_; }
  bool running() const { return process_ && process_->running(); }
  pid_t pid() const { return process_ ? process_->pid() : -1; }

  /// The URL covsignerd's bitcoin-core backend takes (basic auth: bcoin
  /// checks only the password, its API key).
  std::string rpc_url() const {
    return "http://covsigner:" + api_key_ + "@127.0.0.1:" + std::to_string(port_) + "/";
  }

  chain::rpc_outcome call(std::string_view method, const boost::json::array& params) const {
    chain::json_rpc_client client(*chain::parse_http_url(rpc_url()),
                                  {std::chrono::milliseconds(1000), std::chrono::milliseconds(1000),
                                   std::chrono::milliseconds(30000)});
    return client.call(method, params);
  }

  /// `call`, throwing when the node answers an error (a broken test setup,
  /// not an outcome under test).
  boost::json::value must(std::string_view method, const boost::json::array& params) const {
    auto out = call(method, params);
    if (!out.ok())
      throw std::runtime_error("bcoin " + std::string(method) + ": " + out.message);
    return out.result;
  }

  std::uint64_t block_count() const { return must("getblockcount", {}).to_number<std::uint64_t>(); }

  std::string block_hash(std::uint64_t height) const {
    return std::string(must("getblockhash", {height}).as_string());
  }

  /// Mines `n` blocks paying P2WSH(OP_TRUE); they include what the mempool
  /// holds. Returns their hashes.
  std::vector<std::string> mine(std::uint64_t n) const {
    std::vector<std::string> hashes;
    const auto mined = must("generatetoaddress", {n, mining_address()});
    for (const auto& h : mined.as_array())
      hashes.emplace_back(h.as_string());
    return hashes;
  }

  /// Mines until the tip is at `height` (no-op when it is already there).
  void mine_to(std::uint64_t height) const {
    auto tip = block_count();
    if (tip < height)
      mine(height - tip);
  }

  /// The transaction `txid` (display hex), parsed.
  bitcoin::transaction transaction(const std::string& txid) const {
    auto hex = must("getrawtransaction", {txid, false});
    auto raw = crypto::from_hex(std::string(hex.as_string()));
    auto parsed = bitcoin::parse_transaction(*raw);
    if (!parsed.tx)
      throw std::runtime_error("bcoin returned an unparsable transaction " + txid);
    return *parsed.tx;
  }

  /// Confirmations of `txid` as getrawtransaction reports them (0: in the
  /// mempool); nullopt when the node does not know it.
  std::optional<std::uint64_t> confirmations(const std::string& txid) const {
    auto out = call("getrawtransaction", {txid, true});
    if (!out.ok())
      return std::nullopt;
    return out.result.at("confirmations").to_number<std::uint64_t>();
  }

  /// Broadcasts `tx`; the RPC outcome (the txid, or bcoin's reject reason).
  chain::rpc_outcome send(const bitcoin::transaction& tx) const {
    return call("sendrawtransaction", {crypto::to_hex(bitcoin::serialize_with_witness(tx))});
  }

  /// The coinbase outputs of blocks 1.. that are mature now, oldest first.
  /// Every one pays P2WSH(OP_TRUE).
  std::vector<regtest_coin> coinbase_coins(std::size_t count) const {
    std::vector<regtest_coin> coins;
    const auto tip = block_count();
    for (std::uint64_t h = 1; coins.size() < count && h + coinbase_maturity <= tip; ++h) {
      auto block = must("getblock", {block_hash(h), true});
      const std::string txid(block.at("tx").as_array().at(0).as_string());
      auto tx = transaction(txid);
      if (tx.outputs.at(0).script_pubkey != bitcoin::anchor_script_pubkey())
        throw std::runtime_error("coinbase of block " + std::to_string(h) + " is not ours");
      coins.push_back({{bitcoin::txid(tx), 0}, tx.outputs[0].value});
    }
    if (coins.size() < count)
      throw std::runtime_error("not enough mature coinbase outputs");
    return coins;
  }

  /// Stops the node (SIGTERM, then SIGKILL) by its PID.
  void stop() {
    if (process_ && process_->running()) {
      process_->signal(SIGTERM);
      if (!process_->wait_for_exit(std::chrono::seconds(5))) {
        process_->signal(SIGKILL);
        process_->wait_for_exit(std::chrono::seconds(5));
      }
    }
  }

  /// bcoin's regtest address of P2WSH(OP_TRUE).
  static std::string mining_address() {
    return segwit_v0_address("rb", bitcoin::anchor_script_pubkey());
  }

private:
  static std::string random_key() {
    std::random_device rd;
    std::ostringstream key;
    for (int i = 0; i < 4; ++i)
      key << std::hex << rd();
    return key.str();
  }

  int port_;
  std::string api_key_;
  std::unique_ptr<child_process> process_;
  bool ready_ = false;
};

/// A version-2 transaction spending `coin` (witness [OP_TRUE]) to `outputs`,
/// the rest less `fee` back to P2WSH(OP_TRUE) as the last output.
inline bitcoin::transaction pay_from(const regtest_coin& coin,
                                     std::vector<bitcoin::tx_output> outputs,
                                     std::int64_t fee = 10000) {
  bitcoin::transaction tx;
  tx.version = 2;
  bitcoin::tx_input in;
  in.prevout = coin.prevout;
  in.sequence = 0xffffffff;
  in.witness = {bitcoin::bytes{0x51}}; // the witness script OP_TRUE, no arguments
  tx.inputs.push_back(std::move(in));
  std::int64_t change = coin.value - fee;
  for (const auto& o : outputs)
    change -= o.value;
  if (change < 10000)
    throw std::runtime_error("coin too small for these outputs");
  tx.outputs = std::move(outputs);
  tx.outputs.push_back({change, bitcoin::anchor_script_pubkey()});
  return tx;
}

} // namespace covsigner::test_support
