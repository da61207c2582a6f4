#include "bitcoin/sighash.hpp"

#include "bitcoin/serialize.hpp"
#include "crypto/sha256.hpp"

namespace covsigner::bitcoin {

namespace {

hash32 hash_prevouts(const transaction& tx) {
  bytes data;
  for (const auto& in : tx.inputs) {
    data.insert(data.end(), in.prevout.txid.begin(), in.prevout.txid.end());
    write_le(data, in.prevout.vout, 4);
  }
  return crypto::double_sha256(data);
}

hash32 hash_sequence(const transaction& tx) {
  bytes data;
  for (const auto& in : tx.inputs)
    write_le(data, in.sequence, 4);
  return crypto::double_sha256(data);
}

void write_output(bytes& out, const tx_output& o) {
  write_le(out, static_cast<std::uint64_t>(o.value), 8);
  write_var_bytes(out, o.script_pubkey);
}

} // namespace

hash32 hash_outputs(const transaction& tx) {
  bytes data;
  for (const auto& o : tx.outputs)
    write_output(data, o);
  return crypto::double_sha256(data);
}

bytes segwit_v0_sighash_preimage(const transaction& tx, std::size_t input_index,
                                 std::span<const std::uint8_t> script_code, std::int64_t amount,
                                 std::uint32_t hash_type) {
  const bool anyone_can_pay = (hash_type & SIGHASH_ANYONECANPAY) != 0;
  const std::uint32_t base = hash_type & 0x1f;
  const hash32 zero{};

  // Which parts of the transaction the signature commits to (BIP143 items
  // 2, 3 and 8): all inputs unless ANYONECANPAY; all sequences only for ALL;
  // all outputs for ALL, only the matching one for SINGLE, none otherwise.
  const hash32 prevouts = anyone_can_pay ? zero : hash_prevouts(tx);
  const hash32 sequences = (!anyone_can_pay && base != SIGHASH_SINGLE && base != SIGHASH_NONE)
                               ? hash_sequence(tx)
                               : zero;
  hash32 outputs = zero;
  if (base != SIGHASH_SINGLE && base != SIGHASH_NONE) {
    outputs = hash_outputs(tx);
  } else if (base == SIGHASH_SINGLE && input_index < tx.outputs.size()) {
    bytes one;
    write_output(one, tx.outputs[input_index]);
    outputs = crypto::double_sha256(one);
  }

  const tx_input& in = tx.inputs[input_index];
  bytes preimage;
  preimage.reserve(156 + script_code.size());
  write_le(preimage, tx.version, 4);
  preimage.insert(preimage.end(), prevouts.begin(), prevouts.end());
  preimage.insert(preimage.end(), sequences.begin(), sequences.end());
  preimage.insert(preimage.end(), in.prevout.txid.begin(), in.prevout.txid.end());
  write_le(preimage, in.prevout.vout, 4);
  write_var_bytes(preimage, script_code);
  write_le(preimage, static_cast<std::uint64_t>(amount), 8);
  write_le(preimage, in.sequence, 4);
  preimage.insert(preimage.end(), outputs.begin(), outputs.end());
  write_le(preimage, tx.locktime, 4);
  write_le(preimage, hash_type, 4);
  return preimage;
}

hash32 segwit_v0_sighash(const transaction& tx, std::size_t input_index,
                         std::span<const std::uint8_t> script_code, std::int64_t amount,
                         std::uint32_t hash_type) {
  return crypto::double_sha256(
      segwit_v0_sighash_preimage(tx, input_index, script_code, amount, hash_type));
}

} // namespace covsigner::bitcoin
