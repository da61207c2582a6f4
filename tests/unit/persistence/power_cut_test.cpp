// Crash consistency under SIMULATED power cuts (power_cut_file_system): the
// model itself, then a workload of creates, transitions and prunes cut
// after every file-system step, checking after each cut that the store
// keeps every promise it made.
#include "persistence/job_writer.hpp"
#include "persistence/power_cut_file_system.hpp"
#include "persistence/store_loader.hpp"
#include "test_support.hpp"

#include <condition_variable>
#include <functional>
#include <memory>
#include <optional>
#include <gtest/gtest.h>
#include <mutex>
#include <set>

using namespace covsigner;
using namespace covsigner::persistence;
using namespace covsigner::persistence::testing;

TEST(PowerCutFileSystem, UnsyncedDirectoryEntriesVanish) {
  temp_dir dir;
  power_cut_file_system fs{dir.path()};
  ASSERT_FALSE(fs.write_file_synced(dir.path() / "kept", "1"));
  ASSERT_FALSE(fs.fsync_dir(dir.path()));
  ASSERT_FALSE(fs.write_file_synced(dir.path() / "lost", "2"));
  ASSERT_FALSE(fs.make_dir(dir.path() / "sub"));
  fs.power_cut();
  EXPECT_EQ(read_raw(dir.path() / "kept"), "1");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "lost"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "sub"));
}

TEST(PowerCutFileSystem, UnsyncedRenamesAndRemovalsRevert) {
  temp_dir dir;
  write_raw(dir.path() / "target", "old"); // present at start = durable
  power_cut_file_system fs{dir.path()};
  ASSERT_FALSE(fs.write_file_synced(dir.path() / "tmp", "new"));
  ASSERT_FALSE(fs.fsync_dir(dir.path()));
  ASSERT_FALSE(fs.rename(dir.path() / "tmp", dir.path() / "target"));
  EXPECT_EQ(read_raw(dir.path() / "target"), "new");
  fs.power_cut();
  EXPECT_EQ(read_raw(dir.path() / "target"), "old");
  EXPECT_EQ(read_raw(dir.path() / "tmp"), "new");

  ASSERT_FALSE(fs.rename(dir.path() / "tmp", dir.path() / "target"));
  ASSERT_FALSE(fs.fsync_dir(dir.path()));
  ASSERT_FALSE(fs.remove(dir.path() / "target"));
  fs.power_cut();
  EXPECT_EQ(read_raw(dir.path() / "target"), "new");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "tmp"));
}

TEST(PowerCutFileSystem, FailedFsyncLeavesUnknownContents) {
  temp_dir dir;
  power_cut_file_system fs{dir.path()};
  fs.fail_nth_fsync(1, EIO);
  auto err = fs.write_file_synced(dir.path() / "f", "data");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, EIO);
  ASSERT_FALSE(fs.fsync_dir(dir.path()));
  fs.power_cut();
  EXPECT_EQ(read_raw(dir.path() / "f"), "");
}

// A failed sync says nothing about what reached the disk: the model offers
// both outcomes, and the store must keep its promises under either.
TEST(PowerCutFileSystem, AFailedFileFsyncLeavesTheContentsLostOrPersisted) {
  using outcome = power_cut_file_system::failed_sync_outcome;
  for (auto o : {outcome::lost, outcome::persisted}) {
    temp_dir dir;
    power_cut_file_system fs{dir.path()};
    fs.fail_nth_fsync(1, EIO, o);
    auto err = fs.write_file_synced(dir.path() / "f", "data");
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code, EIO);
    ASSERT_FALSE(fs.fsync_dir(dir.path()));
    fs.power_cut();
    EXPECT_EQ(read_raw(dir.path() / "f"), o == outcome::lost ? "" : "data");
  }
}

