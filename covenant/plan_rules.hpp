// Structural rules of the migration transaction plan (reference §5.6). The
// same plan drives MIGRATION, REDEEM and RENEW transactions.
#pragma once

#include "covenant/request.hpp"

#include <optional>

namespace covsigner::covenant {

inline constexpr std::uint32_t plan_version_v1 = 1;
inline constexpr std::uint64_t anchor_value_sats = 330;
inline constexpr std::uint32_t covenant_input_sequence = 0xFFFFFFFD;

/// Checks `plan` (nullptr = absent) against `request`, in the reference's
/// order: presence, version, hash shape, positive values, anchor, sequence,
/// maturity fits uint32, lockTime == maturityHeight, value arithmetic, and
/// finally the plan commitment. Returns the first error's exact text.
std::optional<input_error> check_transaction_plan(const route_submit_request& request,
                                                  const transaction_plan* plan);

/// The normalised plan: only the commitment hash is lowercased.
transaction_plan normalize_transaction_plan(const transaction_plan& plan);

} // namespace covsigner::covenant
