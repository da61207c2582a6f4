// DESIGN.md: job_store and route_registry hold state that must agree with
// the disk, so neither restarts in place. When one of them (or the session
// supervisor that writes through them) dies, the node refuses submits, stops
// the rest of the old core, rebuilds all three from one scan of the data dir
// and only then accepts submits again. A job caught in SIGNING comes back
// FAILED "interrupted; may have been signed", never signed again.
#include "actors/node_bootstrap.hpp"
#include "persistence/store_layout.hpp"
#include "tests/support/actor_system.hpp"
#include "tests/support/faulty_file_system.hpp"
#include "tests/support/job_dir.hpp"
#include "tests/support/node_commands.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

using namespace covsigner;
using namespace covsigner::messages;
using namespace std::chrono_literals;
using test_support::make_submit;
using test_support::ask;

namespace {

poll_command make_poll(const std::string& request_id, const std::string& route_request_id,
                       const std::string& digest) {
  return {"qc_v1", request_id, route_request_id, digest};
}

class CoreRebuild : public ::testing::Test {
protected:
  test_support::test_actor_system_config cfg;
  caf::actor_system system{cfg};
  test_support::temp_dir dir;
  actors::running_node node;

  void SetUp() override { start(options()); }

  virtual actors::node_options options() {
    actors::node_options options;
    options.data_dir = dir.path();
    return options;
  }

  void start(const actors::node_options& options) {
    auto started = actors::start_node(system, options);
    ASSERT_TRUE(std::holds_alternative<actors::running_node>(started))
      << std::get<std::string>(started);
    node = std::move(std::get<actors::running_node>(started));
  }

  void TearDown() override {
    if (node.node)
      actors::stop_node(system, node);
  }

  template <class Command>
  node_reply call(Command cmd) {
    auto reply = ask<node_reply>(system, node.node, 10s, std::move(cmd));
    if (!reply) {
      ADD_FAILURE() << system.render(reply.error());
      return {};
    }
    return *reply;
  }

  node_core core() {
    auto c = ask<node_core>(system, node.node, 10s, core_atom::value);
    return c ? *c : node_core{};
  }

  bool ready() {
    auto r = ask<readiness>(system, node.node, 10s, ready_atom::value);
    return r && r->ready;
  }

