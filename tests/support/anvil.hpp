// A real local Ethereum node for tests: anvil from the npm package
// @foundry-rs/anvil-linux-amd64 (tests/peers), on 127.0.0.1 at a free port,
// stopped by PID when the object goes away. Deploys the committed test
// contracts (tests/contracts/*.json, built by tests/contracts/compile.js)
// and sends transactions from anvil's first unlocked account.
#pragma once

#include "chain/abi.hpp"
#include "chain/ethereum.hpp"
#include "chain/json_rpc.hpp"
#include "tests/support/child_process.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

namespace covsigner::test_support {

inline std::string anvil_binary() {
  return COVSIGNER_SOURCE_DIR "/tests/peers/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";
}

class anvil_node {
public:
  /// Starts anvil; `ready()` says whether it answered within 20 s.
  explicit anvil_node(const std::string& log_file)
    : port_(free_loopback_port()),
      process_(std::make_unique<child_process>(
        anvil_binary(),
        std::vector<std::string>{"--host", "127.0.0.1", "--port", std::to_string(port_), "--silent"},
        log_file)) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline && process_->running()) {
      if (client().call("eth_blockNumber", {}).ok()) {
        ready_ = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ~anvil_node() { stop(); }

  bool ready() const { return ready_; }
  int port() const { return port_; }
  pid_t pid() const { return process_->pid(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  chain::json_rpc_client client(chain::rpc_timeouts t = {std::chrono::milliseconds(1000),
                                                         std::chrono::milliseconds(1000),
                                                         std::chrono::milliseconds(5000)}) const {
    return chain::json_rpc_client(*chain::parse_http_url(url()), t);
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

  /// Sends `data` to `to` (nullopt: a contract creation) from the first
  /// account and waits for a successful receipt. The receipt, or nullopt
  /// with `error`.
  std::optional<boost::json::object> transact(const std::optional<chain::eth_address>& to,
                                               const crypto::bytes& data, std::string& error) {
    auto rpc = client();
    auto accounts = rpc.call("eth_accounts", {});
    if (!accounts.ok() || !accounts.result.is_array() || accounts.result.as_array().empty()) {
      error = "eth_accounts: " + accounts.message;
      return std::nullopt;
    }
    boost::json::object tx;
    tx["from"] = accounts.result.as_array()[0];
    if (to)
      tx["to"] = crypto::to_0x_hex(*to);
    tx["data"] = crypto::to_0x_hex(data);
    tx["gas"] = "0x989680"; // 10M: no estimate round trip
    auto sent = rpc.call("eth_sendTransaction", boost::json::array{tx});
    if (!sent.ok()) {
      error = sent.message;
      return std::nullopt;
    }
    for (int i = 0; i < 100; ++i) {
      auto receipt = rpc.call("eth_getTransactionReceipt", boost::json::array{sent.result});
      if (receipt.ok() && receipt.result.is_object()) {
        auto& r = receipt.result.as_object();
        if (r["status"] != "0x1") {
          error = "transaction reverted: " + boost::json::serialize(r);
          return std::nullopt;
        }
        return r;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    error = "no receipt";
    return std::nullopt;
  }

  /// Deploys tests/contracts/<name>.json. The contract address, or nullopt.
  std::optional<chain::eth_address> deploy(const std::string& name, std::string& error) {
    std::ifstream in(COVSIGNER_SOURCE_DIR "/tests/contracts/" + name + ".json");
    std::stringstream text;
    text << in.rdbuf();
    boost::json::error_code ec;
    auto artifact = boost::json::parse(text.str(), ec);
    if (ec || !artifact.is_object() || !artifact.as_object().contains("bytecode")) {
      error = "cannot read the artifact of " + name;
      return std::nullopt;
    }
    auto code = crypto::from_0x_hex(std::string(artifact.as_object()["bytecode"].as_string()));
    if (!code) {
      error = "bad bytecode in the artifact of " + name;
      return std::nullopt;
    }
    auto receipt = transact(std::nullopt, *code, error);
    if (!receipt)
      return std::nullopt;
    auto* address = receipt->if_contains("contractAddress");
    if (!address || !address->is_string()) {
      error = "receipt has no contractAddress";
      return std::nullopt;
    }
    auto hex = std::string(address->as_string());
    for (auto& c : hex)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return crypto::fixed_from_0x_hex<20>(hex);
  }

private:
  int port_;
  std::unique_ptr<child_process> process_;
  bool ready_ = false;
};

} // namespace covsigner::test_support
