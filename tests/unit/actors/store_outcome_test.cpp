// Issue 20 item 5: a create whose outcome the route registry does not learn
// in time (a write round slower than the store timeout), or learns as a
// failure after the bytes may have reached the disk (a failed fsync), is
// reconciled with the store instead of guessed: durable -> the key is live
// and the job gets a session; nothing written -> the key is free ("job was
// not created"); unknown -> the key is poisoned with that cause.
#include "actors/node_bootstrap.hpp"
#include "persistence/store_layout.hpp"
#include "tests/support/actor_system.hpp"
#include "tests/support/faulty_file_system.hpp"
#include "tests/support/job_dir.hpp"
#include "tests/support/node_commands.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

using namespace covsigner;
using namespace covsigner::messages;
using namespace std::chrono_literals;
using test_support::ask;
using test_support::make_submit;

namespace {

constexpr auto store_timeout = 300ms;

class StoreOutcome : public ::testing::Test {
protected:
  test_support::test_actor_system_config cfg;
  caf::actor_system system{cfg};
  test_support::temp_dir dir;
  std::shared_ptr<test_support::barrier_plan> plan = std::make_shared<test_support::barrier_plan>();
  actors::running_node node;

  void SetUp() override {
    actors::node_options options;
    options.data_dir = dir.path();
    options.make_file_system = test_support::faulty_file_systems(plan);
    options.timeouts.store = store_timeout;
    auto started = actors::start_node(system, options);
    ASSERT_TRUE(std::holds_alternative<actors::running_node>(started))
      << std::get<std::string>(started);
    node = std::move(std::get<actors::running_node>(started));
  }

  void TearDown() override {
    plan->release(); // a stalled round must end before the store can stop
    if (node.node)
      actors::stop_node(system, node);
  }

  node_reply submit(const std::string& route_request_id, const std::string& digest) {
    auto reply = ask<node_reply>(system, node.node, 10s, make_submit(route_request_id, digest));
    if (!reply) {
      ADD_FAILURE() << system.render(reply.error());
      return {};
    }
    return *reply;
  }


  /// The one job file's request id, once it is there (bounded).
  std::string wait_for_job_file() {
    for (int i = 0; i < 200; ++i) {
      if (auto ids = test_support::job_files(dir.path()); ids.size() == 1)
        return *ids.begin();
      std::this_thread::sleep_for(25ms);
    }
    ADD_FAILURE() << "no job file appeared";
    return {};
  }

  store_result stored(const std::string& id) {
    auto r = ask<store_result>(system, node.store, 10s, caf::get_atom::value, id);
    return r ? *r : store_result{store_code::not_found, {}, system.render(r.error())};
  }

  std::string fsync_failure() const {
    return test_support::jobs_dir_fsync_failure(dir.path());
  }

  static std::string poisoned(const std::string& key, const std::string& reason) {
    return "route key " + key + " is poisoned (" + reason +
           "); it may belong to a job the node already accepted, so submits on it are refused "
           "until an operator resolves it";
  }
};

// The round takes longer than the store timeout and then succeeds: the
// client is told the outcome is not known yet; once the round ends the key
// is live, the job gets its session, and a retry is a dedupe hit.
TEST_F(StoreOutcome, ACreateSlowerThanTheStoreTimeoutBecomesLiveWithASession) {
  plan->stall();
  auto started = std::chrono::steady_clock::now();
  auto first = submit("rr-slow", "0xd1");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_EQ(first.code, reply_code::unavailable);
  EXPECT_GT(plan->stalled(), 0u); // the round was still open when the client was answered
  plan->release();
  const auto id = wait_for_job_file();
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(first.message, "the outcome of creating job " + id +
                             " for route key qc_v1:rr-slow is not known yet (the job store did "
                             "not answer within 300 ms); retry later");

  // Reconciled: the retry is answered with the durable job (bounded wait).
  node_reply again;
  for (int i = 0; i < 100; ++i) {
    again = submit("rr-slow", "0xd1");
    if (again.code == reply_code::ok)
      break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(again.code, reply_code::ok) << again.message;
  EXPECT_EQ(again.result.request_id, id);
  // Its session ran (the passive engine: SUBMITTED -> PENDING).
  store_result job;
  for (int i = 0; i < 100; ++i) {
    job = stored(id);
    if (job.snapshot.job.state == covenant::job_state::pending)
      break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(job.code, store_code::ok) << job.detail;
  EXPECT_EQ(job.snapshot.job.state, covenant::job_state::pending);
  EXPECT_EQ(job.snapshot.revision, 2u);
  EXPECT_EQ(node.published->lookup("qc_v1:rr-slow", "0xd1").outcome,
            dedupe_lookup::kind::existing);
}

// The round fails after the job file was renamed into place: the reply
// must not say "job was not created"; the key is poisoned with the cause.
TEST_F(StoreOutcome, ACreateWhoseFsyncFailedIsPoisonedNotReportedAsNotCreated) {
  plan->fail_nth_barrier(2, EIO); // syncfs ok; fsync of the jobs dir fails
  auto first = submit("rr-b", "0xb1");
  const auto id = wait_for_job_file();
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(std::filesystem::exists(test_support::layout_of(dir.path()).job_file(id)));
  const auto expected = poisoned("qc_v1:rr-b", "a durable write of job " + id + " failed (" +
                                                 fsync_failure() +
                                                 "); its file's state on disk is unknown");
  EXPECT_EQ(first.code, reply_code::unavailable);
  EXPECT_EQ(first.message, expected);
  auto again = submit("rr-b", "0xb1");
  EXPECT_EQ(again.code, reply_code::unavailable);
  EXPECT_EQ(again.message, expected);
  // A new key: nothing is written for it, and the reply says so.
  auto other = submit("rr-c", "0xc1");
  EXPECT_EQ(other.code, reply_code::unavailable);
  EXPECT_EQ(other.message, "a durable write failed (" + fsync_failure() +
                             "); new submits are refused until the node restarts");
  EXPECT_EQ(test_support::job_files(dir.path()).size(), 1u);
}

// Slower than the store timeout, and then the round fails: reconciled to
// "unknown", the key stays poisoned with the failure as its cause.
TEST_F(StoreOutcome, ASlowCreateThatThenFailsIsPoisonedWithItsCause) {
  plan->stall();
  plan->fail_nth_barrier(2, EIO);
  auto first = submit("rr-sf", "0xe1");
  EXPECT_EQ(first.code, reply_code::unavailable);
  plan->release();
  const auto id = wait_for_job_file();
  ASSERT_FALSE(id.empty());
  const auto expected = poisoned("qc_v1:rr-sf", "a durable write of job " + id + " failed (" +
                                                  fsync_failure() +
                                                  "); its file's state on disk is unknown");
  node_reply again;
  for (int i = 0; i < 100; ++i) {
    again = submit("rr-sf", "0xe1");
    if (again.message == expected)
      break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(again.code, reply_code::unavailable);
  EXPECT_EQ(again.message, expected);
  EXPECT_EQ(node.published->lookup("qc_v1:rr-sf", "0xe1").outcome, dedupe_lookup::kind::unknown);
}

} // namespace
