// BIP143 signature hash for version 0 witness programs (P2WPKH / P2WSH).
// https://github.com/bitcoin/bips/blob/master/bip-0143.mediawiki
#pragma once

#include "bitcoin/transaction.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace covsigner::bitcoin {

/// Signature hash types (the byte appended to a DER signature).
enum sighash_type : std::uint32_t {
  SIGHASH_ALL = 0x01,
  SIGHASH_NONE = 0x02,
  SIGHASH_SINGLE = 0x03,
  SIGHASH_ANYONECANPAY = 0x80,
};

/// BIP143 `hashOutputs` (item 8 under SIGHASH_ALL): double SHA-256 of every
/// output serialised as value (8 bytes LE) + varint-prefixed scriptPubKey.
/// Also the `outputsHash` a CovenantSpendAuthorization commits to.
hash32 hash_outputs(const transaction& tx);

/// The BIP143 preimage (what is double-SHA-256 hashed) for input
/// `input_index` spending `amount` satoshis, with `script_code` the raw
/// scriptCode (for P2WSH: the witness script from the last executed
/// OP_CODESEPARATOR on; without its length prefix, which is added here).
/// `hash_type` is serialized as 4 bytes; its low 5 bits select
/// ALL/NONE/SINGLE and 0x80 is ANYONECANPAY, as in Bitcoin Core.
/// Precondition: input_index < tx.inputs.size().
bytes segwit_v0_sighash_preimage(const transaction& tx, std::size_t input_index,
                                 std::span<const std::uint8_t> script_code, std::int64_t amount,
                                 std::uint32_t hash_type);

/// Double SHA-256 of segwit_v0_sighash_preimage: the 32-byte message that
/// ECDSA signs and verifies (in hash output order, not reversed).
hash32 segwit_v0_sighash(const transaction& tx, std::size_t input_index,
                         std::span<const std::uint8_t> script_code, std::int64_t amount,
                         std::uint32_t hash_type);

} // namespace covsigner::bitcoin
