#include "transport/node_client.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <memory>

namespace covsigner::transport {

using namespace messages;

namespace {

template <class Command>
node_reply ask(caf::actor_system& system, caf::scoped_actor& self, const node_actor& node,
               Command cmd, std::chrono::milliseconds timeout) {
  node_reply reply;
  self->request(node, timeout, std::move(cmd))
    .receive([&](node_reply& r) { reply = std::move(r); },
             [&](caf::error& err) {
               reply = {reply_code::internal, {}, "node: " + system.render(err)};
             });
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

node_reply node_client::submit(submit_command cmd, std::chrono::milliseconds timeout) {
  return ask(system_, thread_self(), node_, std::move(cmd), timeout);
}

node_reply node_client::poll(poll_command cmd, std::chrono::milliseconds timeout) {
  return ask(system_, thread_self(), node_, std::move(cmd), timeout);
}

certificate_issue_reply node_client::issue_certificate(const certificate_issuer_actor& issuer,
                                                     certificate_issue cmd,
                                                     std::chrono::milliseconds timeout) {
  certificate_issue_reply reply;
  thread_self()->request(issuer, timeout, std::move(cmd))
    .receive([&](certificate_issue_reply& r) { reply = std::move(r); },
             [&](caf::error& err) {
               reply = {issue_code::internal, {}, "certificate issuer: " + system_.render(err)};
             });
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
  auto& self = thread_self();
  self->request(node_, timeout, ready_atom::value)
    .receive([&](readiness& r) { result = std::move(r); },
             [&](caf::error& err) {
               result.ready = false;
               result.failing.push_back(std::string{node_unreachable} + system_.render(err));
             });
  return result;
}

} // namespace covsigner::transport