  /// Waits (bounded) until the node runs core `generation` and is ready.
  node_core wait_for_core(std::uint64_t generation) {
    for (int i = 0; i < 300; ++i) {
      auto c = core();
      if (c.generation >= generation && ready())
        return c;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "core generation " << generation << " never became ready";
    return core();
  }

  /// Waits (bounded) until the node runs core `generation`, ready or not.
  node_core wait_for_generation(std::uint64_t generation) {
    for (int i = 0; i < 300; ++i) {
      auto c = core();
      if (c.generation >= generation)
        return c;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "core generation " << generation << " never came";
    return core();
  }

  /// True once `handle`'s actor is gone (it was stopped, not left running
  /// beside the new core).
  template <class Handle>
  bool stopped(const Handle& handle) {
    caf::scoped_actor self{system};
    self->monitor(handle);
    bool down = false;
    self->receive([&](const caf::down_msg&) { down = true; }, caf::after(5s) >> [] {});
    return down;
  }
};

TEST_F(CoreRebuild, AStoreDeathRebuildsTheWholeCoreFromOneScan) {
  auto a = call(make_submit("rr-a", "0xa1"));
  ASSERT_EQ(a.code, reply_code::ok) << a.message;
  auto b = call(make_submit("rr-b", "0xb1"));
  ASSERT_EQ(b.code, reply_code::ok) << b.message;
  // Job b is caught in SIGNING when the core dies.
  auto old = core();
  ASSERT_EQ(old.generation, 0u);
  auto current = ask<store_result>(system, old.store, 10s, caf::get_atom::value,
                                   b.result.request_id);
  ASSERT_TRUE(current);
  covenant::job_transition signing;
  signing.state = covenant::job_state::signing;
  signing.detail = "signing";
  auto moved = ask<store_result>(system, old.store, 10s,
                                 transition_request{b.result.request_id,
                                                    current->snapshot.revision, signing});
  ASSERT_TRUE(moved);
  ASSERT_EQ(moved->code, store_code::ok) << moved->detail;

  caf::scoped_actor self{system};
  self->send_exit(old.store, caf::exit_reason::kill);
  auto now = wait_for_core(1);
  EXPECT_EQ(now.generation, 1u);
  EXPECT_NE(now.store.address(), old.store.address());
  EXPECT_NE(now.registry.address(), old.registry.address());
  EXPECT_NE(now.supervisor.address(), old.supervisor.address());
  EXPECT_TRUE(stopped(old.registry));
  EXPECT_TRUE(stopped(old.supervisor));

  // What was acknowledged before is all there: dedupe and polls.
  auto again = call(make_submit("rr-a", "0xa1"));
  ASSERT_EQ(again.code, reply_code::ok) << again.message;
  EXPECT_EQ(again.result.request_id, a.result.request_id);
  auto conflict = call(make_submit("rr-a", "0xa2"));
  EXPECT_EQ(conflict.code, reply_code::bad_request);
  auto polled = call(make_poll(a.result.request_id, "rr-a", "0xa1"));
  ASSERT_EQ(polled.code, reply_code::ok) << polled.message;
  // The SIGNING job is never signed again.
  auto interrupted = call(make_poll(b.result.request_id, "rr-b", "0xb1"));
  ASSERT_EQ(interrupted.code, reply_code::ok) << interrupted.message;
  EXPECT_EQ(interrupted.result.status, "FAILED");
  EXPECT_EQ(interrupted.result.reason, "PROVIDER_FAILED");
  EXPECT_EQ(interrupted.result.detail, "interrupted; may have been signed");
  auto published = node.published->answer(b.result.request_id);
  ASSERT_TRUE(published);
  EXPECT_EQ(published->status, "FAILED");
  // New submits are accepted again, durably.
  auto c = call(make_submit("rr-c", "0xc1"));
  ASSERT_EQ(c.code, reply_code::ok) << c.message;
  EXPECT_TRUE(std::filesystem::exists(
    persistence::store_layout::for_data_dir(dir.path()).job_file(c.result.request_id)));
}

// A host that watches the node hears of the death and of the rebuild, in
// that order, as typed events.
TEST_F(CoreRebuild, WatchersAreToldOfTheDeathAndTheRebuild) {
  caf::scoped_actor host{system};
  auto watcher = caf::actor_cast<core_watcher_actor>(host);
  host->send(node.node, watch_atom::value, watcher);
  host->send(node.node, watch_atom::value, watcher); // twice: still told once
  auto old = core();
  host->send_exit(old.registry, caf::exit_reason::kill);
  std::vector<core_event> events;
  for (int i = 0; i < 3; ++i)
    host->receive([&](core_event& e) { events.push_back(std::move(e)); },
                  caf::after(i < 2 ? 10s : 300ms) >> [] {});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, core_event_kind::down);
  EXPECT_EQ(events[0].actor, "route_registry");
  EXPECT_EQ(events[0].generation, 0u);
  EXPECT_TRUE(events[0].rebuilding);
  EXPECT_TRUE(events[0].cause.starts_with("route_registry stopped")) << events[0].cause;
  EXPECT_EQ(events[1].kind, core_event_kind::rebuilt);
  EXPECT_EQ(events[1].generation, 1u);
  EXPECT_EQ(core().generation, 1u);
}

TEST_F(CoreRebuild, ARegistryOrSupervisorDeathRebuildsToo) {
  auto a = call(make_submit("rr-a", "0xa1"));
  ASSERT_EQ(a.code, reply_code::ok) << a.message;
  caf::scoped_actor self{system};
  self->send_exit(core().registry, caf::exit_reason::kill);
  auto first = wait_for_core(1);
  EXPECT_EQ(first.generation, 1u);
  self->send_exit(first.supervisor, caf::exit_reason::kill);
  auto second = wait_for_core(2);
  EXPECT_EQ(second.generation, 2u);
  EXPECT_TRUE(stopped(first.store));
  auto again = call(make_submit("rr-a", "0xa1"));
  ASSERT_EQ(again.code, reply_code::ok) << again.message;
  EXPECT_EQ(again.result.request_id, a.result.request_id);
  auto b = call(make_submit("rr-b", "0xb1"));
  EXPECT_EQ(b.code, reply_code::ok) << b.message;
}

TEST_F(CoreRebuild, AFailedScanLeavesSubmitsRefusedAndTheNodeNotReady) {
  auto a = call(make_submit("rr-a", "0xa1"));
  ASSERT_EQ(a.code, reply_code::ok) << a.message;
  // The jobs directory is no longer a directory: the rebuild's scan fails.
  auto layout = persistence::store_layout::for_data_dir(dir.path());
  std::filesystem::rename(layout.jobs_dir(), dir.path() / "moved-away");
  std::ofstream(layout.jobs_dir()) << "not a directory";
  auto old = core();
  caf::scoped_actor self{system};
  self->send(node.node, watch_atom::value, caf::actor_cast<core_watcher_actor>(self));
  self->send_exit(old.store, caf::exit_reason::kill);
  // A watcher hears the death, then the failed rebuild.
  std::vector<core_event> events;
  for (int i = 0; i < 2; ++i)
    self->receive([&](core_event& e) { events.push_back(std::move(e)); }, caf::after(10s) >> [] {});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, core_event_kind::down);
  EXPECT_EQ(events[0].actor, "job_store");
  EXPECT_EQ(events[1].kind, core_event_kind::rebuild_failed);
  EXPECT_EQ(events[1].generation, 0u);
  EXPECT_NE(events[1].cause.find("rebuilding the store from the data dir failed"),
            std::string::npos)
    << events[1].cause;
  // Wait (bounded) for the failed rebuild to show in readiness, without
  // submitting meanwhile: a submit racing the core's death may wait for its
  // store call's timeout.
  bool reported = false;
  for (int i = 0; i < 200 && !reported; ++i) {
    auto r = ask<readiness>(system, node.node, 10s, ready_atom::value);
    for (const auto& check : r ? r->failing : std::vector<std::string>{})
      reported |= check.find("rebuilding the store from the data dir failed") != std::string::npos;
    if (!reported)
      std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(reported);
  auto refused = call(make_submit("rr-b", "0xb1"));
  EXPECT_EQ(refused.code, reply_code::unavailable);
  EXPECT_NE(refused.message.find("rebuilding the store from the data dir failed"),
            std::string::npos)
    << refused.message;
  EXPECT_FALSE(ready());
  EXPECT_EQ(core().generation, 0u);
  // Nothing was created meanwhile.
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() / "moved-away"))
    files += e.path().extension() == ".json";
  EXPECT_EQ(files, 1u);
}

