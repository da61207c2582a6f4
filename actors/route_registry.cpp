#include "actors/route_registry.hpp"

#include <caf/all.hpp>

namespace covsigner::actors {

using namespace messages;

namespace {

using self_ptr = route_registry_actor::stateful_pointer<route_registry_state>;

constexpr std::string_view conflict_message =
  "routeRequestId already exists with a different request payload";

claim_result poisoned_reply(const std::string& key, const std::string& reason) {
  return {claim_code::poisoned, {},
          "route key " + key + " is poisoned (" + reason +
            "); it may belong to a job the node already accepted, so submits on it are "
            "refused until an operator resolves it"};
}

void deliver(std::vector<caf::typed_response_promise<claim_result>>& waiters,
             const claim_result& reply) {
  for (auto& waiter : waiters)
    waiter.deliver(reply);
  waiters.clear();
}

// Answers a dedupe hit with the stored job's current snapshot.
caf::result<claim_result> answer_existing(self_ptr self, const std::string& request_id) {
  auto promise = self->make_response_promise<claim_result>();
  self->request(self->state.store, self->state.store_timeout, caf::get_atom::value, request_id)
    .then(
      [promise](store_result& r) mutable {
        if (r.code == store_code::ok)
          promise.deliver(claim_result{claim_code::existing, std::move(r.snapshot), {}});
        else
          promise.deliver(claim_result{claim_code::failed, {}, "stored job unavailable: " + r.detail});
      },
      [promise](caf::error& err) mutable {
        promise.deliver(
          claim_result{claim_code::failed, {}, "job store unavailable: " + caf::to_string(err)});
      });
  return promise;
}

caf::result<claim_result> create(self_ptr self, covenant::job draft) {
  auto key = draft.route_key();
  auto& entry = self->state.entries[key];
  entry.state = route_registry_state::phase::creating;
  entry.request_id = draft.request_id;
  entry.request_digest = draft.request_digest;
  auto promise = self->make_response_promise<claim_result>();
  self->request(self->state.store, self->state.store_timeout, create_atom::value, std::move(draft))
    .then(
      [self, key, promise](store_result& r) mutable {
        auto it = self->state.entries.find(key);
        auto waiters = std::move(it->second.waiters);
        if (r.code == store_code::ok) {
          it->second.state = route_registry_state::phase::live;
          if (auto& published = self->state.published)
            published->publish_owner(key, it->second.request_id, it->second.request_digest);
          promise.deliver(claim_result{claim_code::created, r.snapshot, {}});
          deliver(waiters, claim_result{claim_code::existing, r.snapshot, {}});
          return;
        }
        // A definite failure: nothing is durable, so the key is free again.
        self->state.entries.erase(it);
        claim_result failed{claim_code::failed, {}, "job was not created: " + r.detail};
        promise.deliver(failed);
        deliver(waiters, failed);
      },
      [self, key, promise](caf::error& err) mutable {
        // Unknown outcome: the create may still become durable. Fail closed.
        auto it = self->state.entries.find(key);
        auto waiters = std::move(it->second.waiters);
        self->state.entries.erase(it);
        auto reason = "outcome of the durable create is unknown: " + caf::to_string(err);
        self->state.poisoned.emplace(key, reason);
        auto reply = poisoned_reply(key, reason);
        promise.deliver(reply);
        deliver(waiters, reply);
      });
  return promise;
}

} // namespace

route_registry_actor::behavior_type route_registry(self_ptr self, job_store_actor store,
                                                   route_registry_seed seed,
                                                   std::chrono::milliseconds store_timeout,
                                                   std::shared_ptr<published_jobs> published) {
  auto& st = self->state;
  st.store = std::move(store);
  st.store_timeout = store_timeout;
  st.published = std::move(published);
  st.poisoned = std::move(seed.poisoned);
  st.refusal_cause = std::move(seed.refusal_cause);
  for (auto& [key, live] : seed.live) {
    auto& entry = st.entries[key];
    entry.state = route_registry_state::phase::live;
    entry.request_id = std::move(live.request_id);
    entry.request_digest = std::move(live.request_digest);
    entry.pruned_state = std::move(live.pruned_state);
  }
  return {
    [self](route_claim& claim) -> caf::result<claim_result> {
      auto& st = self->state;
      auto key = claim.draft.route_key();
      if (auto p = st.poisoned.find(key); p != st.poisoned.end())
        return poisoned_reply(key, p->second);
      auto it = st.entries.find(key);
      if (it == st.entries.end()) {
        if (!st.refusal_cause.empty())
          return claim_result{claim_code::refused, {}, st.refusal_cause};
        if (!claim.may_create)
          return claim_result{claim_code::refused, {}, std::move(claim.refusal)};
        return create(self, std::move(claim.draft));
      }
      auto& entry = it->second;
      if (entry.request_digest != claim.draft.request_digest)
        return claim_result{claim_code::conflict, {}, std::string{conflict_message}};
      if (entry.state == route_registry_state::phase::creating) {
        // Wait for the create: a duplicate never sees an id that is not durable.
        auto promise = self->make_response_promise<claim_result>();
        entry.waiters.push_back(promise);
        return promise;
      }
      if (!entry.pruned_state.empty())
        // Not retriable, so not a 503: the job is gone for good.
        return claim_result{claim_code::pruned, {},
                            "routeRequestId " + key + " belongs to a job that ended " +
                            entry.pruned_state + " and was pruned (requestId " +
                            entry.request_id + "); the job is no longer stored"};
      return answer_existing(self, entry.request_id);
    },
    [self](lookup_atom, const std::string& key) -> route_owner {
      auto it = self->state.entries.find(key);
      if (it == self->state.entries.end() || it->second.state != route_registry_state::phase::live)
        return {};
      return {true, it->second.request_id, it->second.request_digest};
    },
    [self](status_atom) -> registry_status {
      auto& st = self->state;
      registry_status s;
      for (auto& [key, entry] : st.entries)
        (entry.state == route_registry_state::phase::live ? s.live_keys : s.creating_keys)++;
      s.poisoned_keys = st.poisoned.size();
      s.submits_refused = !st.refusal_cause.empty();
      s.refusal_cause = st.refusal_cause;
      return s;
    },
  };
}

} // namespace covsigner::actors
