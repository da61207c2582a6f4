// The reference remote for the `remote` signer backend's tests: a SECOND
// actor_system in this process (its own middleman, the node's type IDs)
// publishing a signer actor on 127.0.0.1, the way an external signing
// system would. It can be stopped (its connections drop, as when the remote
// process dies) and started again on the same port.
#pragma once

#include "actors/local_key_signer.hpp"
#include "messages/type_ids.hpp"
#include "tests/support/actor_system.hpp"
#include "tests/support/signed_requests.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace covsigner::test_support {

/// test_actor_system_config plus caf::io (both ends of a remote signer).
struct remoting_actor_system_config : test_actor_system_config {
  remoting_actor_system_config() { load<caf::io::middleman>(); }
};

/// Counts the requests that reach the remote, then lets `inner` answer.
inline messages::signer_actor::behavior_type
counting_signer(messages::signer_actor::pointer self, messages::signer_actor inner,
                std::shared_ptr<std::atomic<int>> count) {
  return {
    [self, inner, count](messages::signature_request& req) -> caf::result<messages::signature_reply> {
      ++*count;
      auto promise = self->make_response_promise<messages::signature_reply>();
      self->request(inner, std::chrono::seconds(10), std::move(req))
        .then([promise](messages::signature_reply& r) mutable { promise.deliver(r); },
              [promise](caf::error& e) mutable { promise.deliver(e); });
      return promise;
    },
  };
}

class test_remote_signer {
public:
  using factory = std::function<messages::signer_actor(caf::actor_system&)>;

  ~test_remote_signer() { stop(); }

  /// Publishes `make(system)` on 127.0.0.1:`port` (0: an ephemeral port;
  /// after a stop, the port it had). Empty on success, else the error.
  std::string start(const factory& make, std::uint16_t port = 0) {
    stop();
    // A fresh config per system: each start is a new "process".
    cfg_ = std::make_unique<remoting_actor_system_config>();
    system_ = std::make_unique<caf::actor_system>(*cfg_);
    actor_ = make(*system_);
    auto published = system_->middleman().publish(actor_, port, "127.0.0.1", true);
    if (!published)
      return system_->render(published.error());
    port_ = *published;
    return {};
  }

  /// The local_key signer over dev key `fill`, behind counting_signer.
  std::string start_local_key(std::uint16_t port = 0, std::uint8_t fill = 0x22) {
    return start(
      [this, fill](caf::actor_system& sys) {
        auto inner = actors::spawn_local_key_signer(sys, dev_key(fill)).actor;
        return sys.spawn(counting_signer, inner, requests);
      },
      port);
  }

  /// The remote process "dies": its actors stop and its connections close.
  void stop() {
    if (!system_)
      return;
    system_->middleman().unpublish(actor_, port_);
    caf::anon_send_exit(actor_, caf::exit_reason::kill);
    actor_ = nullptr;
    system_.reset();
  }

  std::uint16_t port() const { return port_; }

  /// Requests that reached the remote (counting_signer only).
  std::shared_ptr<std::atomic<int>> requests = std::make_shared<std::atomic<int>>(0);

private:
  std::unique_ptr<remoting_actor_system_config> cfg_;
  std::unique_ptr<caf::actor_system> system_; // destroyed before cfg_
  messages::signer_actor actor_;
  std::uint16_t port_ = 0;
};

} // namespace covsigner::test_support