// A store whose durability barriers the test can fail.
class CoreRebuildAfterAFailedFsync : public CoreRebuild {
protected:
  std::shared_ptr<test_support::barrier_plan> plan = std::make_shared<test_support::barrier_plan>();

  actors::node_options options() override {
    auto options = CoreRebuild::options();
    options.make_file_system = test_support::faulty_file_systems(plan);
    return options;
  }

};

// DESIGN.md: after a failed fsync the node refuses submits until it
// restarts. A core rebuild builds a new writer whose own latch is clear;
// the refusal must survive it, and the rescan must not serve (or resume) a
// job whose write failed: its file's state on disk is unknown.
TEST_F(CoreRebuildAfterAFailedFsync, TheRefusalSurvivesARebuildAndTheUnknownJobIsNotServed) {
  auto a = call(make_submit("rr-a", "0xa1"));
  ASSERT_EQ(a.code, reply_code::ok) << a.message;
  // A group round of one create: syncfs, fsync of the jobs dir (fails:
  // the job file is already renamed into place), fsync of routes/.
  plan->fail_nth_barrier(2, EIO);
  auto b = call(make_submit("rr-b", "0xb1"));
  EXPECT_EQ(b.code, reply_code::unavailable) << b.message;
  auto ids = test_support::job_files(dir.path());
  ASSERT_EQ(ids.size(), 2u);
  ids.erase(a.result.request_id);
  const auto b_id = *ids.begin();
  const auto failure = test_support::jobs_dir_fsync_failure(dir.path());
  const auto latched = "a durable write failed (" + failure + ")";

  caf::scoped_actor self{system};
  self->send_exit(core().store, caf::exit_reason::kill);
  auto now = wait_for_generation(1);
  EXPECT_EQ(now.generation, 1u);

  // Still refused after the rebuild: new keys, with the original cause.
  auto d = call(make_submit("rr-d", "0xd1"));
  EXPECT_EQ(d.code, reply_code::unavailable);
  EXPECT_EQ(d.message, latched + "; new submits are refused until the node restarts");
  auto r = ask<readiness>(system, node.node, 10s, ready_atom::value);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->ready);
  EXPECT_NE(std::find(r->failing.begin(), r->failing.end(),
                      "store: " + latched + "; the store refuses writes until restarted"),
            r->failing.end())
    << ::testing::PrintToString(r->failing);
  // The new store refuses writes too.
  auto current = ask<store_result>(system, now.store, 10s, caf::get_atom::value,
                                   a.result.request_id);
  ASSERT_TRUE(current);
  ASSERT_EQ(current->code, store_code::ok);
  covenant::job_transition failed;
  failed.state = covenant::job_state::failed;
  failed.reason = "POLICY_REJECTED";
  failed.detail = "must not be written";
  auto refused = ask<store_result>(system, now.store, 10s,
                                   transition_request{a.result.request_id,
                                                      current->snapshot.revision, failed});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, store_code::refused);
  EXPECT_EQ(refused->detail, latched + "; the store refuses writes until restarted");

  // The job whose create failed is on disk, but nothing serves it: its key
  // is poisoned, it is not published, its poll says why.
  auto reason = "a durable write of job " + b_id + " failed (" + failure +
                "); its file's state on disk is unknown";
  auto again = call(make_submit("rr-b", "0xb1"));
  EXPECT_EQ(again.code, reply_code::unavailable);
  EXPECT_EQ(again.message, "route key qc_v1:rr-b is poisoned (" + reason +
                             "); it may belong to a job the node already accepted, so submits "
                             "on it are refused until an operator resolves it");
  EXPECT_EQ(node.published->lookup("qc_v1:rr-b", "0xb1").outcome, dedupe_lookup::kind::unknown);
  auto polled_b = call(make_poll(b_id, "rr-b", "0xb1"));
  EXPECT_EQ(polled_b.code, reply_code::unavailable);
  EXPECT_EQ(polled_b.message, "job store: " + reason);

  // What was acknowledged before the failure is still answered.
  auto dedupe = call(make_submit("rr-a", "0xa1"));
  ASSERT_EQ(dedupe.code, reply_code::ok) << dedupe.message;
  EXPECT_EQ(dedupe.result.request_id, a.result.request_id);
  auto polled = call(make_poll(a.result.request_id, "rr-a", "0xa1"));
  EXPECT_EQ(polled.code, reply_code::ok) << polled.message;
}

} // namespace
