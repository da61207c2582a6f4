// The relay policy a covenant spend must meet to be accepted by the
// network's mempools: Bitcoin Core's defaults (src/policy/policy.h), which
// bcoin applies with the same numbers. A spend below them is valid but
// unrelayable: no node forwards it and no miner sees it, so a signature on
// it is one the network cannot use. Measured against bcoin 1.0.2 on
// regtest (tests/integration/bitcoin_regtest_test.cpp): a self_v1 spend of
// 196 vB was refused at a 150-sat fee ("insufficient priority") and
// accepted at 200; a 293-sat P2WSH destination was refused as "dust".
#pragma once

#include "bitcoin/transaction.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace covsigner::bitcoin {

/// DEFAULT_MIN_RELAY_TX_FEE: satoshis per 1000 virtual bytes.
inline constexpr std::int64_t min_relay_fee_per_kvb = 1000;
/// DUST_RELAY_TX_FEE: the fee rate at which an output is dust when
/// spending it would cost more than it carries.
inline constexpr std::int64_t dust_relay_fee_per_kvb = 3000;

/// BIP141 virtual size: ceil(weight / 4), weight = 3 * base size + total size.
std::size_t virtual_size(const transaction& tx);

/// The smallest fee a transaction of `vsize` virtual bytes relays with
/// (CFeeRate::GetFee: rate * size / 1000, at least 1 sat when non-zero).
std::int64_t min_relay_fee(std::size_t vsize);

/// The smallest value an output paying `script_pubkey` may carry and still
/// be relayed (GetDustThreshold): the cost, at the dust relay fee, of the
/// output plus the input that would spend it (32+4+1+107/4+4 bytes for a
/// witness program, 32+4+1+107+4 otherwise). 0 for an unspendable script
/// (OP_RETURN).
std::int64_t dust_threshold(std::span<const std::uint8_t> script_pubkey);

} // namespace covsigner::bitcoin
