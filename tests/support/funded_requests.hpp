// Requests whose active outpoint really exists: a funding transaction that
// pays P2WSH(the request's witness script) at the request's vout and value,
// and the request rebound to it (activeOutpoint.txid = the funding txid,
// scriptHash = sha256(P2WSH scriptPubKey), plan commitment recomputed, D/C
// approvals re-signed with the dev keys, see signed_requests.hpp). With a
// fixture chain holding the funding transaction, the tbtc engine can sign
// these end to end.
#pragma once

#include "covenant/spend_authorization.hpp"

#include "bitcoin/covenant_scripts.hpp"
#include "bitcoin/script.hpp"
#include "bitcoin/transaction.hpp"
#include "covenant/commitments.hpp"
#include "crypto/sha256.hpp"
#include "tests/support/signed_requests.hpp"

#include <boost/json.hpp>

#include <stdexcept>
#include <string>

namespace covsigner::test_support {

struct funded_request {
  boost::json::object request;       // a valid RouteSubmitRequest (zero EIP-712 domain)
  bitcoin::transaction funding_tx;   // pays the covenant at request.activeOutpoint.vout
  crypto::bytes witness_script;
  crypto::bytes script_pubkey;       // P2WSH(witness_script)
  std::string txid_display;          // hex, display order, no prefix
};

/// The witness script of a request object built from the vectors (dev keys).
inline crypto::bytes witness_script_of(const boost::json::object& request) {
  const auto& t = request.at("scriptTemplate").as_object();
  auto key = [&](const char* field) {
    return *crypto::from_0x_hex(std::string(t.at(field).as_string()));
  };
  auto maturity = request.at("maturityHeight").to_number<std::uint64_t>();
  auto delta2 = t.at("delta2").to_number<std::uint64_t>();
  bitcoin::witness_script_result built;
  auto d = key("depositorPublicKey");
  auto s = key("signerPublicKey");
  if (t.at("template").as_string() == "self_v1") {
    built = bitcoin::build_self_v1_script({d, s, maturity, delta2});
  } else {
    auto c = key("custodianPublicKey");
    built = bitcoin::build_qc_v1_script({d, c, s, maturity, t.at("beta").to_number<std::uint64_t>(),
                                         delta2});
  }
  if (!built.script)
    throw std::runtime_error("request has no witness script");
  return *built.script;
}

/// Rebinds `request` to the outpoint (txid_display, vout): recomputes the
/// plan commitment (request and approval payload) and re-signs approvals.
inline void rebind_outpoint(boost::json::object& request, const std::string& txid_display,
                            const std::string& script_hash) {
  auto& outpoint = request["activeOutpoint"].as_object();
  outpoint["txid"] = "0x" + txid_display;
  outpoint["scriptHash"] = script_hash;
  auto decoded = covenant::decode_route_submit_request(boost::json::serialize(request));
  if (!std::holds_alternative<covenant::route_submit_request>(decoded))
    throw std::runtime_error("request does not decode");
  const auto& r = std::get<covenant::route_submit_request>(decoded);
  auto commitment = covenant::transaction_plan_commitment(r, *r.migration_transaction_plan);
  request["migrationTransactionPlan"].as_object()["planCommitmentHash"] = commitment;
  request["artifactApprovals"].as_object()["payload"].as_object()["planCommitmentHash"] =
    commitment;
  sign_approvals(request, covenant::eip712_domain{});
}

/// Vector `name` (qc_v1, self_v1, self_v1_presign) funded by a fresh
/// transaction. `value` overrides the covenant output's value (default: the
/// plan's inputValueSats); `pay_to` overrides its scriptPubKey.
inline funded_request make_funded_request(const std::string& name,
                                          std::optional<std::int64_t> value = std::nullopt,
                                          std::optional<crypto::bytes> pay_to = std::nullopt) {
  funded_request out;
  out.request = signed_vector_request(name);
  out.witness_script = witness_script_of(out.request);
  out.script_pubkey = bitcoin::p2wsh_script_pubkey(out.witness_script);
  auto vout = out.request.at("activeOutpoint").at("vout").to_number<std::uint32_t>();
  auto plan_value =
    out.request.at("migrationTransactionPlan").at("inputValueSats").to_number<std::int64_t>();
  bitcoin::transaction& tx = out.funding_tx;
  tx.version = 2;
  bitcoin::tx_input in;
  in.prevout.txid.fill(0x5a);
  in.prevout.vout = 7;
  in.script_sig = {0x51};
  tx.inputs.push_back(in);
  for (std::uint32_t i = 0; i < vout; ++i)
    tx.outputs.push_back({5000 + i, bitcoin::anchor_script_pubkey()});
  tx.outputs.push_back({value.value_or(plan_value), pay_to.value_or(out.script_pubkey)});
  tx.outputs.push_back({1234, bitcoin::anchor_script_pubkey()});
  out.txid_display = bitcoin::to_display_hex(bitcoin::txid(tx));
  rebind_outpoint(out.request, out.txid_display,
                  crypto::to_0x_hex(crypto::sha256(out.script_pubkey)));
  return out;
}

/// The CovenantSpendAuthorization tuple of a funded request's spend, as the
/// fixture chain's "spendAuthorizations" entry.
inline boost::json::object spend_authorization_entry(const funded_request& funded) {
  covenant::job j;
  j.route = std::string(funded.request.at("route").as_string());
  j.request_json = boost::json::serialize(funded.request);
  auto tuple = covenant::spend_authorization_of_request(j);
  if (auto* error = std::get_if<std::string>(&tuple))
    throw std::runtime_error("no spend authorization tuple: " + *error);
  const auto& a = std::get<covenant::spend_authorization>(tuple);
  return {{"utxoKey", crypto::to_0x_hex(a.utxo_key)},
          {"walletPKH", crypto::to_0x_hex(a.wallet_pkh)},
          {"value", a.value},
          {"outputsHash", crypto::to_0x_hex(a.outputs_hash)}};
}

/// A fixture chain file's JSON holding `txs` (funding transactions and their
/// confirmations) and no wallets; with `authorized`, the registry authorizes
/// each request's spend.
inline std::string fixture_chain_json(
  const std::vector<std::pair<const funded_request*, std::uint64_t>>& txs, bool authorized = true) {
  boost::json::array transactions, authorizations;
  for (const auto& [funded, confirmations] : txs) {
    transactions.push_back(boost::json::object{
      {"txid", "0x" + funded->txid_display},
      {"hex", crypto::to_hex(bitcoin::serialize_with_witness(funded->funding_tx))},
      {"confirmations", confirmations}});
    if (authorized)
      authorizations.push_back(spend_authorization_entry(*funded));
  }
  return boost::json::serialize(boost::json::object{{"hostChainHeight", 1000},
                                                    {"bitcoinHeight", 850000},
                                                    {"transactions", transactions},
                                                    {"spendAuthorizations", authorizations}});
}

} // namespace covsigner::test_support
