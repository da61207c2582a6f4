// The node's actors in a real actor_system over real files: submit, dedupe,
// conflicts, poll checks, restart, the store lock, revisions, poisoned keys
// and what happens when a core actor dies.
#include "actors/node_bootstrap.hpp"
#include "tests/support/actor_system.hpp"
#include "tests/support/node_commands.hpp"
#include "persistence/job_file.hpp"
#include "persistence/prune.hpp"
#include "persistence/store_layout.hpp"
#include "persistence/store_loader.hpp"
#include "persistence/store_lock.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <regex>
#include <set>

using namespace covsigner;
using namespace covsigner::messages;
using namespace std::chrono_literals;
using test_support::make_submit;

namespace {

class NodeActors : public ::testing::Test {
protected:
  test_support::test_actor_system_config cfg;
  caf::actor_system system{cfg};
  test_support::temp_dir dir;
  actors::running_node node;

  void SetUp() override { start(); }
  void TearDown() override { stop(); }

  void start() {
    actors::node_options options;
    options.data_dir = dir.path();
    auto started = actors::start_node(system, options);
    ASSERT_TRUE(std::holds_alternative<actors::running_node>(started))
      << std::get<std::string>(started);
    node = std::move(std::get<actors::running_node>(started));
  }

  void stop() {
    if (node.node)
      actors::stop_node(system, node);
  }

