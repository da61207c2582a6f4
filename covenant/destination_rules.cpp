#include "covenant/destination_rules.hpp"

#include "covenant/commitments.hpp"
#include "covenant/hex_rules.hpp"

namespace covsigner::covenant {

namespace {

std::optional<input_error> fail(const std::string& prefix, std::string_view rest) {
  return input_error{prefix + std::string(rest)};
}

// The identity part shared by the three reservation kinds, up to and
// including the network check.
template <class D>
std::optional<input_error> check_identity(const std::string& p, const D& d,
                                          std::string_view route) {
  if (d.route != route)
    return fail(p, ".route must be " + std::string(route));
  if (d.status != status_reserved && d.status != status_committed_to_epoch)
    return fail(p, ".status must be RESERVED or COMMITTED_TO_EPOCH");
  if (auto e = check_address(p + ".reserve", d.reserve))
    return e;
  if (auto e = check_address(p + ".revealer", d.revealer))
    return e;
  if (auto e = check_address(p + ".vault", d.vault))
    return e;
  if (trim_space(d.network).empty())
    return fail(p, ".network is required");
  return std::nullopt;
}

template <class D>
std::optional<input_error> check_binding(const std::string& p, const route_submit_request& r,
                                         const D& d) {
  if (r.epoch != d.epoch)
    return fail(p, ".epoch does not match request.epoch");
  if (lower_hex(r.reserve) != lower_hex(d.reserve))
    return fail(p, ".reserve does not match request.reserve");
  if (lower_hex(r.destination_commitment_hash) != lower_hex(d.destination_commitment_hash))
    return fail(p, ".destinationCommitmentHash does not match request.destinationCommitmentHash");
  return std::nullopt;
}

std::optional<input_error> check_migration(const route_submit_request& r) {
  const std::string p = "request.migrationDestination";
  if (!r.migration_destination)
    return fail(p, " is required");
  const auto& d = *r.migration_destination;
  if (auto e = check_identity(p, d, action_migration))
    return e;
  if (auto e = check_hex(p + ".depositScript", d.deposit_script))
    return e;
  if (auto e = check_hex(p + ".depositScriptHash", d.deposit_script_hash))
    return e;
  if (auto e = check_hex(p + ".migrationExtraData", d.migration_extra_data))
    return e;
  if (auto e = check_hex(p + ".destinationCommitmentHash", d.destination_commitment_hash))
    return e;
  if (auto e = check_binding(p, r, d))
    return e;
  if (lower_hex(d.migration_extra_data) != migration_extra_data(d.revealer))
    return fail(p, ".migrationExtraData does not match migration revealer encoding");
  auto hash = script_hash(d.deposit_script);
  if (!hash)
    return fail(p, ".depositScript is not valid hex");
  if (lower_hex(d.deposit_script_hash) != *hash)
    return fail(p, ".depositScriptHash does not match depositScript");
  if (lower_hex(d.destination_commitment_hash) != migration_destination_commitment(d))
    return fail(p, ".destinationCommitmentHash does not match canonical reservation artifact");
  return std::nullopt;
}

std::optional<input_error> check_redeem(const route_submit_request& r) {
  const std::string p = "request.redeemDestination";
  if (!r.redeem_destination)
    return fail(p, " is required");
  const auto& d = *r.redeem_destination;
  if (auto e = check_identity(p, d, action_redeem))
    return e;
  if (auto e = check_hex(p + ".outputScript", d.output_script))
    return e;
  if (auto e = check_hex(p + ".outputScriptHash", d.output_script_hash))
    return e;
  if (auto e = check_hex(p + ".destinationCommitmentHash", d.destination_commitment_hash))
    return e;
  if (d.output_value_sats == 0)
    return fail(p, ".outputValueSats must be greater than zero");
  if (auto e = check_binding(p, r, d))
    return e;
  auto hash = script_hash(d.output_script);
  if (!hash)
    return fail(p, ".outputScript is not valid hex");
  if (lower_hex(d.output_script_hash) != *hash)
    return fail(p, ".outputScriptHash does not match outputScript");
  if (lower_hex(d.destination_commitment_hash) != redeem_destination_commitment(d))
    return fail(p, ".destinationCommitmentHash does not match canonical reservation artifact");
  if (r.migration_transaction_plan &&
      r.migration_transaction_plan->destination_value_sats != d.output_value_sats)
    return fail(p, ".outputValueSats does not match "
                   "request.migrationTransactionPlan.destinationValueSats");
  return std::nullopt;
}

std::optional<input_error> check_renew(const route_submit_request& r) {
  const std::string p = "request.renewDestination";
  if (!r.renew_destination)
    return fail(p, " is required");
  const auto& d = *r.renew_destination;
  if (auto e = check_identity(p, d, action_renew))
    return e;
  if (auto e = check_hex(p + ".nextCovenantScript", d.next_covenant_script))
    return e;
  if (auto e = check_hex(p + ".nextCovenantScriptHash", d.next_covenant_script_hash))
    return e;
  if (auto e = check_hex(p + ".destinationCommitmentHash", d.destination_commitment_hash))
    return e;
  if (d.next_maturity_height == 0)
    return fail(p, ".nextMaturityHeight must be greater than zero");
  if (d.output_value_sats == 0)
    return fail(p, ".outputValueSats must be greater than zero");
  if (auto e = check_binding(p, r, d))
    return e;
  auto hash = script_hash(d.next_covenant_script);
  if (!hash)
    return fail(p, ".nextCovenantScript is not valid hex");
  if (lower_hex(d.next_covenant_script_hash) != *hash)
    return fail(p, ".nextCovenantScriptHash does not match nextCovenantScript");
  if (lower_hex(d.destination_commitment_hash) != renew_destination_commitment(d))
    return fail(p, ".destinationCommitmentHash does not match canonical reservation artifact");
  if (r.migration_transaction_plan &&
      r.migration_transaction_plan->destination_value_sats != d.output_value_sats)
    return fail(p, ".outputValueSats does not match "
                   "request.migrationTransactionPlan.destinationValueSats");
  return std::nullopt;
}

template <class D>
D normalize_common(const D& d) {
  D out = d;
  out.reservation_id = trim_space(d.reservation_id);
  out.reserve = lower_hex(d.reserve);
  out.revealer = lower_hex(d.revealer);
  out.vault = lower_hex(d.vault);
  out.network = trim_space(d.network);
  out.destination_commitment_hash = lower_hex(d.destination_commitment_hash);
  return out;
}

} // namespace

std::optional<input_error> check_action_destination(const route_submit_request& r) {
  auto action = r.resolved_action();
  if (action != action_migration && r.migration_destination)
    return input_error{"request.migrationDestination must be omitted unless action is MIGRATION"};
  if (action != action_redeem && r.redeem_destination)
    return input_error{"request.redeemDestination must be omitted unless action is REDEEM"};
  if (action != action_renew && r.renew_destination)
    return input_error{"request.renewDestination must be omitted unless action is RENEW"};
  if (action == action_migration)
    return check_migration(r);
  if (action == action_redeem)
    return check_redeem(r);
  if (action == action_renew)
    return check_renew(r);
  return input_error{"request.action is not supported"};
}

migration_destination_reservation normalize_destination(const migration_destination_reservation& d) {
  auto out = normalize_common(d);
  out.deposit_script = lower_hex(d.deposit_script);
  out.deposit_script_hash = lower_hex(d.deposit_script_hash);
  out.migration_extra_data = lower_hex(d.migration_extra_data);
  return out;
}

redeem_destination_reservation normalize_destination(const redeem_destination_reservation& d) {
  auto out = normalize_common(d);
  out.output_script = lower_hex(d.output_script);
  out.output_script_hash = lower_hex(d.output_script_hash);
  return out;
}

renew_destination_reservation normalize_destination(const renew_destination_reservation& d) {
  auto out = normalize_common(d);
  out.next_covenant_script = lower_hex(d.next_covenant_script);
  out.next_covenant_script_hash = lower_hex(d.next_covenant_script_hash);
  return out;
}

} // namespace covsigner::covenant
