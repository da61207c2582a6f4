#include "covenant/commitments.hpp"

#include "covenant/canonical_json.hpp"
#include "covenant/hashing.hpp"
#include "covenant/hex_rules.hpp"

#include <boost/json.hpp>

namespace covsigner::covenant {

namespace {

std::string sha256_hex_of_json(const boost::json::object& payload) {
  return crypto::to_0x_hex(sha256_of(canonical_json(payload)));
}

boost::json::object identity(std::string_view reserve, std::uint64_t epoch,
                             std::string_view route, std::string_view revealer,
                             std::string_view vault, std::string_view network) {
  boost::json::object o;
  o["reserve"] = lower_hex(reserve);
  o["epoch"] = epoch;
  o["route"] = route;
  o["revealer"] = lower_hex(revealer);
  o["vault"] = lower_hex(vault);
  o["network"] = trim_space(network);
  return o;
}

} // namespace

std::string migration_extra_data(std::string_view revealer) {
  std::string_view ascii = "AC_MIGRATEV1";
  std::string lowered = lower_hex(revealer);
  std::string_view body = lowered;
  if (body.substr(0, 2) == "0x")
    body.remove_prefix(2);
  return "0x" + crypto::to_hex(reinterpret_cast<const std::uint8_t*>(ascii.data()), ascii.size()) +
         std::string(body);
}

std::optional<std::string> script_hash(std::string_view script) {
  // Go: hex.DecodeString(strings.TrimPrefix(s, "0x")).
  if (script.substr(0, 2) == "0x")
    script.remove_prefix(2);
  auto raw = crypto::from_hex(script);
  if (!raw)
    return std::nullopt;
  return crypto::to_0x_hex(sha256_of(raw->data(), raw->size()));
}

std::string migration_destination_commitment(const migration_destination_reservation& d) {
  auto o = identity(d.reserve, d.epoch, d.route, d.revealer, d.vault, d.network);
  o["depositScriptHash"] = lower_hex(d.deposit_script_hash);
  o["migrationExtraData"] = lower_hex(d.migration_extra_data);
  return sha256_hex_of_json(o);
}

std::string redeem_destination_commitment(const redeem_destination_reservation& d) {
  auto o = identity(d.reserve, d.epoch, d.route, d.revealer, d.vault, d.network);
  o["outputScriptHash"] = lower_hex(d.output_script_hash);
  o["outputValueSats"] = d.output_value_sats;
  return sha256_hex_of_json(o);
}

std::string renew_destination_commitment(const renew_destination_reservation& d) {
  auto o = identity(d.reserve, d.epoch, d.route, d.revealer, d.vault, d.network);
  o["nextCovenantScriptHash"] = lower_hex(d.next_covenant_script_hash);
  o["nextMaturityHeight"] = d.next_maturity_height;
  o["outputValueSats"] = d.output_value_sats;
  return sha256_hex_of_json(o);
}

std::string transaction_plan_commitment(const route_submit_request& request,
                                        const transaction_plan& plan) {
  boost::json::object o;
  o["planVersion"] = plan.plan_version;
  o["reserve"] = lower_hex(request.reserve);
  o["epoch"] = request.epoch;
  o["activeOutpointTxid"] = lower_hex(request.active_outpoint.txid);
  o["activeOutpointVout"] = request.active_outpoint.vout;
  o["destinationCommitmentHash"] = lower_hex(request.destination_commitment_hash);
  o["inputValueSats"] = plan.input_value_sats;
  o["destinationValueSats"] = plan.destination_value_sats;
  o["anchorValueSats"] = plan.anchor_value_sats;
  o["feeSats"] = plan.fee_sats;
  o["inputSequence"] = plan.input_sequence;
  o["lockTime"] = plan.lock_time;
  return sha256_hex_of_json(o);
}

} // namespace covsigner::covenant
