#include "apps/covsigner-bench/correctness.hpp"

#include "persistence/file_system.hpp"
#include "persistence/store_loader.hpp"

namespace covsigner::bench {

ack_log::merged ack_log::merge() const {
  merged m;
  for (const auto& s : shards_) {
    m.sent.insert(s.sent.begin(), s.sent.end());
    for (const auto& [key, ids] : s.acked)
      m.acked[key].insert(ids.begin(), ids.end());
  }
  return m;
}

correctness_report check_store(const std::filesystem::path& data_dir, const ack_log::merged& seen) {
  correctness_report r;
  r.keys_sent = seen.sent.size();
  r.keys_acked = seen.acked.size();
  auto note = [&](std::string problem) {
    if (r.problems.size() < 8)
      r.problems.push_back(std::move(problem));
  };
  persistence::posix_file_system fs;
  auto opened = persistence::open_store(fs, persistence::store_layout::for_data_dir(data_dir));
  if (auto* err = std::get_if<persistence::io_error>(&opened)) {
    note("cannot open the store: " + err->message);
    return r;
  }
  auto& loaded = std::get<persistence::opened_store>(opened).loaded;
  r.store_summary = loaded.summary_line;
  r.jobs_in_store = loaded.jobs.size();
  r.duplicates_on_disk = loaded.summary.duplicates;
  r.quarantined = loaded.summary.quarantined_total;
  r.poisoned_keys = loaded.poisoned.size();
  if (r.duplicates_on_disk)
    note(std::to_string(r.duplicates_on_disk) + " route keys have more than one job on disk");
  if (r.quarantined)
    note(std::to_string(r.quarantined) + " files quarantined");
  if (r.poisoned_keys)
    note(std::to_string(r.poisoned_keys) + " route keys poisoned (first: " +
         loaded.poisoned.begin()->first + ")");
  if (loaded.unattributable_corruption)
    note("unattributable corruption");

  std::map<std::string, std::string> by_key; // route key -> request id on disk
  for (const auto& job : loaded.jobs) {
    auto key = job.route_key();
    if (!seen.sent.count(key)) {
      ++r.stray_jobs;
      note("job " + job.request_id + " for a key the bench never sent: " + key);
    }
    by_key[key] = job.request_id;
  }
  for (const auto& [key, ids] : seen.acked) {
    if (ids.size() > 1) {
      ++r.split_acks;
      note("route key " + key + " was acknowledged with " + std::to_string(ids.size()) +
           " request ids");
    }
    auto it = by_key.find(key);
    for (const auto& id : ids)
      if (it == by_key.end() || it->second != id) {
        ++r.acked_missing;
        note("acknowledged " + id + " (" + key + ") is not in the store" +
             (it == by_key.end() ? "" : " (the key holds " + it->second + ")"));
      }
  }
  r.passed = r.problems.empty();
  return r;
}

} // namespace covsigner::bench
