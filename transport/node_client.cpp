#include "transport/node_client.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <memory>

namespace covsigner::transport {

using namespace messages;

namespace {

// Asks `dest` and waits at most `timeout` for the answer: `on_reply` or
// `on_error` runs once, a wait that runs out calls `on_error` with
// sec::request_timeout (the error CAF's request timeout gave, so callers
// map it as before). Returns false when the wait ran out.
//
// The bound is on the receive, not on the request (issue 20 item 7): CAF
// 0.17 never cancels a request's timeout when the answer arrives; it fires
// later as an error addressed to this handle, which every receive skips but
// keeps, so each answered call left one message that all later calls on
// the thread rescanned (10000 calls, 10000 messages: the regression test).
// A request sent with caf::infinite arms nothing. The receive's bound
// restarts only if a message the call does not wait for arrives; none does
// (nothing else knows the handle, and callers discard a handle whose call
// gave up, see node_client::discard_thread_self).
template <class T>
struct response_output;
template <class Self, class Output, bool Blocking>
struct response_output<caf::response_handle<Self, Output, Blocking>> {
  using type = Output;
};

template <class Handle, class Message, class OnReply, class OnError>
bool ask_bounded(caf::scoped_actor& self, const Handle& dest, std::chrono::milliseconds timeout,
                 Message&& message, OnReply on_reply, OnError on_error) {
  auto pending = self->request(dest, caf::infinite, std::forward<Message>(message));
  // The check response_handle::receive makes: a handler that does not take
  // the declared answer would never match, and every call would time out.
  caf::detail::type_checker<typename response_output<decltype(pending)>::type, OnReply>::check();
  bool timed_out = false;
  caf::blocking_actor::accept_one_cond once;
  self->varargs_receive(once, pending.id(), std::move(on_reply),
                        [&](caf::error& err) { on_error(err); },
                        caf::after(timeout) >> [&] { timed_out = true; });
  if (timed_out) {
    auto err = caf::make_error(caf::sec::request_timeout);
    on_error(err);
  }
  return !timed_out;
}

template <class Command>
node_reply ask(caf::actor_system& system, caf::scoped_actor& self, const node_actor& node,
               Command cmd, std::chrono::milliseconds timeout, bool& answered) {
  node_reply reply;
  answered = ask_bounded(
    self, node, timeout, std::move(cmd), [&](node_reply& r) { reply = std::move(r); },
    [&](caf::error& err) { reply = {reply_code::internal, {}, "node: " + system.render(err)}; });
  return reply;
}

} // namespace

namespace {

std::atomic<std::uint64_t> next_client_id{1};

// The calling thread's handle for the client it used last: the hot path
// (an HTTP worker calling one client) takes no lock.
struct thread_cache {
  std::uint64_t client = 0;
  caf::scoped_actor* self = nullptr;
};
thread_local thread_cache cached;

} // namespace

node_client::node_client(caf::actor_system& system, node_actor node,
                         std::shared_ptr<const published_jobs> published)
  : system_(system), id_(next_client_id.fetch_add(1)), node_(std::move(node)),
    published_(std::move(published)) {}

node_client::~node_client() = default;

caf::scoped_actor& node_client::thread_self() {
  if (cached.client == id_)
    return *cached.self;
  std::lock_guard<std::mutex> guard{selves_mutex_};
  auto& self = selves_[std::this_thread::get_id()];
  if (!self)
    self = std::make_unique<caf::scoped_actor>(system_);
  // Ids are never reused, so a stale entry for a destroyed client can
  // never match a live one.
  cached = {id_, self.get()};
  return *self;
}

void node_client::discard_thread_self() {
  std::lock_guard<std::mutex> guard{selves_mutex_};
  selves_.erase(std::this_thread::get_id()); // its late answers are dropped
  cached = {};
}

node_reply node_client::submit(submit_command cmd, std::chrono::milliseconds timeout) {
  bool answered = false;
  auto reply = ask(system_, thread_self(), node_, std::move(cmd), timeout, answered);
  if (!answered)
    discard_thread_self();
  return reply;
}

node_reply node_client::poll(poll_command cmd, std::chrono::milliseconds timeout) {
  bool answered = false;
  auto reply = ask(system_, thread_self(), node_, std::move(cmd), timeout, answered);
  if (!answered)
    discard_thread_self();
  return reply;
}

certificate_issue_reply node_client::issue_certificate(const certificate_issuer_actor& issuer,
                                                     certificate_issue cmd,
                                                     std::chrono::milliseconds timeout) {
  certificate_issue_reply reply;
  bool answered = ask_bounded(
    thread_self(), issuer, timeout, std::move(cmd),
    [&](certificate_issue_reply& r) { reply = std::move(r); },
    [&](caf::error& err) {
      reply = {issue_code::internal, {}, "certificate issuer: " + system_.render(err)};
    });
  if (!answered)
    discard_thread_self();
  return reply;
}

std::size_t node_client::stray_messages() {
  auto& mailbox = thread_self()->mailbox();
  // Between calls nothing is in the skip cache, but count it anyway:
  // size() counts only uncached messages (it fetches the new ones first).
  mailbox.flush_cache();
  return mailbox.size();
}

readiness node_client::ready(std::chrono::milliseconds timeout) {
  readiness result;
  bool answered = ask_bounded(
    thread_self(), node_, timeout, ready_atom::value, [&](readiness& r) { result = std::move(r); },
    [&](caf::error& err) {
      result.ready = false;
      result.failing.push_back(std::string{node_unreachable} + system_.render(err));
    });
  if (!answered)
    discard_thread_self();
  return result;
}

} // namespace covsigner::transport
