// A signer backend for tests that records each request and never answers
// it: sessions hang in SIGNING until they are killed or time out.
#pragma once

#include "actors/local_key_signer.hpp"
#include "crypto/bytes.hpp"
#include "messages/signing.hpp"
#include "tests/support/signed_requests.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace covsigner::test_support {

/// A signer that records each request and never answers it.
struct hang_probe {
  std::atomic<int> requests{0};
  std::mutex mutex;
  caf::actor_addr last_session;
};

struct hanging_signer_state {
  hanging_signer_state() = default;
  std::vector<caf::typed_response_promise<messages::signature_reply>> held;
  static inline const char* name = "hanging_signer";
};

inline messages::signer_actor::behavior_type
hanging_signer(messages::signer_actor::stateful_pointer<hanging_signer_state> self,
               std::shared_ptr<hang_probe> probe) {
  return {
    [self, probe](messages::signature_request&) -> caf::result<messages::signature_reply> {
      {
        std::lock_guard<std::mutex> guard(probe->mutex);
        probe->last_session = caf::actor_cast<caf::actor_addr>(self->current_sender());
      }
      ++probe->requests;
      auto promise = self->make_response_promise<messages::signature_reply>();
      self->state.held.push_back(promise);
      return promise;
    },
  };
}

inline actors::signer_handle spawn_hanging_signer(caf::actor_system& system,
                                                  std::shared_ptr<hang_probe> probe) {
  return {system.spawn(hanging_signer, std::move(probe)),
          *crypto::from_0x_hex(dev_public_key_hex(0x22))};
}

} // namespace covsigner::test_support
