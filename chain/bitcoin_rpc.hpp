// Bitcoin Core JSON-RPC source: `getrawtransaction <txid> true` (hex and
// confirmations), `gettxout <txid> <n> true` (spent state, mempool spends
// included) and `getblockcount`. Needs a node with -txindex (or the
// transaction in its mempool/wallet) for arbitrary txids.
#pragma once

#include "chain/json_rpc.hpp"
#include "chain/sources.hpp"

#include <memory>

namespace covsigner::chain {

/// Bitcoin Core's RPC_INVALID_ADDRESS_OR_KEY: "No such mempool or
/// blockchain transaction" -> not_found.
inline constexpr std::int64_t bitcoin_rpc_not_found = -5;

std::unique_ptr<bitcoin_source> make_bitcoin_core(json_rpc_client client);

} // namespace covsigner::chain
