// Retention: pruning terminal jobs leaves tombstones so a pruned route key
// never reopens (DESIGN "Persistence contract").
#pragma once

#include "covenant/job.hpp"
#include "persistence/job_writer.hpp"
#include "persistence/timestamp.hpp"

#include <chrono>
#include <vector>

namespace covsigner::persistence {

/// The prune ops for `jobs`: every terminal job whose updatedAt (the time it
/// became terminal) parses and is older than `now - older_than`. Jobs with
/// an unparseable updatedAt are kept (never prune what we cannot date).
/// Pure: nothing is written.
std::vector<write_op> plan_prune(const std::vector<covenant::job>& jobs, timestamp now,
                                 std::chrono::nanoseconds older_than);

/// Runs `ops` (from plan_prune) as one durable round; returns the tombstones
/// written, or the first error. Precondition: the caller holds the store
/// lock (covsignerctl) — the node prunes through its job_writer instead.
std::variant<std::vector<tombstone>, io_error> prune_jobs(file_system& fs,
                                                          const store_layout& layout,
                                                          const std::vector<write_op>& ops);

} // namespace covsigner::persistence