  node_reply ask(submit_command cmd) {
    node_reply reply;
    caf::scoped_actor self{system};
    self->request(node.node, 10s, std::move(cmd))
      .receive([&](node_reply& r) { reply = std::move(r); },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
    return reply;
  }

  node_reply ask(poll_command cmd) {
    node_reply reply;
    caf::scoped_actor self{system};
    self->request(node.node, 10s, std::move(cmd))
      .receive([&](node_reply& r) { reply = std::move(r); },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
    return reply;
  }

  std::filesystem::path job_file(const std::string& id) {
    return persistence::store_layout::for_data_dir(dir.path()).job_file(id);
  }
};

} // namespace

TEST_F(NodeActors, SubmitCreatesADurableJobAndAnswersPending) {
  auto reply = ask(make_submit("rr-1", "0xd1"));
  ASSERT_EQ(reply.code, reply_code::ok) << reply.message;
  EXPECT_EQ(reply.result.status, "PENDING");
  EXPECT_EQ(reply.result.detail, "accepted for covenant signing");
  EXPECT_TRUE(std::regex_match(reply.result.request_id, std::regex("kcs_qc_[0-9a-f]{16}")))
    << reply.result.request_id;
  EXPECT_TRUE(std::filesystem::exists(job_file(reply.result.request_id)));
}

TEST_F(NodeActors, SelfV1JobsGetTheSelfPrefix) {
  auto reply = ask(make_submit("rr-self", "0xd1", "self_v1"));
  ASSERT_EQ(reply.code, reply_code::ok);
  EXPECT_TRUE(std::regex_match(reply.result.request_id, std::regex("kcs_self_[0-9a-f]{16}")));
}

TEST_F(NodeActors, IdenticalResubmitAnswersTheSameJob) {
  auto first = ask(make_submit("rr-dup", "0xd1"));
  auto second = ask(make_submit("rr-dup", "0xd1"));
  ASSERT_EQ(second.code, reply_code::ok);
  EXPECT_EQ(first.result.request_id, second.result.request_id);
}

TEST_F(NodeActors, SameRouteRequestIdOnAnotherRouteIsAnotherJob) {
  auto qc = ask(make_submit("rr-x", "0xd1", "qc_v1"));
  auto self = ask(make_submit("rr-x", "0xd1", "self_v1"));
  EXPECT_NE(qc.result.request_id, self.result.request_id);
}

TEST_F(NodeActors, DifferentPayloadOnTheSameKeyIsAConflict) {
  ask(make_submit("rr-c", "0xd1"));
  auto reply = ask(make_submit("rr-c", "0xd2"));
  EXPECT_EQ(reply.code, reply_code::bad_request);
  EXPECT_EQ(reply.message, "routeRequestId already exists with a different request payload");
}

TEST_F(NodeActors, ConcurrentDuplicatesAllReceiveTheSameDurableId) {
  constexpr int n = 64;
  caf::scoped_actor self{system};
  for (int i = 0; i < n; ++i)
    self->send(node.node, make_submit("rr-storm", "0xd1"));
  std::set<std::string> ids;
  int answered = 0;
  self->receive_for(answered, n)([&](node_reply& r) {
    EXPECT_EQ(r.code, reply_code::ok) << r.message;
    ids.insert(r.result.request_id);
  });
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(job_file(*ids.begin())));
  std::size_t files = 0;
  for (auto& entry : std::filesystem::directory_iterator(
         persistence::store_layout::for_data_dir(dir.path()).jobs_dir()))
    files += entry.path().extension() == ".json";
  EXPECT_EQ(files, 1u);
}

TEST_F(NodeActors, PollAnswersTheStoredJobAndChecksOwnership) {
  auto created = ask(make_submit("rr-p", "0xd1"));
  auto id = created.result.request_id;
  auto ok = ask(poll_command{"qc_v1", id, "rr-p", "0xd1"});
  ASSERT_EQ(ok.code, reply_code::ok);
  EXPECT_EQ(ok.result.request_id, id);
  EXPECT_EQ(ok.result.status, "PENDING");

  auto other_route = ask(poll_command{"self_v1", id, "rr-p", "0xd1"});
  EXPECT_EQ(other_route.code, reply_code::not_found);
  EXPECT_EQ(other_route.message, "covenant signer job not found");
  auto unknown = ask(poll_command{"qc_v1", "kcs_qc_0000000000000000", "rr-p", "0xd1"});
  EXPECT_EQ(unknown.code, reply_code::not_found);
  auto wrong_rr = ask(poll_command{"qc_v1", id, "rr-other", "0xd1"});
  EXPECT_EQ(wrong_rr.code, reply_code::bad_request);
  EXPECT_EQ(wrong_rr.message, "routeRequestId does not match stored job");
  auto wrong_digest = ask(poll_command{"qc_v1", id, "rr-p", "0xd2"});
  EXPECT_EQ(wrong_digest.code, reply_code::bad_request);
  EXPECT_EQ(wrong_digest.message, "request does not match stored job payload");
}

TEST_F(NodeActors, JobsSurviveARestartAndStillDedupe) {
  auto created = ask(make_submit("rr-r", "0xd1"));
  stop();
  start();
  auto poll = ask(poll_command{"qc_v1", created.result.request_id, "rr-r", "0xd1"});
  ASSERT_EQ(poll.code, reply_code::ok) << poll.message;
  EXPECT_EQ(poll.result.status, "PENDING");
  auto again = ask(make_submit("rr-r", "0xd1"));
  EXPECT_EQ(again.result.request_id, created.result.request_id);
}

TEST_F(NodeActors, ASecondNodeOnTheSameDataDirIsRefusedByTheLock) {
  actors::node_options options;
  options.data_dir = dir.path();
  auto second = actors::start_node(system, options);
  ASSERT_TRUE(std::holds_alternative<std::string>(second));
  auto message = std::get<std::string>(second);
  EXPECT_NE(message.find("lock"), std::string::npos) << message;
  EXPECT_NE(message.find(dir.path().string()), std::string::npos) << message;
}

TEST_F(NodeActors, StoreRefusesStaleAndTerminalTransitions) {
  auto created = ask(make_submit("rr-t", "0xd1"));
  auto id = created.result.request_id;
  caf::scoped_actor self{system};
  auto transit = [&](std::uint64_t from, covenant::job_state to) {
    store_result out;
    covenant::job_transition t;
    t.state = to;
    t.detail = "d";
    self->request(node.store, 10s, transition_request{id, from, t})
      .receive([&](store_result& r) { out = std::move(r); },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
    return out;
  };
  store_result current;
  self->request(node.store, 10s, caf::get_atom::value, id)
    .receive([&](store_result& r) { current = r; }, [&](caf::error&) {});
  auto rev = current.snapshot.revision;
  auto failed = transit(rev, covenant::job_state::failed);
  ASSERT_EQ(failed.code, store_code::ok);
  EXPECT_EQ(failed.snapshot.revision, rev + 1);
  EXPECT_FALSE(failed.snapshot.job.failed_at.empty());
  auto stale = transit(rev, covenant::job_state::pending);
  EXPECT_EQ(stale.code, store_code::terminal);
  EXPECT_EQ(stale.snapshot.job.state, covenant::job_state::failed);
}

// The store enforces the state machine whoever asks: nothing leaves a
// terminal state, a signed state (ARTIFACT_READY, HANDOFF_READY) is reached
// only from SIGNING, and a job that may have been signed (SIGNING) only
// ends (READY or FAILED): it never goes back to a state a session runs.
TEST_F(NodeActors, TheStoreEnforcesTheStateMachine) {
  auto created = ask(make_submit("rr-sm", "0xd1"));
  ASSERT_EQ(created.code, reply_code::ok) << created.message;
  auto id = created.result.request_id;
  caf::scoped_actor self{system};
  auto current = [&] {
    store_result out;
    self->request(node.store, 10s, caf::get_atom::value, id)
      .receive([&](store_result& r) { out = std::move(r); },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
    return out;
  };
  auto transit = [&](covenant::job_state to) {
    store_result out;
    covenant::job_transition t;
    t.state = to;
    t.detail = "d";
    t.transaction_hex = to == covenant::job_state::artifact_ready ? "00" : "";
    self->request(node.store, 10s, transition_request{id, current().snapshot.revision, t})
      .receive([&](store_result& r) { out = std::move(r); },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
    return out;
  };
  auto on_disk = [&] {
    std::ifstream in(job_file(id));
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  // The passive session accepted it: PENDING.
  auto before = current();
  ASSERT_EQ(before.snapshot.job.state, covenant::job_state::pending);
  const auto file_before = on_disk();
  for (auto signed_state : {covenant::job_state::artifact_ready, covenant::job_state::handoff_ready}) {
    auto skipped = transit(signed_state);
    EXPECT_EQ(skipped.code, store_code::forbidden);
    EXPECT_EQ(skipped.detail, "job " + id + ": transition PENDING -> " +
                                std::string{covenant::to_string(signed_state)} +
                                " is not allowed (a signed state is reached only from SIGNING)");
    EXPECT_EQ(skipped.snapshot.revision, before.snapshot.revision);
    EXPECT_EQ(skipped.snapshot.job.state, covenant::job_state::pending);
  }
  auto resubmitted = transit(covenant::job_state::submitted);
  EXPECT_EQ(resubmitted.code, store_code::forbidden);
  EXPECT_EQ(resubmitted.detail, "job " + id + ": transition PENDING -> SUBMITTED is not allowed "
                                "(SUBMITTED is only the state a job is created in)");
  EXPECT_EQ(on_disk(), file_before);
  EXPECT_EQ(current().snapshot.revision, before.snapshot.revision);

  ASSERT_EQ(transit(covenant::job_state::signing).code, store_code::ok);
  for (auto back : {covenant::job_state::pending, covenant::job_state::validating}) {
    auto undone = transit(back);
    EXPECT_EQ(undone.code, store_code::forbidden);
    EXPECT_EQ(undone.detail, "job " + id + ": transition SIGNING -> " +
                               std::string{covenant::to_string(back)} +
                               " is not allowed (a job in SIGNING may have been signed: it only "
                               "ends, READY or FAILED)");
    EXPECT_EQ(undone.snapshot.job.state, covenant::job_state::signing);
  }
  EXPECT_EQ(current().snapshot.job.state, covenant::job_state::signing);
  auto ready = transit(covenant::job_state::artifact_ready);
  ASSERT_EQ(ready.code, store_code::ok) << ready.detail;
  EXPECT_EQ(ready.snapshot.job.state, covenant::job_state::artifact_ready);
  auto after = transit(covenant::job_state::failed);
  EXPECT_EQ(after.code, store_code::terminal);
  EXPECT_EQ(after.snapshot.job.state, covenant::job_state::artifact_ready);
}

TEST_F(NodeActors, ATransitionFromAnOldRevisionIsStale) {
  auto created = ask(make_submit("rr-s", "0xd1"));
  auto id = created.result.request_id;
  caf::scoped_actor self{system};
  store_result current;
  self->request(node.store, 10s, caf::get_atom::value, id)
    .receive([&](store_result& r) { current = r; }, [&](caf::error&) {});
  covenant::job_transition t;
  t.state = covenant::job_state::pending;
  t.detail = "newer";
  store_result out;
  self->request(node.store, 10s, transition_request{id, current.snapshot.revision - 1, t})
    .receive([&](store_result& r) { out = r; }, [&](caf::error&) {});
  EXPECT_EQ(out.code, store_code::stale);
  EXPECT_EQ(out.snapshot.revision, current.snapshot.revision);
}

TEST_F(NodeActors, WithoutARebuildSubmitsStayRefusedOnceTheStoreDies) {
  // A node embedded over the core without a way to rebuild it (no
  // core_options): a dead store refuses submits and readiness for good.
  auto bare = system.spawn(actors::node, node.store, node.registry, node.supervisor,
                           actors::node_timeouts{}, actors::node_chain_readers{},
                           std::optional<actors::core_options>{});
  caf::scoped_actor self{system};
  self->send_exit(node.store, caf::exit_reason::kill);
  std::this_thread::sleep_for(100ms);
  node_reply reply;
  self->request(bare, 10s, make_submit("rr-dead", "0xd1"))
    .receive([&](node_reply& r) { reply = std::move(r); }, [&](caf::error&) {});
  EXPECT_EQ(reply.code, reply_code::unavailable);
  EXPECT_NE(reply.message.find("job_store stopped"), std::string::npos) << reply.message;
  readiness r;
  self->request(bare, 10s, ready_atom::value)
    .receive([&](readiness& x) { r = x; }, [&](caf::error&) {});
  EXPECT_FALSE(r.ready);
  poll_command poll;
  poll.route = "qc_v1";
  poll.request_id = "kcs_qc_0000000000000001";
  self->request(bare, 10s, poll).receive([&](node_reply& x) { reply = std::move(x); },
                                         [&](caf::error&) {});
  EXPECT_EQ(reply.code, reply_code::unavailable) << reply.message;
  self->send_exit(bare, caf::exit_reason::user_shutdown);
}

TEST_F(NodeActors, ReadyWhenTheStoreIsLoadedAndAcceptingWrites) {
  caf::scoped_actor self{system};
  readiness r;
  self->request(node.node, 10s, ready_atom::value)
    .receive([&](readiness& x) { r = x; }, [&](caf::error&) {});
  EXPECT_TRUE(r.ready);
  EXPECT_TRUE(r.failing.empty());
}

TEST_F(NodeActors, ACorruptJobFilePoisonsItsRouteKeyAfterRestart) {
  stop();
  auto layout = persistence::store_layout::for_data_dir(dir.path());
  // A torn write: the readable prefix still names the route key.
  std::ofstream(layout.job_file("kcs_qc_00000000000000aa"))
    << R"({"requestId":"kcs_qc_00000000000000aa","routeRequestId":"rr-torn","route":"qc_v1","idem)";
  start();
  auto reply = ask(make_submit("rr-torn", "0xd1"));
  EXPECT_EQ(reply.code, reply_code::unavailable);
  EXPECT_NE(reply.message.find("qc_v1:rr-torn"), std::string::npos) << reply.message;
  auto other = ask(make_submit("rr-fine", "0xd1"));
  EXPECT_EQ(other.code, reply_code::ok);
}

TEST_F(NodeActors, AHundredConcurrentSubmitsOnAPoisonedKeyCreateNoJob) {
  stop();
  auto layout = persistence::store_layout::for_data_dir(dir.path());
  std::ofstream(layout.job_file("kcs_qc_00000000000000ab"))
    << R"({"requestId":"kcs_qc_00000000000000ab","routeRequestId":"rr-poison","route":"qc_v1","x)";
  start();
  constexpr int n = 100;
  caf::scoped_actor self{system};
  for (int i = 0; i < n; ++i)
    self->send(node.node, make_submit("rr-poison", "0xd" + std::to_string(i % 3)));
  int answered = 0;
  self->receive_for(answered, n)([&](node_reply& r) {
    EXPECT_EQ(r.code, reply_code::unavailable) << r.message;
    EXPECT_NE(r.message.find("qc_v1:rr-poison"), std::string::npos) << r.message;
  });
  std::size_t files = 0;
  for (auto& entry : std::filesystem::directory_iterator(layout.jobs_dir()))
    files += entry.path().extension() == ".json";
  EXPECT_EQ(files, 0u); // the torn file is in quarantine/, and nothing new
}

TEST_F(NodeActors, ASupersededDuplicateIsUnreachableByItsRequestId) {
  auto created = ask(make_submit("rr-dup", "0xd1"));
  ASSERT_EQ(created.code, reply_code::ok) << created.message;
  auto winner = created.result.request_id;
  stop();
  // A second file for the same route key, older: the load keeps the newer
  // one and quarantines this one.
  std::ifstream in(job_file(winner));
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  auto decoded = persistence::decode_job_file(bytes);
  ASSERT_TRUE(std::holds_alternative<covenant::job>(decoded));
  auto loser = std::get<covenant::job>(decoded);
  loser.request_id = "kcs_qc_00000000000000fe";
  loser.created_at = loser.updated_at = "2020-01-01T00:00:00Z";
  std::ofstream(job_file(loser.request_id)) << persistence::encode_job_file(loser);
  start();
  auto superseded = ask(poll_command{"qc_v1", loser.request_id, "rr-dup", "0xd1"});
  EXPECT_EQ(superseded.code, reply_code::not_found) << superseded.message;
  auto kept = ask(poll_command{"qc_v1", winner, "rr-dup", "0xd1"});
  EXPECT_EQ(kept.code, reply_code::ok) << kept.message;
  auto again = ask(make_submit("rr-dup", "0xd1"));
  EXPECT_EQ(again.result.request_id, winner);
  EXPECT_FALSE(std::filesystem::exists(job_file(loser.request_id)));
}

TEST_F(NodeActors, AJobFoundSigningAfterRestartIsFailedAsInterrupted) {
  auto created = ask(make_submit("rr-sig", "0xd1"));
  auto id = created.result.request_id;
  stop();
  // Rewrite the job as the crash left it: SIGNING.
  std::ifstream in(job_file(id));
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  auto decoded = persistence::decode_job_file(bytes);
  ASSERT_TRUE(std::holds_alternative<covenant::job>(decoded));
  auto job = std::get<covenant::job>(decoded);
  job.state = covenant::job_state::signing;
  std::ofstream(job_file(id), std::ios::trunc) << persistence::encode_job_file(job);
  start();
  auto poll = ask(poll_command{"qc_v1", id, "rr-sig", "0xd1"});
  ASSERT_EQ(poll.code, reply_code::ok) << poll.message;
  EXPECT_EQ(poll.result.status, "FAILED");
  EXPECT_EQ(poll.result.reason, "PROVIDER_FAILED");
  EXPECT_EQ(poll.result.detail, "interrupted; may have been signed");
  auto again = ask(make_submit("rr-sig", "0xd1"));
  EXPECT_EQ(again.result.status, "FAILED");
}

TEST_F(NodeActors, APrunedKeyNeverReopensAndSaysItWasPruned) {
  auto created = ask(make_submit("rr-pr", "0xd1"));
  ASSERT_EQ(created.code, reply_code::ok) << created.message;
  auto id = created.result.request_id;
  caf::scoped_actor self{system};
  store_result current;
  self->request(node.store, 10s, caf::get_atom::value, id)
    .receive([&](store_result& r) { current = r; }, [&](caf::error&) {});
  covenant::job_transition failed;
  failed.state = covenant::job_state::failed;
  failed.reason = "POLICY_REJECTED";
  failed.detail = "refused";
  store_result done;
  self->request(node.store, 10s, transition_request{id, current.snapshot.revision, failed})
    .receive([&](store_result& r) { done = r; }, [&](caf::error&) {});
  ASSERT_EQ(done.code, store_code::ok) << done.detail;
  stop();
  {
    // covsignerctl store prune, as an operator runs it with the node down.
    auto lock = persistence::store_lock::open(dir.path());
    ASSERT_TRUE(std::holds_alternative<persistence::store_lock>(lock));
    persistence::posix_file_system fs;
    auto layout = persistence::store_layout::for_data_dir(dir.path());
    auto loaded = persistence::load_store(fs, layout);
    ASSERT_TRUE(std::holds_alternative<persistence::loaded_store>(loaded));
    auto ops = persistence::plan_prune(
      std::get<persistence::loaded_store>(loaded).jobs,
      std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now() +
                                                              std::chrono::hours(1)),
      std::chrono::minutes(1));
    ASSERT_EQ(ops.size(), 1u);
    ASSERT_TRUE(std::holds_alternative<std::vector<persistence::tombstone>>(
      persistence::prune_jobs(fs, layout, ops)));
  }
  start();
  // Same payload: a clear, final answer (not a retriable 503, never a new job).
  auto again = ask(make_submit("rr-pr", "0xd1"));
  EXPECT_EQ(again.code, reply_code::bad_request);
  EXPECT_EQ(again.message, "routeRequestId qc_v1:rr-pr belongs to a job that ended FAILED and was "
                           "pruned (requestId " + id + "); the job is no longer stored");
  auto other = ask(make_submit("rr-pr", "0xd2"));
  EXPECT_EQ(other.code, reply_code::bad_request);
  EXPECT_EQ(other.message, "routeRequestId already exists with a different request payload");
  auto poll = ask(poll_command{"qc_v1", id, "rr-pr", "0xd1"});
  EXPECT_EQ(poll.code, reply_code::not_found);
  EXPECT_FALSE(std::filesystem::exists(job_file(id)));
}

namespace {

// A supervisor whose sessions never settle (a signer that hangs).
session_supervisor_actor::behavior_type silent_supervisor() {
  return {
    [](session_start&) -> caf::result<job_snapshot> {
      return caf::delegated<job_snapshot>{}; // never answered
    },
    [](status_atom) { return supervisor_status{}; },
  };
}

} // namespace

// A registry that takes claims and never answers them (as one that dies
// holding them).
route_registry_actor::behavior_type silent_registry() {
  return {
    [](route_claim&) -> caf::result<claim_result> { return caf::delegated<claim_result>{}; },
    [](lookup_atom, const std::string&) { return route_owner{}; },
    [](status_atom) { return registry_status{}; },
  };
}

TEST_F(NodeActors, ASubmitHeldByACoreActorThatDiesIsAnsweredAtOnce) {
  auto registry = test_support::spawn_without_arguments(system, silent_registry);
  auto bare = system.spawn(actors::node, node.store, registry, node.supervisor,
                           actors::node_timeouts{}, actors::node_chain_readers{},
                           std::optional<actors::core_options>{});
  caf::scoped_actor self{system};
  auto reply = std::async(std::launch::async, [&] {
    return test_support::ask<node_reply>(system, bare, 10s, make_submit("rr-held", "0xd1"));
  });
  std::this_thread::sleep_for(200ms); // the claim reaches the registry
  auto killed = std::chrono::steady_clock::now();
  self->send_exit(registry, caf::exit_reason::kill);
  auto answered = reply.get();
  // Without this, the submit waits for the node's 30 s store timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - killed, 2s);
  ASSERT_TRUE(answered) << system.render(answered.error());
  EXPECT_EQ(answered->code, reply_code::unavailable);
  EXPECT_NE(answered->message.find("route_registry stopped"), std::string::npos)
    << answered->message;
  self->send_exit(bare, caf::exit_reason::user_shutdown);
}

TEST_F(NodeActors, ASubmitAnswersPendingWithinTheCallersWaitBound) {
  auto supervisor = test_support::spawn_without_arguments(system, silent_supervisor);
  auto slow_node = system.spawn(actors::node, node.store, node.registry, supervisor,
                                actors::node_timeouts{}, actors::node_chain_readers{},
                                std::optional<actors::core_options>{});
  auto cmd = make_submit("rr-wait", "0xd1");
  cmd.wait_ms = 200;
  caf::scoped_actor self{system};
  auto started = std::chrono::steady_clock::now();
  node_reply reply;
  self->request(slow_node, 10s, std::move(cmd))
    .receive([&](node_reply& r) { reply = std::move(r); },
             [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(reply.code, reply_code::ok) << reply.message;
  EXPECT_EQ(reply.result.status, "PENDING");
  EXPECT_FALSE(reply.result.request_id.empty());
  // The node's own bound is 25 s; the caller asked for 200 ms.
  EXPECT_LT(took, 5s);
  EXPECT_GE(took, 150ms);
  self->send_exit(slow_node, caf::exit_reason::user_shutdown);
  self->send_exit(supervisor, caf::exit_reason::user_shutdown);
}

TEST_F(NodeActors, DurableJobsArePublishedForTheDedupeFastPath) {
  ASSERT_TRUE(node.published);
  EXPECT_EQ(node.published->lookup("qc_v1:rr-pub", "0xd1").outcome,
            dedupe_lookup::kind::unknown);
  auto created = ask(make_submit("rr-pub", "0xd1"));
  ASSERT_EQ(created.code, reply_code::ok) << created.message;
  auto hit = node.published->lookup("qc_v1:rr-pub", "0xd1");
  ASSERT_EQ(hit.outcome, dedupe_lookup::kind::existing);
  EXPECT_EQ(hit.answer->request_id, created.result.request_id);
  // Byte for byte what the node's own answer renders to.
  EXPECT_EQ(hit.answer->response_json, covenant::to_response_json(created.result));
  EXPECT_EQ(node.published->lookup("qc_v1:rr-pub", "0xd2").outcome,
            dedupe_lookup::kind::conflict);
  EXPECT_EQ(node.published->lookup("self_v1:rr-pub", "0xd1").outcome,
            dedupe_lookup::kind::unknown);
}

TEST_F(NodeActors, PublishedAnswersFollowDurableTransitionsAndRestarts) {
  auto created = ask(make_submit("rr-pub2", "0xd1"));
  auto id = created.result.request_id;
  caf::scoped_actor self{system};
  store_result current;
  self->request(node.store, 10s, caf::get_atom::value, id)
    .receive([&](store_result& r) { current = r; }, [&](caf::error&) {});
  covenant::job_transition t;
  t.state = covenant::job_state::failed;
  t.reason = "POLICY_REJECTED";
  t.detail = "published after the write";
  store_result out;
  self->request(node.store, 10s, transition_request{id, current.snapshot.revision, t})
    .receive([&](store_result& r) { out = r; }, [&](caf::error&) {});
  ASSERT_EQ(out.code, store_code::ok);
  auto after = node.published->answer(id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, "FAILED");
  EXPECT_EQ(after->response_json, covenant::to_response_json(covenant::to_step_result(out.snapshot.job)));
  stop();
  start();
  auto reloaded = node.published->lookup("qc_v1:rr-pub2", "0xd1");
  ASSERT_EQ(reloaded.outcome, dedupe_lookup::kind::existing);
  EXPECT_EQ(reloaded.answer->response_json, after->response_json);
}

TEST_F(NodeActors, UnattributableCorruptionRefusesNewKeysButStillAnswersDedupeHits) {
  auto created = ask(make_submit("rr-keep", "0xd1"));
  ASSERT_EQ(created.code, reply_code::ok);
  stop();
  auto layout = persistence::store_layout::for_data_dir(dir.path());
  // Nothing readable names a route key: the corruption is unattributable.
  std::ofstream(layout.job_file("kcs_qc_00000000000000bb")) << "\x01garbage";
  start();
  auto hit = ask(make_submit("rr-keep", "0xd1"));
  ASSERT_EQ(hit.code, reply_code::ok) << hit.message;
  EXPECT_EQ(hit.result.request_id, created.result.request_id);
  auto fresh = ask(make_submit("rr-new-after-corruption", "0xd1"));
  EXPECT_EQ(fresh.code, reply_code::unavailable);
  EXPECT_NE(fresh.message.find("name no route key"), std::string::npos) << fresh.message;
}
