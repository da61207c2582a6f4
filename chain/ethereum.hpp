// Ethereum JSON-RPC sources: Bridge `wallets(bytes20)` and WalletRegistry
// `getWallet(bytes32)` through eth_call (ABI in chain/abi.hpp), and the
// host chain height through eth_blockNumber.
#pragma once

#include "chain/json_rpc.hpp"
#include "chain/sources.hpp"

#include <memory>
#include <optional>
#include <string>

namespace covsigner::chain {

using eth_address = crypto::hash20;

/// "0x"-hex of a JSON-RPC quantity ("0x1a") or data ("0x...") as bytes/uint.
std::optional<std::uint64_t> parse_quantity(std::string_view hex);

std::unique_ptr<bridge_source> make_ethereum_bridge(json_rpc_client client, eth_address bridge);
std::unique_ptr<registry_source> make_ethereum_registry(json_rpc_client client,
                                                        eth_address registry);
std::unique_ptr<height_source> make_ethereum_height(json_rpc_client client);

/// CovenantSpendAuthorization `isAuthorized` read at block head −
/// `confirmations` (so the authorization has at least that many blocks on
/// top of it); a head shallower than that answers ok(false).
std::unique_ptr<spend_authorization_source>
make_ethereum_spend_authorization(json_rpc_client client, eth_address registry,
                                  std::uint64_t confirmations);

/// eth_call of `data` against `to` at `block` (a tag or a 0x quantity); the
/// returned bytes, or why not (RPC error such as a revert, transport
/// failure, malformed hex).
read_result<crypto::bytes> eth_call(const json_rpc_client& client, const eth_address& to,
                                    const crypto::bytes& data, const std::string& what,
                                    const std::string& block = "latest");

} // namespace covsigner::chain
