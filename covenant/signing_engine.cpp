#include "covenant/signing_engine.hpp"

#include "bitcoin/covenant_scripts.hpp"
#include "bitcoin/covenant_transaction.hpp"
#include "bitcoin/interpreter.hpp"
#include "bitcoin/relay_policy.hpp"
#include "bitcoin/script.hpp"
#include "covenant/canonical_json.hpp"
#include "covenant/handoff.hpp"
#include "covenant/hex_rules.hpp"
#include "crypto/hash160.hpp"
#include "crypto/secp256k1.hpp"
#include "crypto/sha256.hpp"

#include <boost/json.hpp>

#include <limits>

namespace covsigner::covenant {

namespace {

constexpr std::uint64_t max_uint32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t max_int64 = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

job_transition invalid_input(std::string detail) {
  return failed_transition(failure_reason::invalid_input, std::move(detail));
}

job_transition provider_failed(std::string detail) {
  return failed_transition(failure_reason::provider_failed, std::move(detail));
}

// Go: hex.DecodeString(strings.TrimPrefix(s, "0x")).
std::optional<crypto::bytes> decode_prefixed_hex(std::string_view s) {
  if (s.starts_with("0x"))
    s.remove_prefix(2);
  return crypto::from_hex(s);
}

// Go's canonicalCompressedPublicKeyBytes: any SEC1 key (33 or 65 bytes) on
// the curve, re-serialised compressed.
std::optional<crypto::bytes> canonical_compressed_key(std::string_view hex) {
  auto raw = decode_prefixed_hex(hex);
  if (!raw)
    return std::nullopt;
  auto key = crypto::parse_public_key(*raw);
  if (!key)
    return std::nullopt;
  return crypto::serialize_compressed(*key);
}

// The template fields both routes share, after decoding.
struct template_keys {
  std::string depositor;
  std::string custodian; // qc_v1 only
  std::string signer;
  std::uint64_t beta = 0; // qc_v1 only
  std::uint64_t delta2 = 0;
};

std::variant<template_keys, job_transition> decode_template(const std::string& route,
                                                            const route_submit_request& r) {
  template_keys keys;
  if (route == route_self_v1) {
    auto parsed = parse_self_v1_template(r.script_template);
    if (auto* e = std::get_if<strict_json::decode_error>(&parsed))
      return invalid_input("cannot decode self_v1 template: " + e->message);
    const auto& t = std::get<self_v1_template>(parsed);
    if (t.template_id != route_self_v1)
      return invalid_input("request template must be self_v1");
    keys.depositor = t.depositor_public_key;
    keys.signer = t.signer_public_key;
    keys.delta2 = t.delta2;
  } else {
    auto parsed = parse_qc_v1_template(r.script_template);
    if (auto* e = std::get_if<strict_json::decode_error>(&parsed))
      return invalid_input("cannot decode qc_v1 template: " + e->message);
    const auto& t = std::get<qc_v1_template>(parsed);
    if (t.template_id != route_qc_v1)
      return invalid_input("request template must be qc_v1");
    keys.depositor = t.depositor_public_key;
    keys.custodian = t.custodian_public_key;
    keys.signer = t.signer_public_key;
    keys.beta = t.beta;
    keys.delta2 = t.delta2;
  }
  return keys;
}

// The witness script, with the reference's checks in its order (numbers
// first, then keys) and its wording.
std::variant<crypto::bytes, job_transition>
witness_script_for(const std::string& route, const template_keys& t, std::uint64_t maturity,
                   const crypto::bytes& signer_key) {
  if (maturity == 0)
    return invalid_input("maturity height must be greater than zero");
  if (maturity > max_uint32)
    return invalid_input("maturity height exceeds bitcoin locktime range");
  if (route == route_qc_v1 && (t.beta > max_uint32 || t.beta >= maturity))
    return invalid_input("qc_v1 beta must be below maturity height");
  if (t.delta2 > max_uint32 || maturity > max_uint32 - t.delta2)
    return invalid_input(route + " delta2 overflows bitcoin locktime range");
  auto depositor = canonical_compressed_key(t.depositor);
  if (!depositor)
    return invalid_input("invalid " + route + " depositor public key");
  bitcoin::witness_script_result built;
  if (route == route_self_v1) {
    built = bitcoin::build_self_v1_script({*depositor, signer_key, maturity, t.delta2});
  } else {
    auto custodian = canonical_compressed_key(t.custodian);
    if (!custodian)
      return invalid_input("invalid qc_v1 custodian public key");
    built = bitcoin::build_qc_v1_script({*depositor, *custodian, signer_key, maturity, t.beta,
                                         t.delta2});
  }
  if (!built.script) // unreachable after the checks above; kept fail closed
    return invalid_input(std::string{bitcoin::to_string(*built.error)});
  return std::move(*built.script);
}

// Output 0's script by action (reference §6.7; keep-core
// covenantDestinationOutputScript). Errors are PROVIDER_FAILED there.
std::variant<std::pair<bitcoin::covenant_action, crypto::bytes>, job_transition>
destination_for(const route_submit_request& r) {
  auto action = r.resolved_action();
  if (action == action_migration) {
    if (!r.migration_destination)
      return provider_failed("migration destination is required");
    auto script = decode_prefixed_hex(r.migration_destination->deposit_script);
    if (!script)
      return provider_failed("migration destination deposit script is invalid");
    if (script->empty())
      return provider_failed("migration destination deposit script must not be empty");
    return std::pair{bitcoin::covenant_action::migration, std::move(*script)};
  }
  if (action == action_redeem) {
    if (!r.redeem_destination)
      return provider_failed("redeem destination is required");
    auto script = decode_prefixed_hex(r.redeem_destination->output_script);
    if (!script)
      return provider_failed("redeem destination output script is invalid");
    return std::pair{bitcoin::covenant_action::redeem, std::move(*script)};
  }
  if (action == action_renew) {
    if (!r.renew_destination)
      return provider_failed("renew destination is required");
    auto script = decode_prefixed_hex(r.renew_destination->next_covenant_script);
    if (!script)
      return provider_failed("renew destination next covenant script is invalid");
    return std::pair{bitcoin::covenant_action::renew, std::move(*script)};
  }
  return provider_failed("unsupported covenant action \"" + std::string{action} + "\"");
}

// The largest signature the final witness can carry: a low-S DER
// signature is at most 72 bytes, plus the sighash byte.
constexpr std::size_t max_signature_with_hashtype = 73;

// The spend as the network will see it, with signatures of the largest
// size (self_v1: the signer's; qc_v1: the signer's and the custodian's,
// with the dummy): its virtual size bounds the real one from above.
bitcoin::transaction with_largest_witness(const std::string& route, const bitcoin::transaction& tx,
                                          const crypto::bytes& witness_script) {
  const crypto::bytes signature(max_signature_with_hashtype, 0x30);
  if (route == route_self_v1)
    return bitcoin::with_input_witness(tx, bitcoin::self_v1_signer_witness(signature, witness_script));
  return bitcoin::with_input_witness(
    tx, bitcoin::qc_v1_migration_witness(signature, signature, witness_script));
}

// Relay policy (bitcoin/relay_policy.hpp), checked before anything is
// signed: a spend the network's mempools refuse would be a signature that
// moves no coins. bcoin refuses such spends (tests/integration/
// bitcoin_regtest_test.cpp), as Bitcoin Core does with its defaults.
//   destination output below its dust threshold -> "... is dust ..."
//   fee below the minimum relay fee of the final spend's virtual size
std::optional<job_transition> check_relay_policy(const spend_preparation& prep,
                                                 const bitcoin::transaction& tx,
                                                 std::int64_t input_value) {
  const auto& destination = tx.outputs.at(0);
  const auto dust = bitcoin::dust_threshold(destination.script_pubkey);
  if (destination.value < dust)
    return invalid_input("covenant destination output of " + std::to_string(destination.value) +
                         " sats is dust (its output script needs at least " +
                         std::to_string(dust) + " sats to be relayed)");
  std::int64_t fee = input_value;
  for (const auto& output : tx.outputs)
    fee -= output.value;
  const auto vsize = bitcoin::virtual_size(with_largest_witness(prep.route, tx, prep.witness_script));
  const auto minimum = bitcoin::min_relay_fee(vsize);
  if (fee < minimum)
    return invalid_input("covenant transaction fee of " + std::to_string(fee) +
                         " sats is below the minimum relay fee of " + std::to_string(minimum) +
                         " sats (" + std::to_string(bitcoin::min_relay_fee_per_kvb / 1000) +
                         " sat/vB of at most " + std::to_string(vsize) + " vB)");
  return std::nullopt;
}

} // namespace

job_transition failed_transition(std::string_view reason, std::string detail) {
  job_transition t;
  t.state = job_state::failed;
  t.reason = std::string{reason};
  t.detail = std::move(detail);
  return t;
}

std::variant<spend_preparation, job_transition>
prepare_spend(const job& j, const engine_settings& settings,
              std::optional<std::span<const std::uint8_t>> signer_public_key) {
  if (!settings.fraud_defense_confirmed)
    return failed_transition(failure_reason::policy_rejected,
                             std::string{fraud_defense_disabled_detail});
  if (j.route != route_self_v1 && j.route != route_qc_v1)
    return invalid_input("unsupported covenant route");
  spend_preparation prep;
  prep.request_id = j.request_id;
  prep.route = j.route;
  auto decoded = decode_route_submit_request(j.request_json);
  if (auto* e = std::get_if<input_error>(&decoded))
    return invalid_input("cannot decode stored request: " +
                         (e->detail.empty() ? e->message : e->detail));
  prep.request = std::move(std::get<route_submit_request>(decoded));

  auto keys = decode_template(prep.route, prep.request);
  if (auto* t = std::get_if<job_transition>(&keys))
    return *t;
  const auto& tk = std::get<template_keys>(keys);
  auto signer = canonical_compressed_key(tk.signer);
  if (!signer)
    return invalid_input("invalid " + prep.route + " signer public key");

  // The reference asks the node for the wallet's signing executor; here the
  // node controls exactly the wallet of its signer's key.
  if (!signer_public_key)
    return provider_failed("cannot resolve signing executor: no signer is configured");
  auto own = crypto::parse_public_key(signer_public_key->data(), signer_public_key->size());
  if (!own)
    return provider_failed("cannot resolve signing executor: the signer's public key is invalid");
  if (crypto::serialize_compressed(*own) != *signer)
    return failed_transition(failure_reason::policy_rejected, std::string{not_controlled_detail});
  prep.signer_public_key = *signer;
  prep.wallet_public_key_hash = crypto::hash160(*signer);

  auto script = witness_script_for(prep.route, tk, prep.request.maturity_height, *signer);
  if (auto* t = std::get_if<job_transition>(&script))
    return *t;
  prep.witness_script = std::move(std::get<crypto::bytes>(script));

  std::string_view txid = prep.request.active_outpoint.txid;
  if (txid.starts_with("0x"))
    txid.remove_prefix(2);
  auto internal = bitcoin::from_display_hex(txid);
  if (!internal)
    return invalid_input("active outpoint txid is invalid");
  prep.active_txid = *internal;
  prep.active_txid_display = "0x" + bitcoin::to_display_hex(*internal);
  return prep;
}

std::variant<active_utxo, job_transition>
resolve_active_outpoint(const spend_preparation& prep, const outpoint_lookup& lookup,
                        const engine_settings& settings) {
  using outcome = outpoint_lookup::outcome;
  if (lookup.result == outcome::unavailable)
    return invalid_input("cannot determine active outpoint transaction confirmations: " +
                         lookup.cause);
  if (lookup.result == outcome::not_found)
    return invalid_input("active outpoint transaction not found");
  // A transaction that does not parse, or that is not the one asked for, is
  // not the active outpoint's transaction: never trust the backend's word.
  auto raw = decode_prefixed_hex(lookup.transaction_hex);
  if (!raw)
    return invalid_input("active outpoint transaction not found");
  auto parsed = bitcoin::parse_transaction(*raw);
  if (!parsed.tx || bitcoin::txid(*parsed.tx) != prep.active_txid)
    return invalid_input("active outpoint transaction not found");
  const auto minimum =
    settings.min_confirmations == 0 ? default_min_confirmations : settings.min_confirmations;
  if (lookup.confirmations < minimum)
    return invalid_input("active outpoint transaction must have at least " +
                         std::to_string(minimum) + " confirmations");
  const auto vout = prep.request.active_outpoint.vout;
  if (vout >= parsed.tx->outputs.size())
    return invalid_input("active outpoint output index is out of range");
  // A spent output cannot be spent again: a signature for it is at best
  // useless, at worst a second signature over funds that already moved.
  // Unknown (the source failed) refuses too: never sign on unknown state.
  const auto outpoint = prep.active_txid_display + ":" + std::to_string(vout);
  switch (lookup.output) {
    case output_spend::unknown:
      return invalid_input("cannot determine whether active outpoint " + outpoint +
                           " is unspent: " + lookup.output_cause);
    case output_spend::spent:
      return invalid_input("active outpoint " + outpoint +
                           " is already spent (not in the Bitcoin node's unspent outputs)");
    case output_spend::unspent:
      break;
  }
  const auto& output = parsed.tx->outputs[vout];
  auto expected = bitcoin::p2wsh_script_pubkey(prep.witness_script);
  if (output.script_pubkey != expected)
    return invalid_input("active outpoint script does not match " + prep.route + " template");
  if (output.value <= 0)
    return invalid_input("active outpoint value must be greater than zero");
  if (!prep.request.migration_transaction_plan)
    return invalid_input("request.migrationTransactionPlan is required");
  if (static_cast<std::uint64_t>(output.value) !=
      prep.request.migration_transaction_plan->input_value_sats)
    return invalid_input("active outpoint value does not match migration transaction plan");
  if (!prep.request.active_outpoint.script_hash.empty()) {
    // keep-core: sha256(scriptPubKey) of the active covenant output.
    auto hash = crypto::to_0x_hex(crypto::sha256(expected));
    if (lower_hex(prep.request.active_outpoint.script_hash) != hash)
      return invalid_input("active outpoint script hash does not match " + prep.route +
                           " template");
  }
  active_utxo utxo;
  utxo.prevout = {prep.active_txid, vout};
  utxo.value = output.value;
  utxo.script_pubkey = std::move(expected);
  return utxo;
}

std::variant<planned_spend, job_transition> plan_spend(const spend_preparation& prep,
                                                       const active_utxo& utxo) {
  if (!prep.request.migration_transaction_plan)
    return invalid_input("request.migrationTransactionPlan is required");
  const auto& plan = *prep.request.migration_transaction_plan;
  if (plan.destination_value_sats > max_int64)
    return invalid_input("migration destination value exceeds bitcoin output value range");
  if (plan.anchor_value_sats > max_int64)
    return invalid_input("migration anchor value exceeds bitcoin output value range");
  auto destination = destination_for(prep.request);
  if (auto* t = std::get_if<job_transition>(&destination))
    return *t;
  auto& [action, script] = std::get<0>(destination);
  // bitcoin::build_covenant_spend pays the reference's fixed 330-sat
  // anchor; validation pins the plan to it, and a plan that says otherwise
  // must not be signed as if it did.
  if (plan.anchor_value_sats != static_cast<std::uint64_t>(bitcoin::anchor_value_sats))
    return provider_failed("migration anchor value must be " +
                           std::to_string(bitcoin::anchor_value_sats) + " sats");
  bitcoin::covenant_spend_plan spend_plan;
  spend_plan.active_outpoint = utxo.prevout;
  spend_plan.input_sequence = plan.input_sequence;
  spend_plan.lock_time = plan.lock_time;
  spend_plan.action = action;
  spend_plan.destination_script = std::move(script);
  spend_plan.destination_value_sats = plan.destination_value_sats;
  auto built = bitcoin::build_covenant_spend(spend_plan);
  if (!built.tx)
    return provider_failed(built.error);
  if (auto refused = check_relay_policy(prep, *built.tx, utxo.value))
    return *refused;
  planned_spend out;
  out.sighash = bitcoin::covenant_sighash(*built.tx, prep.witness_script, utxo.value);
  out.txid_display = bitcoin::to_display_hex(bitcoin::txid(*built.tx));
  out.unsigned_tx = std::move(*built.tx);
  return out;
}

job_transition signing_failed(std::string_view cause) {
  return provider_failed("cannot sign covenant transaction: " + std::string{cause});
}

std::string qc_v1_handoff_json(std::string_view request_id,
                               std::string_view destination_commitment_hash,
                               const bitcoin::transaction& unsigned_tx,
                               std::span<const std::uint8_t> witness_script,
                               std::span<const std::uint8_t> signature_with_hashtype) {
  handoff_payload payload;
  payload.destination_commitment_hash = std::string{destination_commitment_hash};
  payload.signer_signature =
    crypto::to_0x_hex(crypto::bytes(signature_with_hashtype.begin(), signature_with_hashtype.end()));
  payload.unsigned_transaction_hex = crypto::to_0x_hex(bitcoin::qc_v1_unsigned_transaction(unsigned_tx));
  payload.witness_script =
    crypto::to_0x_hex(crypto::bytes(witness_script.begin(), witness_script.end()));
  const auto hash = handoff_payload_hash(payload);
  // Inserted in sorted key order: the reference returns a Go map.
  boost::json::object o;
  o["bundleId"] = hash;
  o["destinationCommitmentHash"] = payload.destination_commitment_hash;
  o["kind"] = handoff_kind_qc_v1;
  o["payloadHash"] = hash;
  o["requiresDummy"] = true;
  o["selectorWitnessItems"] = boost::json::array{"0x01", "0x"};
  o["sighashType"] = 1;
  o["signerRequestId"] = request_id;
  o["signerSignature"] = payload.signer_signature;
  o["unsignedTransactionHex"] = payload.unsigned_transaction_hex;
  o["witnessScript"] = payload.witness_script;
  return canonical_json(o);
}

job_transition finish_spend(const spend_preparation& prep, const active_utxo& utxo,
                            const planned_spend& spend, std::string_view der_signature_hex) {
  auto der = crypto::from_0x_hex(der_signature_hex);
  if (!der)
    return signing_failed("the signer returned a signature that is not 0x-hex");
  auto parsed = crypto::parse_der_signature(*der);
  if (auto* e = std::get_if<crypto::signature_parse_error>(&parsed))
    return signing_failed(*e == crypto::signature_parse_error::high_s
                            ? "the signer returned a high-S signature"
                            : "the signer returned a signature that is not strict DER");
  auto key = crypto::parse_public_key(prep.signer_public_key);
  if (!key || !crypto::verify(*key, spend.sighash, std::get<crypto::ecdsa_signature>(parsed)))
    return signing_failed("the signer's signature does not verify under the wallet key");
  crypto::bytes signature = *der;
  signature.push_back(0x01); // SIGHASH_ALL

  job_transition t;
  if (prep.route == route_self_v1) {
    auto signed_tx = bitcoin::with_input_witness(
      spend.unsigned_tx, bitcoin::self_v1_signer_witness(signature, prep.witness_script));
    // Nothing leaves the node that our interpreter does not accept.
    auto verdict = bitcoin::verify_input(signed_tx, 0, utxo.script_pubkey, utxo.value);
    if (verdict != bitcoin::script_error::ok)
      return provider_failed("produced covenant witness does not verify: " +
                             std::string{bitcoin::script_error_message(verdict)});
    t.state = job_state::artifact_ready;
    t.detail = std::string{prep.request.request_type == request_type_presign_self_v1
                             ? self_v1_presign_ready_detail
                             : self_v1_ready_detail};
    t.transaction_hex = crypto::to_0x_hex(bitcoin::serialize_with_witness(signed_tx));
    t.psbt_hash = crypto::to_0x_hex(bitcoin::self_v1_psbt_hash(signed_tx));
    return t;
  }
  t.state = job_state::handoff_ready;
  t.detail = std::string{qc_v1_ready_detail};
  t.handoff_json = qc_v1_handoff_json(prep.request_id, prep.request.destination_commitment_hash,
                                      spend.unsigned_tx, prep.witness_script, signature);
  return t;
}

} // namespace covsigner::covenant
