// The Bitcoin transaction model, its serializations (legacy and BIP144
// witness), txid / wtxid, and parsing from bytes.
#pragma once

#include "crypto/bytes.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace covsigner::bitcoin {

using crypto::bytes;
using crypto::hash32;

/// A reference to a previous output. `txid` is in internal byte order (the
/// order it is serialized and hashed in), not the reversed display order.
struct outpoint {
  hash32 txid{};
  std::uint32_t vout = 0;
  friend bool operator==(const outpoint&, const outpoint&) = default;
};

struct tx_input {
  outpoint prevout;
  bytes script_sig;
  std::uint32_t sequence = 0xffffffff;
  std::vector<bytes> witness; ///< stack items, bottom first
  friend bool operator==(const tx_input&, const tx_input&) = default;
};

struct tx_output {
  std::int64_t value = 0; ///< satoshis
  bytes script_pubkey;
  friend bool operator==(const tx_output&, const tx_output&) = default;
};

struct transaction {
  std::uint32_t version = 1;
  std::vector<tx_input> inputs;
  std::vector<tx_output> outputs;
  std::uint32_t locktime = 0;

  /// True when any input carries witness items (then the BIP144 form is used).
  bool has_witness() const;
  friend bool operator==(const transaction&, const transaction&) = default;
};

/// Legacy serialization (no marker, flag or witnesses): what the txid hashes.
bytes serialize_without_witness(const transaction& tx);

/// BIP144 serialization (marker 0x00, flag 0x01, witnesses) when the
/// transaction has a witness; the legacy form otherwise, as Bitcoin Core does.
bytes serialize_with_witness(const transaction& tx);

/// Double SHA-256 of the legacy serialization, internal byte order.
hash32 txid(const transaction& tx);

/// Double SHA-256 of the witness serialization, internal byte order. Equal
/// to txid() for a transaction without witnesses.
hash32 wtxid(const transaction& tx);

/// Hex of a hash in display order (byte-reversed), as explorers and RPCs
/// print txids.
std::string to_display_hex(const hash32& hash);

/// Parses a display-order (byte-reversed) 64-digit hex hash, no prefix,
/// either letter case, into internal order. nullopt when malformed.
std::optional<hash32> from_display_hex(std::string_view hex);

/// Parse outcome: a transaction, or the reason it was rejected.
struct transaction_parse_result {
  std::optional<transaction> tx;
  std::string error; ///< empty when tx is set
};

/// Parses one transaction occupying all of `data` (legacy or BIP144 form).
/// Rejects: truncation, non-canonical CompactSize, unknown flag bits, a
/// witness flag with only empty witnesses ("superfluous witness record",
/// as Bitcoin Core), and trailing bytes.
transaction_parse_result parse_transaction(std::span<const std::uint8_t> data);

} // namespace covsigner::bitcoin
