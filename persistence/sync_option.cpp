#include "persistence/sync_option.hpp"

namespace covsigner::persistence {

std::variant<store_sync, std::string> parse_store_sync(std::string_view value,
                                                       bool unsafe_no_fsync_for_benchmarks) {
  std::optional<store_sync> parsed;
  if (value == "group")
    parsed = store_sync{sync_mode::group, true};
  else if (value == "per-job")
    parsed = store_sync{sync_mode::per_job, true};
  else if (value == "none")
    parsed = store_sync{sync_mode::group, false};
  if (!parsed)
    return "invalid --store.sync [" + std::string(value) + "]: expected group, per-job or none";
  if (!parsed->fsync && !unsafe_no_fsync_for_benchmarks)
    return std::string("--store.sync=none disables every fsync: acknowledged jobs are lost on a "
                       "power cut; it is for benchmarks only and needs "
                       "--store.unsafe-no-fsync-for-benchmarks");
  if (parsed->fsync && unsafe_no_fsync_for_benchmarks)
    return "--store.unsafe-no-fsync-for-benchmarks is only valid with --store.sync=none (got " +
           std::string(value) + ")";
  return *parsed;
}

std::string to_string(const store_sync& s) {
  if (!s.fsync)
    return "none";
  return s.rounds == sync_mode::group ? "group" : "per-job";
}

} // namespace covsigner::persistence
