// Builds the four chain sources from configuration, so the node wires
// readers without knowing backend details. Backends:
//   "fixture"   (default): a fixture JSON file (chain/fixture.hpp); simulated
//               data, with a shared fault_switch for demos and tests.
//   "ethereum": JSON-RPC over HTTP to an Ethereum node; the Bridge and
//               WalletRegistry contract addresses are required.
// Bitcoin: "fixture" (from the same fixture file) or "bitcoin-core"
// (JSON-RPC, credentials in the URL: http://user:password@host:port/).
#pragma once

#include "chain/fault_switch.hpp"
#include "chain/fixture.hpp"
#include "chain/json_rpc.hpp"
#include "chain/sources.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace covsigner::chain {

struct backend_config {
  std::string backend = "fixture";         // fixture | ethereum
  std::string fixture_file;                // fixture (and bitcoin fixture): required
  std::string rpc_url;                     // ethereum
  std::string bridge_address;              // ethereum: 0x + 20 bytes
  std::string wallet_registry_address;     // ethereum: 0x + 20 bytes
  /// ethereum: the CovenantSpendAuthorization registry, 0x + 20 bytes;
  /// empty or zero = unset (a node that requires the gate then refuses to
  /// sign). The fixture backend serves its file's authorizations instead.
  std::string spend_authorization_address;
  /// Blocks an authorization must have on top of it: the registry is read
  /// at head - N. Default 6, the reference's minimum for the active
  /// outpoint, so both sides of a spend are held to the same depth (about
  /// 72 s on Ethereum mainnet, deeper than post-merge reorgs have gone; set
  /// 64, two epochs, for finality, and a session timeout that outlasts it).
  std::uint64_t spend_authorization_confirmations = 6;
  std::string bitcoin_backend = "fixture"; // fixture | bitcoin-core
  std::string bitcoin_rpc_url;             // bitcoin-core
  rpc_timeouts sockets;                    // for every JSON-RPC source
  /// The shortest request timeout of the readers these sources serve; the
  /// socket timeouts must end a call before it.
  std::chrono::milliseconds request_timeout{2000};
};

struct chain_sources {
  std::shared_ptr<bridge_source> bridge;
  std::shared_ptr<registry_source> registry;
  std::shared_ptr<height_source> height;
  std::shared_ptr<bitcoin_source> bitcoin;
  /// Null when the registry is unset; `spend_authorization_unset` says why.
  std::shared_ptr<spend_authorization_source> spend_authorization;
  std::string spend_authorization_unset;
  /// Fixture backends only: flips simulated faults for every fixture source.
  std::shared_ptr<fault_switch> faults;
  bool simulated = false; // true when any source serves fixture data
};

/// The sources for `config`, or nullopt with `error` naming the bad setting.
std::optional<chain_sources> make_chain_sources(const backend_config& config, std::string& error);

} // namespace covsigner::chain
