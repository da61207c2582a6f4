// route_registry: owns the dedupe index `<route>:<routeRequestId>` -> request
// id and digest, with entry states creating -> live, poisoned keys and
// tombstones. It alone decides whether a submit creates a job.
#pragma once

#include "messages/atoms.hpp"
#include "messages/job_messages.hpp"

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace covsigner::messages {

using route_registry_actor = caf::typed_actor<
  // Create-or-dedupe in one message. A new key becomes `creating`, the draft
  // is created durably through job_store, then the key is `live` and every
  // duplicate that waited meanwhile gets the same durable job. A failed
  // create rolls the key back.
  caf::replies_to<route_claim>::with<claim_result>,
  // Who owns a route key now.
  caf::replies_to<lookup_atom, std::string>::with<route_owner>,
  caf::replies_to<status_atom>::with<registry_status>>;

} // namespace covsigner::messages
