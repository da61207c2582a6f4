// Destination checks for the request's action (reference §5.5): exactly the
// destination of the action may be present, it must be well formed, bound
// to the request (epoch, reserve, commitment) and its commitment hash must
// match the canonical reservation artifact.
#pragma once

#include "covenant/request.hpp"

#include <optional>

namespace covsigner::covenant {

/// First failing rule's exact text, or nullopt.
std::optional<input_error> check_action_destination(const route_submit_request& request);

migration_destination_reservation normalize_destination(const migration_destination_reservation& d);
redeem_destination_reservation normalize_destination(const redeem_destination_reservation& d);
renew_destination_reservation normalize_destination(const renew_destination_reservation& d);

} // namespace covsigner::covenant