TEST(PowerCutFileSystem, AFailedDirectoryFsyncLeavesTheEntryLostOrPersisted) {
  using outcome = power_cut_file_system::failed_sync_outcome;
  for (auto o : {outcome::lost, outcome::persisted}) {
    temp_dir dir;
    write_raw(dir.path() / "gone", "g"); // durable from the start
    power_cut_file_system fs{dir.path()};
    ASSERT_FALSE(fs.write_file_synced(dir.path() / "new", "n"));
    ASSERT_FALSE(fs.remove(dir.path() / "gone"));
    fs.fail_nth_fsync(1, ENOSPC, o);
    auto err = fs.fsync_dir(dir.path());
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code, ENOSPC);
    fs.power_cut();
    bool persisted = o == outcome::persisted;
    EXPECT_EQ(std::filesystem::exists(dir.path() / "new"), persisted);
    EXPECT_EQ(std::filesystem::exists(dir.path() / "gone"), !persisted);
  }
}

TEST(PowerCutFileSystem, AFailedFileSystemSyncLeavesEverythingLostOrPersisted) {
  using outcome = power_cut_file_system::failed_sync_outcome;
  for (auto o : {outcome::lost, outcome::persisted}) {
    temp_dir dir;
    power_cut_file_system fs{dir.path()};
    ASSERT_FALSE(fs.make_dir(dir.path() / "sub"));
    ASSERT_FALSE(fs.fsync_dir(dir.path()));
    ASSERT_FALSE(fs.write_file_unsynced(dir.path() / "sub" / "f", "data"));
    auto barrier = std::get<std::unique_ptr<sync_barrier>>(fs.open_sync_barrier(dir.path()));
    fs.fail_nth_fsync(1, EIO, o);
    auto err = barrier->sync();
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code, EIO);
    fs.power_cut();
    if (o == outcome::persisted)
      EXPECT_EQ(read_raw(dir.path() / "sub" / "f"), "data");
    else
      EXPECT_FALSE(std::filesystem::exists(dir.path() / "sub" / "f"));
  }
}

// A background writeback failure: what was pending is gone for good (a
// later successful sync does not bring it back), and as on Linux only a
// barrier opened before the error reports it, once.
TEST(PowerCutFileSystem, AWritebackErrorIsReportedOnlyToBarriersOpenedBeforeIt) {
  temp_dir dir;
  power_cut_file_system fs{dir.path()};
  auto early = std::get<std::unique_ptr<sync_barrier>>(fs.open_sync_barrier(dir.path()));
  fs.fail_writeback_after_write(2, EIO);
  ASSERT_FALSE(fs.write_file_unsynced(dir.path() / "a", "1"));
  EXPECT_EQ(fs.writeback_errors(), 0u);
  ASSERT_FALSE(fs.write_file_unsynced(dir.path() / "b", "2"));
  EXPECT_EQ(fs.writeback_errors(), 1u);
  ASSERT_FALSE(fs.write_file_unsynced(dir.path() / "c", "3")); // after the error
  EXPECT_EQ(read_raw(dir.path() / "a"), "1"); // the page cache still has it
  auto late = std::get<std::unique_ptr<sync_barrier>>(fs.open_sync_barrier(dir.path()));
  EXPECT_FALSE(late->sync()); // opened after the error: success, and "a" is lost
  auto err = early->sync();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, EIO);
  EXPECT_FALSE(early->sync()); // reported once
  fs.power_cut();
  EXPECT_EQ(read_raw(dir.path() / "a"), "");
  EXPECT_EQ(read_raw(dir.path() / "b"), "");
  EXPECT_EQ(read_raw(dir.path() / "c"), "3");
}

TEST(PowerCutFileSystem, ABarrierOnAMissingPathIsRefused) {
  temp_dir dir;
  power_cut_file_system fs{dir.path()};
  auto opened = fs.open_sync_barrier(dir.path() / "missing");
  ASSERT_TRUE(std::holds_alternative<io_error>(opened));
  EXPECT_EQ(std::get<io_error>(opened).code, ENOENT);
}

