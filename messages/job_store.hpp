// job_store: owns the job records and their files (group commit). Replies
// only with durable state: no snapshot it sends was ever not on disk.
#pragma once

#include "messages/atoms.hpp"
#include "messages/job_messages.hpp"

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace covsigner::messages {

using job_store_actor = caf::typed_actor<
  // Durable create of a new job (RENAME_NOREPLACE: never replaces a file).
  caf::replies_to<create_atom, covenant::job>::with<store_result>,
  // Current snapshot by request id, or not_found.
  caf::replies_to<caf::get_atom, std::string>::with<store_result>,
  // Apply a transition if the job is still at `from_revision` and not terminal.
  caf::replies_to<transition_request>::with<store_result>,
  caf::replies_to<status_atom>::with<store_status>>;

} // namespace covsigner::messages
