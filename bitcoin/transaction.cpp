#include "bitcoin/transaction.hpp"

#include "bitcoin/serialize.hpp"
#include "crypto/sha256.hpp"

#include <algorithm>

namespace covsigner::bitcoin {

bool transaction::has_witness() const {
  return std::any_of(inputs.begin(), inputs.end(),
                     [](const tx_input& in) { return !in.witness.empty(); });
}

namespace {

void write_inputs_outputs(bytes& out, const transaction& tx) {
  write_compact_size(out, tx.inputs.size());
  for (const auto& in : tx.inputs) {
    out.insert(out.end(), in.prevout.txid.begin(), in.prevout.txid.end());
    write_le(out, in.prevout.vout, 4);
    write_var_bytes(out, in.script_sig);
    write_le(out, in.sequence, 4);
  }
  write_compact_size(out, tx.outputs.size());
  for (const auto& o : tx.outputs) {
    write_le(out, static_cast<std::uint64_t>(o.value), 8);
    write_var_bytes(out, o.script_pubkey);
  }
}

bytes serialize(const transaction& tx, bool with_witness) {
  bytes out;
  write_le(out, tx.version, 4);
  if (with_witness) {
    out.push_back(0x00); // marker
    out.push_back(0x01); // flag
  }
  write_inputs_outputs(out, tx);
  if (with_witness) {
    for (const auto& in : tx.inputs) {
      write_compact_size(out, in.witness.size());
      for (const auto& item : in.witness)
        write_var_bytes(out, item);
    }
  }
  write_le(out, tx.locktime, 4);
  return out;
}

} // namespace

bytes serialize_without_witness(const transaction& tx) { return serialize(tx, false); }

bytes serialize_with_witness(const transaction& tx) { return serialize(tx, tx.has_witness()); }

hash32 txid(const transaction& tx) { return crypto::double_sha256(serialize_without_witness(tx)); }

hash32 wtxid(const transaction& tx) { return crypto::double_sha256(serialize_with_witness(tx)); }

std::string to_display_hex(const hash32& hash) {
  hash32 reversed = hash;
  std::reverse(reversed.begin(), reversed.end());
  return crypto::to_hex(reversed);
}

std::optional<hash32> from_display_hex(std::string_view hex) {
  auto decoded = crypto::from_hex(hex);
  if (!decoded || decoded->size() != 32)
    return std::nullopt;
  hash32 out{};
  std::reverse_copy(decoded->begin(), decoded->end(), out.begin());
  return out;
}

namespace {

transaction_parse_result fail(std::string message) {
  return transaction_parse_result{std::nullopt, std::move(message)};
}

// Smallest encodings, used to bound counts by the bytes that remain so a
// hostile count cannot make us allocate before the data runs out.
constexpr std::size_t min_input_size = 32 + 4 + 1 + 4;
constexpr std::size_t min_output_size = 8 + 1;

bool read_inputs(byte_reader& r, std::vector<tx_input>& inputs) {
  auto count = r.read_compact_size();
  if (!count || *count > r.remaining() / min_input_size)
    return false;
  inputs.resize(static_cast<std::size_t>(*count));
  for (auto& in : inputs) {
    auto txid = r.read_bytes(32);
    auto vout = r.read_le(4);
    if (!txid || !vout)
      return false;
    std::copy(txid->begin(), txid->end(), in.prevout.txid.begin());
    in.prevout.vout = static_cast<std::uint32_t>(*vout);
    auto script_sig = r.read_var_bytes();
    auto sequence = r.read_le(4);
    if (!script_sig || !sequence)
      return false;
    in.script_sig = std::move(*script_sig);
    in.sequence = static_cast<std::uint32_t>(*sequence);
  }
  return true;
}

bool read_outputs(byte_reader& r, std::vector<tx_output>& outputs) {
  auto count = r.read_compact_size();
  if (!count || *count > r.remaining() / min_output_size)
    return false;
  outputs.resize(static_cast<std::size_t>(*count));
  for (auto& o : outputs) {
    auto value = r.read_le(8);
    auto script = r.read_var_bytes();
    if (!value || !script)
      return false;
    o.value = static_cast<std::int64_t>(*value);
    o.script_pubkey = std::move(*script);
  }
  return true;
}

} // namespace

transaction_parse_result parse_transaction(std::span<const std::uint8_t> data) {
  byte_reader r(data);
  transaction tx;
  auto version = r.read_le(4);
  if (!version)
    return fail("transaction is truncated");
  tx.version = static_cast<std::uint32_t>(*version);

  // BIP144: a zero input count followed by a non-zero flag byte announces
  // the extended (witness) serialization.
  std::uint8_t flags = 0;
  if (r.peek() == std::uint8_t{0}) {
    (void)r.read_le(1);
    auto flag = r.read_le(1);
    if (!flag)
      return fail("transaction is truncated");
    if (*flag == 0)
      return fail("transaction has no inputs");
    flags = static_cast<std::uint8_t>(*flag);
  }
  if (!read_inputs(r, tx.inputs) || !read_outputs(r, tx.outputs))
    return fail("transaction is truncated or malformed");
  if (flags & 1) {
    flags ^= 1;
    for (auto& in : tx.inputs) {
      auto items = r.read_compact_size();
      if (!items || *items > r.remaining())
        return fail("transaction witness is truncated or malformed");
      in.witness.resize(static_cast<std::size_t>(*items));
      for (auto& item : in.witness) {
        auto bytes_read = r.read_var_bytes();
        if (!bytes_read)
          return fail("transaction witness is truncated or malformed");
        item = std::move(*bytes_read);
      }
    }
    if (!tx.has_witness())
      return fail("superfluous witness record");
  }
  if (flags != 0)
    return fail("unknown transaction optional data");
  auto locktime = r.read_le(4);
  if (!locktime)
    return fail("transaction is truncated");
  tx.locktime = static_cast<std::uint32_t>(*locktime);
  if (r.remaining() != 0)
    return fail("transaction has trailing bytes");
  return transaction_parse_result{std::move(tx), {}};
}

} // namespace covsigner::bitcoin
