// --store.sync as an operator (or a benchmark) chooses it: how the writer
// forms rounds (sync_mode) and whether its durability barriers reach the
// disk. The one place the benchmark-only "none" is refused or allowed.
#pragma once

#include "persistence/job_writer.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace covsigner::persistence {

struct store_sync {
  sync_mode rounds = sync_mode::group;
  /// false only for "none": group rounds through unsynced_file_system
  /// (BENCHMARK ONLY: acknowledged jobs do not survive a power cut).
  bool fsync = true;

  friend bool operator==(const store_sync&, const store_sync&) = default;
};

/// Parses --store.sync: "group", "per-job" or "none".
/// "none" is accepted only when `unsafe_no_fsync_for_benchmarks` is set
/// (--store.unsafe-no-fsync-for-benchmarks); that flag with any other mode
/// is refused too, so the unsafe intent is always spelled out twice.
/// Errors (exact text):
///   invalid --store.sync [<value>]: expected group, per-job or none
///   --store.sync=none disables every fsync: acknowledged jobs are lost on a power cut; it is for benchmarks only and needs --store.unsafe-no-fsync-for-benchmarks
///   --store.unsafe-no-fsync-for-benchmarks is only valid with --store.sync=none (got <value>)
std::variant<store_sync, std::string> parse_store_sync(std::string_view value,
                                                       bool unsafe_no_fsync_for_benchmarks);

/// "group", "per-job" or "none" (the inverse of parse_store_sync).
std::string to_string(const store_sync& s);

} // namespace covsigner::persistence
