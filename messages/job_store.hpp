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
  // Current snapshot by request id; not_found; or unknown (its last write
  // failed after it may have reached the disk, and the store holds no
  // durable state of it: detail says why).
  caf::replies_to<caf::get_atom, std::string>::with<store_result>,
  // As get, answered once no write of that job is in flight: what became
  // of a create whose answer the caller did not get in time. ok = durable;
  // not_found = nothing was written; unknown = the write failed after it may
  // have reached the disk.
  caf::replies_to<outcome_atom, std::string>::with<store_result>,
  // Apply a transition if the job is still at `from_revision`, not terminal,
  // and the state machine allows it (covenant::check_transition; else
  // forbidden).
  caf::replies_to<transition_request>::with<store_result>,
  caf::replies_to<status_atom>::with<store_status>>;

} // namespace covsigner::messages
