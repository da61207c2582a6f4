// Whether a Bitcoin output can still be spent, as the chain source, the
// Bitcoin reader's reply and the signing engine all name it (one enum from
// the source to the refusal).
#pragma once

#include <cstdint>

namespace covsigner::covenant {

enum class output_spend : std::uint8_t {
  /// Not asked, or the source could not answer: never signed on (the
  /// engine fails closed).
  unknown,
  /// In the Bitcoin node's unspent outputs (confirmed, or created in its
  /// mempool and not spent there).
  unspent,
  /// Not in its unspent outputs: spent in a block or by a transaction in its
  /// mempool (Bitcoin Core's `gettxout <txid> <n> true` answers null), or no
  /// such output. The engine reads it only after it found the transaction and
  /// checked the output index, so there it means spent.
  spent,
};

} // namespace covsigner::covenant