TEST(PowerCutFileSystem, DiesAfterNMutations) {
  temp_dir dir;
  power_cut_file_system fs{dir.path()};
  fs.die_after(1);
  EXPECT_FALSE(fs.write_file_synced(dir.path() / "a", "1"));
  EXPECT_TRUE(fs.fsync_dir(dir.path()));
  EXPECT_TRUE(fs.dead());
  EXPECT_TRUE(std::holds_alternative<io_error>(fs.read_file(dir.path() / "a")));
  fs.power_cut();
  EXPECT_FALSE(fs.dead());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "a"));
}

namespace {

constexpr std::string_view load_now = "2026-04-01T00:00:00Z";

// One job's history as the workload submitted it.
struct history {
  std::vector<covenant::job> versions; // submitted, in order
  int acked = -1;                      // index of the last acknowledged version
  bool prune_submitted = false;
  bool prune_acked = false;
};

struct workload_result {
  std::mutex m; // guards jobs; held by the writer's callbacks
  std::map<std::string, history> jobs;
};

covenant::job job_n(int n) {
  char id[32];
  std::snprintf(id, sizeof id, "kcs_self_%016x", n);
  return sample_job(id, "ors_" + std::to_string(n));
}

// `waves` x 8 jobs: create, PENDING, SIGNING, terminal; the first wave's
// terminal jobs are then pruned. With 7 waves: 56*4 = 224 creates and
// transitions + 8 prunes. Each wave's ops are submitted together (group
// mode batches them) and awaited.
void run_workload(workload_result& r, file_system& fs, const store_layout& layout, sync_mode mode,
                  int waves = 7) {
  std::mutex& m = r.m;
  std::condition_variable cv;
  int outstanding = 0;
  job_writer writer{fs, layout, mode};
  auto submit = [&](const std::string& id, write_op op, bool prune) {
    std::lock_guard lock{m};
    auto& h = r.jobs[id];
    int version = static_cast<int>(h.versions.size());
    if (prune)
      h.prune_submitted = true;
    else
      h.versions.push_back(op.job);
    ++outstanding;
    writer.submit(std::move(op), [&, id, version, prune](write_outcome o) {
      std::lock_guard lock{m};
      if (o.ok) {
        auto& hh = r.jobs[id];
        if (prune)
          hh.prune_acked = true;
        else
          hh.acked = std::max(hh.acked, version);
      }
      if (--outstanding == 0)
        cv.notify_all();
    });
  };
  auto wait_all = [&] {
    std::unique_lock lock{m};
    cv.wait(lock, [&] { return outstanding == 0; });
  };
  const int per_wave = 8;
  for (int w = 0; w < waves; ++w) {
    std::vector<covenant::job> wave;
    for (int i = 0; i < per_wave; ++i)
      wave.push_back(job_n(w * per_wave + i));
    for (auto& j : wave)
      submit(j.request_id, {write_op::kind::create, j, {}}, false);
    wait_all();
    for (int step = 0; step < 3; ++step) {
      for (std::size_t i = 0; i < wave.size(); ++i) {
        auto& j = wave[i];
        covenant::job_transition t;
        std::string at = "2026-03-09T00:00:0" + std::to_string(step + 1) + "Z";
        if (step == 0) {
          t.state = covenant::job_state::pending;
          t.detail = std::string{covenant::accepted_detail};
        } else if (step == 1) {
          t.state = covenant::job_state::signing;
        } else if (i % 2 == 0) {
          t.state = covenant::job_state::artifact_ready;
          t.psbt_hash = "0x01";
          t.transaction_hex = "0200";
        } else {
          t.state = covenant::job_state::failed;
          t.reason = std::string{covenant::failure_reason::provider_failed};
          t.detail = "signer refused <x>";
        }
        covenant::apply_transition(j, t, at);
        submit(j.request_id, {write_op::kind::update, j, {}}, false);
      }
      wait_all();
    }
    if (w == 0) {
      for (auto& j : wave)
        submit(j.request_id, {write_op::kind::tombstone_and_remove, j, "2026-03-10T00:00:00Z"}, true);
      wait_all();
    }
  }
}

// What a job looks like after a load: SIGNING becomes interrupted.
covenant::job as_loaded(covenant::job j) {
  if (j.state == covenant::job_state::signing) {
    covenant::job_transition t;
    t.state = covenant::job_state::failed;
    t.detail = std::string{covenant::interrupted_detail};
    t.reason = std::string{covenant::failure_reason::provider_failed};
    covenant::apply_transition(j, t, load_now);
  }
  return j;
}

// Checks every promise after a cut; returns a description of the first
// broken one, or empty.
std::string check_after_cut(const workload_result& w, const loaded_store& s, const store_layout& layout) {
  std::map<std::string, const covenant::job*> live;
  std::set<std::string> keys;
  for (const auto& j : s.jobs) {
    live[j.request_id] = &j;
    if (!keys.insert(j.route_key()).second)
      return "route key on two jobs: " + j.route_key();
  }
  std::set<std::string> tombstoned;
  for (const auto& t : s.tombstones)
    tombstoned.insert(t.request_id);
  for (const auto& [id, h] : w.jobs) {
    auto it = live.find(id);
    if (h.prune_acked) {
      if (it != live.end() || !tombstoned.count(id))
        return "acknowledged prune not durable: " + id;
      continue;
    }
    if (it == live.end()) {
      if (h.acked >= 0 && !(h.prune_submitted && tombstoned.count(id)))
        return "acknowledged job missing: " + id;
      continue;
    }
    // Present: must be the last acknowledged version or a later submitted
    // one (a write may be durable before its acknowledgement).
    bool match = false;
    for (int v = std::max(h.acked, 0); v < static_cast<int>(h.versions.size()); ++v)
      match = match || as_loaded(h.versions[static_cast<std::size_t>(v)]) == *it->second;
    if (!match)
      return "job not intact: " + id + " state " + std::string{covenant::to_string(it->second->state)};
  }
  for (const auto& e : std::filesystem::directory_iterator(layout.quarantine_dir())) {
    auto name = e.path().filename().string();
    auto stem = name.substr(0, name.find('.'));
    if (live.count(stem))
      return "job both live and quarantined: " + name;
  }
  for (const auto& [key, reason] : s.poisoned) {
    bool acknowledged = false;
    for (const auto& [id, h] : w.jobs)
      acknowledged = acknowledged || (h.acked >= 0 && h.versions[0].route_key() == key);
    if (!acknowledged)
      return "poisoned key never acknowledged: " + key;
  }
  // Atomic writes leave nothing to quarantine or poison at all.
  if (s.summary.quarantined_total != 0 || !s.poisoned.empty() || s.unattributable_corruption)
    return "unexpected damage: " + s.summary_line;
  return {};
}

// The real tree under `root` in durable_tree form (after a power cut it is
// what survived).
power_cut_file_system::durable_tree read_tree(const std::filesystem::path& root) {
  power_cut_file_system::durable_tree out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    auto r = e.path().lexically_relative(root).generic_string();
    if (e.is_directory())
      out[r] = std::nullopt;
    else
      out[r] = read_raw(e.path());
  }
  return out;
}

