// The HTTP workers' handle to the node (transport/node_client): every call
// answers, and a worker's handle does not collect messages nobody waits for
// (issue 20 item 7). In CAF 0.17 a request's timeout is never cancelled when
// the answer arrives: it fires later as an error addressed to the requester,
// which a blocking receive skips but keeps, so it was rescanned by every
// later call on that thread. Counts are asserted, never wall-clock times.
#include "tests/support/actor_system.hpp"
#include "transport/node_client.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

using namespace covsigner;
using namespace std::chrono_literals;

namespace {

// A node that answers every request at once.
messages::node_actor::behavior_type instant_node() {
  return {
    [](messages::submit_command&) {
      return messages::node_reply{messages::reply_code::ok, {}, "submitted"};
    },
    [](messages::poll_command&) {
      return messages::node_reply{messages::reply_code::not_found, {}, "polled"};
    },
    [](messages::ready_atom) {
      messages::readiness r;
      r.ready = true;
      return r;
    },
    [](messages::core_atom) { return messages::node_core{}; },
    [](messages::watch_atom, messages::core_watcher_actor&) {},
  };
}

// A node that holds the answer to `ready` until the test sends ok_atom (it
// then answers the held request and acknowledges the ok_atom), so the test
// controls when a late answer reaches the client.
struct holding_state {
  caf::response_promise held;
};

caf::behavior holding_node(caf::stateful_actor<holding_state>* self) {
  return {
    [=](messages::ready_atom) {
      self->state.held = self->make_response_promise();
      return self->state.held;
    },
    [=](caf::ok_atom) {
      messages::readiness r;
      r.ready = true;
      self->state.held.deliver(r);
      return caf::ok_atom::value;
    },
  };
}

class NodeClient : public ::testing::Test {
protected:
  test_support::test_actor_system_config cfg;
  caf::actor_system system{cfg};

  // Returns once every request timeout armed before this call with a delay
  // up to `longest` has fired: the system clock dispatches its events in
  // the order they are due, so a message delayed beyond them arrives after
  // them (an ordering, not a timing; the 60 s bound only stops a hang).
  void wait_until_timeouts_fired(std::chrono::milliseconds longest) {
    caf::scoped_actor probe{system};
    probe->delayed_send(probe, longest + 20ms, caf::ok_atom::value);
    bool arrived = false;
    probe->receive([&](caf::ok_atom) { arrived = true; }, caf::after(60s) >> [] {});
    ASSERT_TRUE(arrived) << "the clock did not deliver a delayed message within 60 s";
  }
};

} // namespace

// N answered requests with a short timeout, then every timeout they armed
// is allowed to fire: nothing may be left in the worker's handle. Before
// the fix all N timeouts were (one stray message per answered request).
TEST_F(NodeClient, AnsweredRequestsLeaveNoStrayMessagesInTheWorkersHandle) {
  auto node = test_support::spawn_without_arguments(system, instant_node);
  transport::node_client client{system, node};
  constexpr int n = 10000;
  constexpr auto timeout = 20ms; // short, so the timeouts fire during the run
  using clock = std::chrono::steady_clock;
  clock::duration first{}, last{};
  for (int i = 0; i < n; ++i) {
    auto started = clock::now();
    auto r = client.ready(timeout);
    auto took = clock::now() - started;
    ASSERT_TRUE(r.ready) << i << ": " << (r.failing.empty() ? "" : r.failing.front());
    if (i < 1000)
      first += took;
    if (i >= n - 1000)
      last += took;
  }
  wait_until_timeouts_fired(timeout);
  auto strays = client.stray_messages();
  // Reported, not asserted (a timing): the cost each stray adds to a call.
  auto us = [](clock::duration d) {
    return std::chrono::duration<double, std::micro>(d).count() / 1000;
  };
  std::cout << "node_client: " << n << " requests, " << strays
            << " stray messages after their timeouts fired; mean per request: first 1000 "
            << us(first) << " us, last 1000 " << us(last) << " us\n";
  EXPECT_EQ(strays, 0u);
  // The handle keeps working, and still collects nothing.
  EXPECT_TRUE(client.ready(timeout).ready);
  EXPECT_EQ(client.stray_messages(), 0u);
  caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
}

// The same for every kind of call (submit, poll answer through node_reply).
TEST_F(NodeClient, SubmitsAndPollsLeaveNoStrayMessages) {
  auto node = test_support::spawn_without_arguments(system, instant_node);
  transport::node_client client{system, node};
  for (int i = 0; i < 100; ++i) {
    auto s = client.submit({}, 20ms);
    ASSERT_EQ(s.code, messages::reply_code::ok) << s.message;
    EXPECT_EQ(s.message, "submitted");
    auto p = client.poll({}, 20ms);
    ASSERT_EQ(p.code, messages::reply_code::not_found) << p.message;
    EXPECT_EQ(p.message, "polled");
  }
  wait_until_timeouts_fired(20ms);
  EXPECT_EQ(client.stray_messages(), 0u);
  caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
}

// A call that gives up answers with the timeout error; the answer that
// comes afterwards must not stay in the handle either.
TEST_F(NodeClient, AnAnswerAfterTheCallGaveUpDoesNotStayInTheHandle) {
  auto holding = test_support::spawn_without_arguments(system, holding_node);
  auto node = caf::actor_cast<messages::node_actor>(holding);
  transport::node_client client{system, node};
  auto r = client.ready(50ms);
  EXPECT_FALSE(r.ready);
  ASSERT_EQ(r.failing.size(), 1u);
  EXPECT_EQ(r.failing.front(), std::string{transport::node_unreachable} +
                                 system.render(caf::make_error(caf::sec::request_timeout)));
  // The node answers the abandoned request now; once it acknowledges the
  // ok_atom, the late answer has been enqueued wherever it goes.
  caf::scoped_actor self{system};
  bool released = false;
  self->request(holding, 60s, caf::ok_atom::value)
    .receive([&](caf::ok_atom) { released = true; },
             [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
  ASSERT_TRUE(released);
  EXPECT_EQ(client.stray_messages(), 0u);
  caf::anon_send_exit(holding, caf::exit_reason::user_shutdown);
}

// The reply and error mappings the HTTP server relies on.
TEST_F(NodeClient, ADeadNodeBecomesInternalAndUnreachable) {
  auto node = test_support::spawn_without_arguments(system, instant_node);
  caf::scoped_actor self{system};
  self->send_exit(node, caf::exit_reason::user_shutdown);
  self->wait_for(node);
  transport::node_client client{system, node};
  auto s = client.submit({}, 1s);
  EXPECT_EQ(s.code, messages::reply_code::internal);
  EXPECT_EQ(s.message.rfind("node: ", 0), 0u) << s.message;
  auto p = client.poll({}, 1s);
  EXPECT_EQ(p.code, messages::reply_code::internal);
  EXPECT_EQ(p.message.rfind("node: ", 0), 0u) << p.message;
  auto r = client.ready(1s);
  EXPECT_FALSE(r.ready);
  ASSERT_EQ(r.failing.size(), 1u);
  EXPECT_EQ(r.failing.front().rfind(transport::node_unreachable, 0), 0u) << r.failing.front();
  EXPECT_EQ(client.stray_messages(), 0u);
}
