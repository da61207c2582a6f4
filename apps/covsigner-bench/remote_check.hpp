// The correctness check against a node the bench did not start (--url): its
// store cannot be scanned, so it is asked. After the run every acknowledged
// requestId is polled (at a bounded rate: the node may be in production) and
// must be found under its route key with the same requestId; a sample of the
// acknowledged keys is submitted again and must dedupe to the same requestId
// (a 400 would be a conflict: the node lost or changed what it acknowledged).
// A key acknowledged with two requestIds fails as in the store scan. What
// only a scan can see (stray jobs, quarantine, duplicates on disk) is not
// checked; the report says "remote polls".
#pragma once

#include "apps/covsigner-bench/correctness.hpp"
#include "apps/covsigner-bench/requests.hpp"
#include "apps/covsigner-bench/transports.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace covsigner::bench {

struct remote_check_settings {
  double rate_per_s = 1000; // polls + resubmits per second, all clients together
  std::size_t clients = 8;
};

/// `variants`: route key -> the payload variant its job was created with
/// (the conflict scenario's winner; absent = the canonical payload), so the
/// poll and the resubmit carry the digest the job has.
correctness_report check_remote(client_factory& clients, const request_factory& rq,
                                const ack_log::merged& seen,
                                const std::map<std::string, std::uint64_t>& variants,
                                const remote_check_settings& settings);

} // namespace covsigner::bench