// Checks the durable tree itself, BEFORE a load repairs anything (the load
// backfills a missing marker and completes a half-done prune, which would
// hide a writer that acknowledged too early): every acknowledged create has
// its job file (the acknowledged version or a later one) and its route
// marker; every acknowledged prune has its tombstone and neither job file
// nor marker; no marker is durable without its job file or tombstone.
// Returns the first broken promise, or empty.
std::string check_durable(const workload_result& w, const power_cut_file_system::durable_tree& tree,
                          const std::filesystem::path& root, const store_layout& layout) {
  auto at = [&](const std::filesystem::path& p) -> const std::optional<std::string>* {
    auto it = tree.find(p.lexically_relative(root).generic_string());
    return it == tree.end() ? nullptr : &it->second;
  };
  for (const auto& [id, h] : w.jobs) {
    const auto* job = at(layout.job_file(id));
    const auto* marker = at(layout.marker_file(id));
    const auto* tomb = at(layout.tombstone_file(id));
    if (h.prune_acked) {
      if (!tomb || !*tomb)
        return "acknowledged prune without a durable tombstone: " + id;
      if (job)
        return "acknowledged prune left its job file durable: " + id;
      if (marker)
        return "acknowledged prune left its route marker durable: " + id;
      continue;
    }
    if (marker && !job && !tomb)
      return "route marker durable without its job file: " + id;
    if (h.acked < 0 || (h.prune_submitted && tomb))
      continue; // never acknowledged, or a prune under way (its tombstone is durable)
    if (!job || !*job)
      return "acknowledged job file not durable: " + id;
    bool match = false;
    for (auto v = static_cast<std::size_t>(h.acked); v < h.versions.size(); ++v)
      match = match || **job == encode_job_file(h.versions[v]);
    if (!match)
      return "acknowledged job file not intact: " + id;
    if (!marker || !*marker)
      return "route marker of an acknowledged create not durable: " + id;
    auto decoded = decode_route_marker(**marker);
    const auto& created = h.versions.front();
    auto* m = std::get_if<route_marker>(&decoded);
    if (!m || m->request_id != id || m->route_key() != created.route_key() ||
        m->request_digest != created.request_digest ||
        m->job_file_sha256 != sha256_hex(encode_job_file(created)))
      return "route marker of an acknowledged create damaged: " + id;
  }
  return {};
}

