// The CovenantSpendAuthorization gate in the node's sessions, over the
// fixture chain (SIMULATED registry entries and simulated faults): a spend
// the registry does not hold waits and fails POLICY_REJECTED naming its
// tuple, unsigned; an unreachable registry (fault switch) signs nothing and
// shows in the reader's breaker; a job waiting at a restart resumes and is
// signed once; the gate switched off signs without it. The same rules on a
// real chain: tests/integration/covsignerd_spend_authorization_test.cpp.
#include "tests/support/signing_node.hpp"

#include "actors/signing_session.hpp"
#include "covenant/spend_authorization.hpp"

using namespace covsigner;
using namespace covsigner::messages;
using namespace std::chrono_literals;

namespace {

class SpendAuthorizationGate : public test_support::signing_node_fixture {
protected:
  // A gate that gives up after 1.5 s (three quarters of 2 s).
  actors::node_options gated_options(bool authorized) {
    auto options = signing_options();
    std::ofstream(options.chain->fixture_file)
      << test_support::fixture_chain_json({{&self_v1, 6}, {&qc_v1, 6}}, authorized);
    options.sessions.session_timeout = 2000ms;
    return options;
  }

  breaker_status reader_status() {
    breaker_status out;
    caf::scoped_actor self{system};
    self->request(node.spend_authorization_reader, 5s, status_atom::value)
      .receive([&](breaker_status& s) { out = std::move(s); },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
    return out;
  }
};

} // namespace

TEST_F(SpendAuthorizationGate, AnUnauthorizedSpendWaitsUnsignedThenFailsNamingItsTuple) {
  start(gated_options(false));
  const auto began = std::chrono::steady_clock::now();
  for (auto [funded, route] : {std::pair{&self_v1, "self_v1"}, std::pair{&qc_v1, "qc_v1"}}) {
    SCOPED_TRACE(route);
    auto reply = submit(funded->request, route, std::string("ors_gate_") + route, 300);
    ASSERT_EQ(reply.code, reply_code::ok) << reply.message;
    EXPECT_EQ(reply.result.status, "PENDING");
    EXPECT_EQ(stored(reply.result.request_id).snapshot.job.state, covenant::job_state::submitted);
    ASSERT_TRUE(wait_for_state(reply.result.request_id, covenant::job_state::failed));
    const auto& job = stored(reply.result.request_id).snapshot.job;
    EXPECT_EQ(job.reason, covenant::failure_reason::policy_rejected);
    covenant::job request_job;
    request_job.route = route;
    request_job.request_json = boost::json::serialize(funded->request);
    const auto tuple = std::get<covenant::spend_authorization>(
      covenant::spend_authorization_of_request(request_job));
    EXPECT_EQ(job.detail.rfind(actors::spend_not_authorized_detail, 0), 0u) << job.detail;
    EXPECT_NE(job.detail.find("(" + covenant::describe(tuple) + ")"), std::string::npos)
      << job.detail;
    EXPECT_NE(job.detail.find("the fixture chain holds no such authorization"), std::string::npos)
      << job.detail;
  }
  // Each waited for the gate's 1.5 s before it failed.
  EXPECT_GE(std::chrono::steady_clock::now() - began, 3000ms);
  EXPECT_TRUE(audit_entries().empty());
  EXPECT_EQ(reader_status().state, "closed"); // "no" is an answer, not a failure
}

TEST_F(SpendAuthorizationGate, AnUnreachableRegistrySignsNothingAndOpensItsBreaker) {
  auto options = gated_options(true);
  options.spend_authorization.breaker.failure_threshold = 2;
  start(options);
  node.chain_faults->set(chain::fault_mode::fail, 0ms, "CovenantSpendAuthorization");
  auto reply = submit(self_v1.request, "self_v1", "ors_gate_down", 300);
  ASSERT_EQ(reply.code, reply_code::ok) << reply.message;
  EXPECT_EQ(reply.result.status, "PENDING");
  ASSERT_TRUE(wait_for_state(reply.result.request_id, covenant::job_state::failed));
  const auto& job = stored(reply.result.request_id).snapshot.job;
  EXPECT_EQ(job.reason, covenant::failure_reason::policy_rejected);
  // The last check met the breaker it had opened: it refused fast.
  EXPECT_NE(job.detail.find("spend authorization circuit breaker is open"), std::string::npos)
    << job.detail;
  EXPECT_TRUE(audit_entries().empty());
  auto status = reader_status();
  EXPECT_EQ(status.source, "spend authorization");
  EXPECT_GE(status.failures, 2u);
  EXPECT_GE(status.rejected + status.failures, 3u); // asked again, and refused fast once open
}

TEST_F(SpendAuthorizationGate, AJobWaitingAtARestartResumesAndIsSignedOnce) {
  auto options = gated_options(false);
  options.sessions.session_timeout = 60000ms; // it must still be waiting at the stop
  start(options);
  auto reply = submit(self_v1.request, "self_v1", "ors_gate_restart", 300);
  ASSERT_EQ(reply.code, reply_code::ok) << reply.message;
  ASSERT_EQ(reply.result.status, "PENDING");
  stop();
  EXPECT_EQ(audit_entries().size(), 0u);
  // The operator posts the authorization; the node comes back.
  std::ofstream(options.chain->fixture_file)
    << test_support::fixture_chain_json({{&self_v1, 6}, {&qc_v1, 6}}, true);
  start(options);
  ASSERT_TRUE(wait_for_state(reply.result.request_id, covenant::job_state::artifact_ready));
  EXPECT_EQ(audit_entries().size(), 1u);
}

TEST_F(SpendAuthorizationGate, TheGateSwitchedOffSignsWithoutAnAuthorization) {
  auto options = gated_options(false);
  options.sessions.tbtc.spend_authorization.required = false;
  start(options);
  auto reply = submit(self_v1.request, "self_v1", "ors_gate_off");
  ASSERT_EQ(reply.code, reply_code::ok) << reply.message;
  EXPECT_EQ(reply.result.status, "READY") << reply.result.detail;
  EXPECT_EQ(audit_entries().size(), 1u);
}
