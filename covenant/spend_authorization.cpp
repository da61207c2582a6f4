#include "covenant/spend_authorization.hpp"

#include "bitcoin/script.hpp"
#include "bitcoin/sighash.hpp"
#include "crypto/keccak256.hpp"
#include "crypto/secp256k1.hpp"

#include <algorithm>
#include <limits>

namespace covsigner::covenant {

crypto::hash32 covenant_utxo_key(const crypto::hash32& funding_tx_hash_internal,
                                 std::uint32_t funding_output_index) {
  std::uint8_t packed[36];
  std::copy(funding_tx_hash_internal.begin(), funding_tx_hash_internal.end(), packed);
  for (int i = 0; i < 4; ++i)
    packed[32 + i] = static_cast<std::uint8_t>(funding_output_index >> (8 * (3 - i)));
  return crypto::keccak256(packed, sizeof packed);
}

spend_authorization spend_authorization_for(const spend_preparation& prep,
                                            const active_utxo& utxo,
                                            const planned_spend& spend) {
  spend_authorization a;
  a.funding_tx_hash = utxo.prevout.txid;
  a.funding_output_index = utxo.prevout.vout;
  a.utxo_key = covenant_utxo_key(a.funding_tx_hash, a.funding_output_index);
  a.wallet_pkh = prep.wallet_public_key_hash;
  a.value = static_cast<std::uint64_t>(utxo.value);
  a.outputs_hash = bitcoin::hash_outputs(spend.unsigned_tx);
  return a;
}

std::string describe(const spend_authorization& a) {
  return "utxoKey " + crypto::to_0x_hex(a.utxo_key) + ", walletPKH " +
         crypto::to_0x_hex(a.wallet_pkh) + ", value " + std::to_string(a.value) +
         ", outputsHash " + crypto::to_0x_hex(a.outputs_hash);
}

namespace {

// The template's signer key as given (hex, with or without 0x), so
// prepare_spend treats the template's own key as the node's.
std::optional<crypto::bytes> template_signer_key(const job& j) {
  auto decoded = decode_route_submit_request(j.request_json);
  const auto* request = std::get_if<route_submit_request>(&decoded);
  if (!request)
    return std::nullopt;
  std::string hex;
  if (j.route == route_self_v1) {
    auto t = parse_self_v1_template(request->script_template);
    if (auto* v = std::get_if<self_v1_template>(&t))
      hex = v->signer_public_key;
  } else if (j.route == route_qc_v1) {
    auto t = parse_qc_v1_template(request->script_template);
    if (auto* v = std::get_if<qc_v1_template>(&t))
      hex = v->signer_public_key;
  }
  std::string_view s = hex;
  if (s.starts_with("0x"))
    s.remove_prefix(2);
  return crypto::from_hex(s);
}

} // namespace

std::variant<spend_authorization, std::string> spend_authorization_of_request(const job& j) {
  // The tool signs nothing: the fraud-defense gate is the node's to apply.
  engine_settings settings;
  settings.fraud_defense_confirmed = true;
  auto key = template_signer_key(j);
  std::optional<std::span<const std::uint8_t>> signer;
  if (key)
    signer = std::span<const std::uint8_t>(*key);
  auto prep = prepare_spend(j, settings, signer);
  if (auto* t = std::get_if<job_transition>(&prep))
    return t->detail;
  const auto& p = std::get<spend_preparation>(prep);
  if (!p.request.migration_transaction_plan)
    return std::string{"request.migrationTransactionPlan is required"};
  const auto value = p.request.migration_transaction_plan->input_value_sats;
  if (value == 0 || value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return std::string{"active outpoint value must be greater than zero"};
  active_utxo utxo;
  utxo.prevout = {p.active_txid, p.request.active_outpoint.vout};
  utxo.value = static_cast<std::int64_t>(value);
  utxo.script_pubkey = bitcoin::p2wsh_script_pubkey(p.witness_script);
  auto spend = plan_spend(p, utxo);
  if (auto* t = std::get_if<job_transition>(&spend))
    return t->detail;
  return spend_authorization_for(p, utxo, std::get<planned_spend>(spend));
}

} // namespace covsigner::covenant