// Re-runs the workload once per cut point, killing the simulated machine
// after `cut` steps, then cutting power and loading from the real tree.
void rerun_with_a_cut_after_every_step(sync_mode mode, int waves) {
  std::size_t total = 0;
  {
    temp_dir dir;
    auto layout = store_layout::for_data_dir(dir.path());
    power_cut_file_system fs{dir.path()};
    ASSERT_FALSE(ensure_store_dirs(fs, layout));
    auto before = fs.stats().mutations;
    workload_result w;
    run_workload(w, fs, layout, mode, waves);
    total = fs.stats().mutations - before;
  }
  ASSERT_GT(total, 0u);
  std::size_t failures = 0;
  for (std::size_t cut = 0; cut <= total && failures < 5; ++cut) {
    temp_dir dir;
    auto layout = store_layout::for_data_dir(dir.path());
    power_cut_file_system fs{dir.path()};
    ASSERT_FALSE(ensure_store_dirs(fs, layout));
    fs.die_after(cut);
    workload_result w;
    run_workload(w, fs, layout, mode, waves);
    fs.power_cut();
    if (auto problem = check_durable(w, read_tree(dir.path()), dir.path(), layout); !problem.empty()) {
      ADD_FAILURE() << "cut after step " << cut << " of " << total << ": " << problem;
      ++failures;
      continue;
    }
    posix_file_system posix;
    auto loaded = load_store(posix, layout, load_now);
    if (auto* err = std::get_if<io_error>(&loaded)) {
      ADD_FAILURE() << "cut " << cut << ": load failed: " << err->message;
      ++failures;
      continue;
    }
    auto problem = check_after_cut(w, std::get<loaded_store>(loaded), layout);
    if (!problem.empty()) {
      ADD_FAILURE() << "cut after step " << cut << " of " << total << ": " << problem;
      ++failures;
    }
  }
}

