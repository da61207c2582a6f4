// The fixture chain: a JSON file of wallets (Bridge fields plus, optionally,
// the registry's members-IDs hash), host-chain and Bitcoin heights and
// transactions. The default backend for development and embedding; every
// answer it gives is simulated data, and its fault_switch injects failures.
//
// Format (unknown keys are errors, so a typo cannot silently drop data):
// {
//   "hostChainHeight": 1234,                      // required
//   "bitcoinHeight": 850000,                      // optional, default 0
//   "wallets": [{                                 // optional
//     "walletPubKeyHash": "0x<20 bytes>",         // required
//     "ecdsaWalletID": "0x<32 bytes>",            // required
//     "createdAt": 1700000000,                    // required (0 = not found)
//     "state": 1,                                 // required, 0..5
//     "mainUtxoHash": "0x<32>", "pendingRedemptionsValue": 0,
//     "movingFundsRequestedAt": 0, "closingStartedAt": 0,
//     "pendingMovedFundsSweepRequestsCount": 0,
//     "movingFundsTargetWalletsCommitmentHash": "0x<32>",
//     "membersIdsHash": "0x<32>"                  // absent: registry has no entry
//   }],
//   "transactions": [{"txid": "0x<32>", "hex": "<raw tx>", "confirmations": 6,
//                     "spentOutputs": [0]}],    // optional: output indexes spent
//                                               // on this simulated chain
//   "spendAuthorizations": [{                     // optional: CovenantSpendAuthorization
//     "utxoKey": "0x<32>", "walletPKH": "0x<20>", // entries, all taken as confirmed
//     "value": 1000000, "outputsHash": "0x<32>"   // (`covsignerctl spend-key` prints them)
//   }]
// }
#pragma once

#include "chain/fault_switch.hpp"
#include "chain/sources.hpp"

#include <map>
#include <set>
#include <tuple>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace covsigner::chain {

struct fixture_chain {
  std::uint64_t host_chain_height = 0;
  std::uint64_t bitcoin_height = 0;
  std::map<crypto::hash20, covenant::wallet_chain_data> bridge;  // by wallet PKH
  std::map<crypto::hash32, crypto::hash32> registry;             // wallet id -> members hash
  std::map<crypto::hash32, bitcoin_transaction> transactions;    // by txid
  /// Outputs of `transactions` marked spent; every other output of a listed
  /// transaction is unspent.
  std::set<std::pair<crypto::hash32, std::uint32_t>> spent_outputs;
  /// (utxoKey, walletPKH, value, outputsHash) the registry authorized.
  std::set<std::tuple<crypto::hash32, crypto::hash20, std::uint64_t, crypto::hash32>>
    spend_authorizations;
};

/// Parses fixture JSON. nullopt with `error` naming the offending field.
std::optional<fixture_chain> parse_fixture(std::string_view json, std::string& error);
/// Reads and parses a fixture file.
std::optional<fixture_chain> load_fixture_file(const std::string& path, std::string& error);

/// Sources over one fixture. `faults` may be null (never fails).
std::unique_ptr<bridge_source> make_fixture_bridge(std::shared_ptr<const fixture_chain> chain,
                                                   std::shared_ptr<fault_switch> faults);
std::unique_ptr<registry_source> make_fixture_registry(std::shared_ptr<const fixture_chain> chain,
                                                       std::shared_ptr<fault_switch> faults);
std::unique_ptr<height_source> make_fixture_height(std::shared_ptr<const fixture_chain> chain,
                                                   std::shared_ptr<fault_switch> faults);
std::unique_ptr<spend_authorization_source>
make_fixture_spend_authorization(std::shared_ptr<const fixture_chain> chain,
                                 std::shared_ptr<fault_switch> faults);
std::unique_ptr<bitcoin_source> make_fixture_bitcoin(std::shared_ptr<const fixture_chain> chain,
                                                     std::shared_ptr<fault_switch> faults);

} // namespace covsigner::chain
