#include "covenant/plan_rules.hpp"

#include "covenant/commitments.hpp"
#include "covenant/hex_rules.hpp"

#include <limits>

namespace covsigner::covenant {

std::optional<input_error> check_transaction_plan(const route_submit_request& request,
                                                  const transaction_plan* plan) {
  auto fail = [](const char* m) { return input_error{m}; };
  if (!plan)
    return fail("request.migrationTransactionPlan is required");
  if (plan->plan_version != plan_version_v1)
    return fail("request.migrationTransactionPlan.planVersion must equal 1");
  if (auto e = check_hex("request.migrationTransactionPlan.planCommitmentHash",
                         plan->plan_commitment_hash))
    return e;
  if (plan->input_value_sats == 0)
    return fail("request.migrationTransactionPlan.inputValueSats must be greater than zero");
  if (plan->destination_value_sats == 0)
    return fail("request.migrationTransactionPlan.destinationValueSats must be greater than zero");
  if (plan->fee_sats == 0)
    return fail("request.migrationTransactionPlan.feeSats must be greater than zero");
  if (plan->anchor_value_sats != anchor_value_sats)
    return fail(
        "request.migrationTransactionPlan.anchorValueSats must equal the canonical 330 sat anchor");
  if (plan->input_sequence != covenant_input_sequence)
    return fail("request.migrationTransactionPlan.inputSequence must equal 0xFFFFFFFD");
  if (request.maturity_height > std::numeric_limits<std::uint32_t>::max())
    return fail("request.maturityHeight must fit in uint32");
  if (plan->lock_time != request.maturity_height)
    return fail("request.migrationTransactionPlan.lockTime must match request.maturityHeight");
  if (plan->input_value_sats < plan->destination_value_sats)
    return fail("request.migrationTransactionPlan.inputValueSats must cover destinationValueSats");
  std::uint64_t after_destination = plan->input_value_sats - plan->destination_value_sats;
  if (after_destination < plan->anchor_value_sats)
    return fail("request.migrationTransactionPlan.inputValueSats must cover anchorValueSats");
  if (after_destination - plan->anchor_value_sats != plan->fee_sats)
    return fail("request.migrationTransactionPlan values must satisfy inputValueSats = "
                "destinationValueSats + anchorValueSats + feeSats");
  if (lower_hex(plan->plan_commitment_hash) != transaction_plan_commitment(request, *plan))
    return fail("request.migrationTransactionPlan.planCommitmentHash does not match canonical "
                "migration transaction plan");
  return std::nullopt;
}

transaction_plan normalize_transaction_plan(const transaction_plan& plan) {
  transaction_plan out = plan;
  out.plan_commitment_hash = lower_hex(plan.plan_commitment_hash);
  return out;
}

} // namespace covsigner::covenant