// One workload run with one injected fault, then a power cut: the fault
// latches the writer, so nothing after it is acknowledged and the durable
// state is the one the fault left. Checks the durable tree and the load.
// Returns the broken promise (empty if none); `fired` = the fault hit
// (some op was rejected).
std::string run_with_fault(sync_mode mode, int waves, const std::function<void(power_cut_file_system&)>& inject,
                           bool& fired) {
  temp_dir dir;
  auto layout = store_layout::for_data_dir(dir.path());
  power_cut_file_system fs{dir.path()};
  if (auto err = ensure_store_dirs(fs, layout))
    return "setup: " + err->message;
  inject(fs);
  workload_result w;
  run_workload(w, fs, layout, mode, waves);
  std::size_t ops = 0, acked = 0;
  for (const auto& [id, h] : w.jobs) {
    ops += h.versions.size() + (h.prune_submitted ? 1 : 0);
    acked += static_cast<std::size_t>(h.acked + 1) + (h.prune_acked ? 1 : 0);
  }
  fired = acked < ops;
  fs.power_cut();
  if (auto problem = check_durable(w, read_tree(dir.path()), dir.path(), layout); !problem.empty())
    return problem;
  // Loaded through the model (its faults are cleared by the cut): the
  // load's own writes then cost no real fsync.
  auto loaded = load_store(fs, layout, load_now);
  if (auto* err = std::get_if<io_error>(&loaded))
    return "load failed: " + err->message;
  return check_after_cut(w, std::get<loaded_store>(loaded), layout);
}

// Fails the 1st, 2nd, ... fsync of the workload (file fsyncs, directory
// fsyncs and file-system syncs alike) with EIO, leaving what it covered
// `outcome`, until a run has fewer fsyncs than that. Returns how many runs
// the fault hit.
std::size_t rerun_with_each_fsync_failing(sync_mode mode,
                                          power_cut_file_system::failed_sync_outcome outcome) {
  std::size_t failures = 0, nth = 1;
  for (;; ++nth) {
    bool fired = false;
    auto problem = run_with_fault(
      mode, 1, [&](power_cut_file_system& fs) { fs.fail_nth_fsync(nth, EIO, outcome); }, fired);
    if (!problem.empty() && failures < 5) {
      ADD_FAILURE() << "fsync " << nth << " failed ("
                    << (outcome == power_cut_file_system::failed_sync_outcome::lost ? "lost"
                                                                                      : "persisted")
                    << "): " << problem;
      ++failures;
    }
    if (!fired)
      break;
  }
  return nth - 1;
}

} // namespace

// Every fsync of the workload fails in turn, under both outcomes of a
// failed sync; after each the store must keep every promise it made.
TEST(PowerCut, PerJobWorkloadSurvivesEachFsyncFailingEitherWay) {
  using outcome = power_cut_file_system::failed_sync_outcome;
  for (auto o : {outcome::lost, outcome::persisted})
    // 8 creates x 4 + 24 updates x 2 + 8 prunes x 4 fsyncs
    EXPECT_EQ(rerun_with_each_fsync_failing(sync_mode::per_job, o), 112u);
}

TEST(PowerCut, GroupCommitWorkloadSurvivesEachFsyncFailingEitherWay) {
  using outcome = power_cut_file_system::failed_sync_outcome;
  for (auto o : {outcome::lost, outcome::persisted})
    // at least 5 rounds: creates (syncfs, jobs dir, routes/), 3 x
    // transitions (syncfs, jobs dir), prunes (syncfs, tombstones/, jobs
    // dir, routes/); more when a wave's ops split over two rounds
    EXPECT_GE(rerun_with_each_fsync_failing(sync_mode::group, o), 13u);
}

// A background writeback error after each write of the group workload in
// turn: the round it hit must be refused, never acknowledged with its
// contents lost.
TEST(PowerCut, GroupCommitWorkloadSurvivesAWritebackErrorAfterEachWrite) {
  std::size_t failures = 0, nth = 1;
  for (;; ++nth) {
    bool fired = false;
    auto problem = run_with_fault(
      sync_mode::group, 1, [&](power_cut_file_system& fs) { fs.fail_writeback_after_write(nth, EIO); },
      fired);
    if (!problem.empty() && failures < 5) {
      ADD_FAILURE() << "writeback error after write " << nth << ": " << problem;
      ++failures;
    }
    if (!fired)
      break;
  }
  // 8 job files + 8 markers + 24 updates + 8 tombstones
  EXPECT_EQ(nth - 1, 48u);
}

