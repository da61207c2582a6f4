#include "actors/node_core.hpp"

#include "persistence/unsynced_file_system.hpp"

#include <caf/all.hpp>

namespace covsigner::actors {

using namespace messages;

namespace {

route_registry_seed seed_of(const persistence::loaded_store& loaded) {
  route_registry_seed seed;
  for (const auto& job : loaded.jobs)
    seed.live[job.route_key()] = {job.request_id, job.request_digest, {}};
  // A pruned key never reopens: its tombstone keeps it live.
  for (const auto& tomb : loaded.tombstones)
    seed.live[tomb.route_key()] = {tomb.request_id, tomb.request_digest,
                                   std::string{covenant::to_string(tomb.final_state)}};
  seed.poisoned = loaded.poisoned;
  if (loaded.unattributable_corruption)
    seed.refusal_cause = "the data dir holds corrupt files that name no route key (see "
                         "quarantine/); new submits are refused until an operator resolves them";
  return seed;
}

// Jobs whose last write failed under the latch: neither loaded nor
// resumed; their keys poisoned with the cause (a key the load already
// poisoned keeps its reason). Returns how many were set aside.
std::size_t set_aside_unknown(persistence::loaded_store& loaded, const store_latch& latch) {
  auto unknown = latch.unknown_jobs();
  if (unknown.empty())
    return 0;
  std::erase_if(loaded.jobs, [&](const covenant::job& j) { return unknown.count(j.request_id); });
  for (const auto& [id, key] : unknown)
    loaded.poisoned.emplace(key, latch.unknown_reason(id).value_or(latch.failure()));
  return unknown.size();
}

} // namespace

std::variant<scanned_core, std::string> scan_core(const core_options& options) {
  std::unique_ptr<persistence::file_system> fs;
  if (options.make_file_system)
    fs = options.make_file_system();
  if (!fs)
    fs = std::make_unique<persistence::posix_file_system>();
  if (options.unsafe_no_fsync)
    fs = std::make_unique<persistence::unsynced_file_system>(std::move(fs));
  auto layout = persistence::store_layout::for_data_dir(options.data_dir);
  auto opened = persistence::open_store(*fs, layout);
  if (auto* err = std::get_if<persistence::io_error>(&opened))
    return err->message;
  auto& store = std::get<persistence::opened_store>(opened);
  scanned_core scanned;
  scanned.load_summary = store.loaded.summary_line;
  if (options.latch)
    if (auto n = set_aside_unknown(store.loaded, *options.latch))
      scanned.load_summary += "; " + std::to_string(n) +
                              " jobs set aside, route keys poisoned (" + options.latch->failure() +
                              ": their files' state on disk is unknown)";
  if (options.unsafe_no_fsync)
    scanned.load_summary = "UNSAFE: store fsync DISABLED (benchmark mode): acknowledged jobs are "
                           "lost on a power cut; " +
                           scanned.load_summary;
  scanned.loaded = std::move(store.loaded);
  scanned.files =
    std::make_shared<store_files>(std::move(fs), layout, std::move(store.lock), options.sync);
  return scanned;
}

void publish_scan(const scanned_core& scanned, published_jobs& published) {
  const auto& loaded = scanned.loaded;
  for (const auto& job : loaded.jobs) {
    published.publish_owner(job.route_key(), job.request_id, job.request_digest);
    published.publish_job(job);
  }
  // A tombstone's key is owned but has no answer: it always reaches the node.
  for (const auto& tomb : loaded.tombstones)
    published.publish_owner(tomb.route_key(), tomb.request_id, tomb.request_digest);
}

node_core spawn_core(caf::actor_system& system, scanned_core scanned, const core_options& options) {
  auto& loaded = scanned.loaded;
  auto seed = seed_of(loaded);
  node_core core;
  core.load_summary = std::move(scanned.load_summary);
  core.resumable = persistence::resumable_jobs(loaded);
  auto impl = system.spawn(job_store, std::move(scanned.files), std::move(loaded.jobs),
                           options.published, options.latch);
  core.store = caf::actor_cast<job_store_actor>(impl);
  // A new supervisor starts with an empty queue (a rebuild's old one is down).
  if (options.sessions.backlog)
    options.sessions.backlog->queued.store(0, std::memory_order_relaxed);
  core.supervisor = system.spawn(session_supervisor, core.store, options.sessions);
  core.registry = system.spawn(route_registry, core.store, std::move(seed),
                               options.store_timeout, options.published, core.supervisor,
                               std::shared_ptr<const store_latch>{options.latch});
  return core;
}

core_scan_worker_actor::behavior_type core_scan_worker(core_scan_worker_actor::pointer self,
                                                       core_options options) {
  return {
    [self, options](run_atom) {
      // Detached: this thread may block on the scan.
      core_scan out;
      auto scanned = scan_core(options);
      if (auto* err = std::get_if<std::string>(&scanned)) {
        out.error = std::move(*err);
      } else {
        out.scanned = std::make_shared<scanned_core>(std::move(std::get<scanned_core>(scanned)));
        if (options.published)
          publish_scan(*out.scanned, *options.published);
      }
      self->quit();
      return out;
    },
  };
}

} // namespace covsigner::actors
