// The bridge from non-actor threads (HTTP workers, embedders' threads) into
// the node actor: blocking requests with a timeout. Each calling thread
// reuses one scoped_actor (creating one per call costs up to 40 µs); they are
// owned by the client, so destroy it before the actor system. The timeout
// bounds the wait for the answer, not the request (CAF 0.17 never cancels a
// request's timeout: it would stay behind in the handle), and a call that
// gives up replaces its thread's handle, so the late answer cannot either.
#pragma once

#include "messages/node.hpp"
#include "messages/published_jobs.hpp"
#include "messages/signing.hpp"

#include <caf/fwd.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>

namespace covsigner::transport {

/// The prefix of the one `failing` entry ready() reports when the node did
/// not answer (timeout or dead node).
inline constexpr std::string_view node_unreachable = "node unreachable: ";

class node_client {
public:
  /// `published`: the node's durable answers (running_node::published), for
  /// the dedupe fast path of callers; may be null.
  node_client(caf::actor_system& system, messages::node_actor node,
              std::shared_ptr<const messages::published_jobs> published = {});
  ~node_client();
  node_client(const node_client&) = delete;
  node_client& operator=(const node_client&) = delete;

  /// Every call answers: a timeout or a dead node becomes `internal`.
  messages::node_reply submit(messages::submit_command cmd, std::chrono::milliseconds timeout);
  messages::node_reply poll(messages::poll_command cmd, std::chrono::milliseconds timeout);
  messages::readiness ready(std::chrono::milliseconds timeout);
  /// Asks the node's certificate issuer (running_node::certificate_issuer)
  /// on this thread's handle. Precondition: `issuer` is not null. A timeout
  /// or a dead issuer becomes `internal`.
  messages::certificate_issue_reply
  issue_certificate(const messages::certificate_issuer_actor& issuer,
                    messages::certificate_issue cmd, std::chrono::milliseconds timeout);

  caf::actor_system& system() { return system_; }

  /// The node's published durable answers, or null.
  const messages::published_jobs* published() const { return published_.get(); }

  /// Messages sitting in the calling thread's handle that no call waits for
  /// (an answer that came after its call gave up, a request timeout that
  /// fired after its answer). A blocking receive skips such messages but
  /// keeps them, so every later call on this thread rescans each one: this
  /// must stay bounded. For tests and diagnostics; calls on this thread only.
  std::size_t stray_messages();

private:
  caf::scoped_actor& thread_self();
  /// Destroys the calling thread's handle (the next call makes a new one):
  /// after a call gave up, its answer may still come and would stay in the
  /// handle. Messages to a destroyed handle are dropped.
  void discard_thread_self();

  caf::actor_system& system_;
  const std::uint64_t id_; // distinguishes clients in the per-thread cache
  std::mutex selves_mutex_;
  std::unordered_map<std::thread::id, std::unique_ptr<caf::scoped_actor>> selves_;
  messages::node_actor node_;
  std::shared_ptr<const messages::published_jobs> published_;
};

} // namespace covsigner::transport