namespace {

// Runs the workload once; before every step, examines what a power cut at
// that instant would leave: the durable tree is written to a fresh
// directory, loaded, and checked against the acknowledgements made so far.
// Equivalent to re-running the prefix for each cut (the durable state and
// the acknowledgements are those of that instant), in linear time. A load
// is done once per distinct durable state; the check runs at every step.
struct snapshot_checker {
  power_cut_file_system& fs;
  workload_result& w;
  std::filesystem::path root; // fs's
  store_layout layout;        // under root
  power_cut_file_system::durable_tree last;
  std::unique_ptr<temp_dir> dir;
  std::optional<loaded_store> loaded;
  std::size_t steps = 0, loads = 0;
  std::vector<std::string> failures;

  void at(std::size_t step) {
    auto state = fs.durable_state();
    {
      std::lock_guard lock{w.m};
      auto problem = check_durable(w, state, root, layout);
      if (!problem.empty() && failures.size() < 5)
        failures.push_back("cut after step " + std::to_string(step) + ": " + problem);
    }
    if (!loaded || state != last) {
      last = std::move(state);
      dir = std::make_unique<temp_dir>();
      power_cut_file_system::materialize(last, dir->path());
      posix_file_system posix;
      auto result = load_store(posix, store_layout::for_data_dir(dir->path()), load_now);
      ++loads;
      if (auto* err = std::get_if<io_error>(&result)) {
        failures.push_back("step " + std::to_string(step) + ": load failed: " + err->message);
        loaded.reset();
        return;
      }
      loaded = std::move(std::get<loaded_store>(result));
    }
    ++steps;
    std::lock_guard lock{w.m};
    auto problem = check_after_cut(w, *loaded, store_layout::for_data_dir(dir->path()));
    if (!problem.empty() && failures.size() < 5)
      failures.push_back("cut after step " + std::to_string(step) + ": " + problem);
  }
};

void snapshot_a_cut_after_every_step(sync_mode mode) {
  temp_dir dir;
  auto layout = store_layout::for_data_dir(dir.path());
  power_cut_file_system fs{dir.path()};
  ASSERT_FALSE(ensure_store_dirs(fs, layout));
  workload_result w;
  snapshot_checker checker{fs, w, dir.path(), layout, {}, {}, {}, 0, 0, {}};
  auto first = fs.stats().mutations;
  fs.set_before_mutation_hook([&](std::size_t done) { checker.at(done - first); });
  run_workload(w, fs, layout, mode);
  fs.set_before_mutation_hook({});
  checker.at(fs.stats().mutations - first); // after the last step
  std::size_t ops = 0, acked = 0;
  for (const auto& [id, h] : w.jobs) {
    ops += h.versions.size() + (h.prune_submitted ? 1 : 0);
    acked += static_cast<std::size_t>(h.acked + 1) + (h.prune_acked ? 1 : 0);
  }
  EXPECT_EQ(ops, 224u + 8u);
  EXPECT_EQ(acked, ops); // nothing failed without a cut
  EXPECT_EQ(checker.steps, fs.stats().mutations - first + 1);
  // Durable states change at directory fsyncs: at least one per round.
  EXPECT_GE(checker.loads, fs.stats().dir_fsyncs / 2);
  EXPECT_GE(checker.loads, 50u);
  for (const auto& f : checker.failures)
    ADD_FAILURE() << f;
}

} // namespace

TEST(PowerCut, PerJobWorkloadSurvivesACutAfterEveryStep) {
  snapshot_a_cut_after_every_step(sync_mode::per_job);
}

TEST(PowerCut, GroupCommitWorkloadSurvivesACutAfterEveryStep) {
  snapshot_a_cut_after_every_step(sync_mode::group);
}

// The same promise checked the literal way (kill the machine, cut power on
// the real tree, reload) for a smaller workload, in both modes.
TEST(PowerCut, RerunWithRealCutsAfterEveryStep) {
  rerun_with_a_cut_after_every_step(sync_mode::per_job, 1);
  rerun_with_a_cut_after_every_step(sync_mode::group, 1);
}
