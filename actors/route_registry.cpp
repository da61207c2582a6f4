#include "actors/route_registry.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

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

// The key's create became durable: live, published, duplicates answered.
void make_live(self_ptr self, const std::string& key, const job_snapshot& snapshot) {
  auto& entry = self->state.entries[key];
  entry.state = route_registry_state::phase::live;
  entry.request_id = snapshot.job.request_id;
  entry.request_digest = snapshot.job.request_digest;
  if (auto& published = self->state.published)
    published->publish_owner(key, entry.request_id, entry.request_digest);
}

// Answers the claimant and every duplicate waiting for the key's create.
void answer_all(caf::typed_response_promise<claim_result>& promise,
                std::vector<caf::typed_response_promise<claim_result>>& waiters,
                const claim_result& reply) {
  promise.deliver(reply);
  deliver(waiters, reply);
}

std::string store_silence(self_ptr self, const caf::error& err) {
  if (err == caf::sec::request_timeout)
    return "the job store did not answer within " +
           std::to_string(self->state.store_timeout.count()) + " ms";
  return "the job store failed: " + caf::to_string(err);
}

void reconcile(self_ptr self, const std::string& key);

// What the store says became of an unsettled create settles its key.
void settle_unsettled(self_ptr self, const std::string& key, store_result& r) {
  auto& st = self->state;
  auto it = st.reconciling.find(key);
  if (it == st.reconciling.end())
    return;
  auto id = std::move(it->second.request_id);
  st.reconciling.erase(it);
  switch (r.code) {
    case store_code::ok:
      make_live(self, key, r.snapshot);
      spdlog::warn("route_registry: the create of job {} ({}) turned out durable; the key is "
                   "live and the job is started",
                   id, key);
      // A job the node created must get a session; the claimant was told
      // the outcome was unknown, so nobody else starts it.
      if (st.supervisor)
        caf::anon_send(st.supervisor, session_start{r.snapshot});
      return;
    case store_code::not_found:
      spdlog::warn("route_registry: job {} ({}) was not created; the key is free", id, key);
      return;
    default:
      st.poisoned.emplace(key, r.detail.empty() ? "the outcome of the durable create of job " +
                                                    id + " is unknown"
                                                : r.detail);
      spdlog::error("route_registry: key {} poisoned: {}", key, st.poisoned.at(key));
      return;
  }
}

// Asks the store (bounded; again while it times out) what became of the
// key's unsettled create.
void reconcile(self_ptr self, const std::string& key) {
  auto& st = self->state;
  auto it = st.reconciling.find(key);
  if (it == st.reconciling.end())
    return;
  self->request(st.store, st.store_timeout, outcome_atom::value, it->second.request_id)
    .then([self, key](store_result& r) { settle_unsettled(self, key, r); },
          [self, key](caf::error& err) {
            if (err == caf::sec::request_timeout) {
              reconcile(self, key);
              return;
            }
            auto& st = self->state;
            auto it = st.reconciling.find(key);
            if (it == st.reconciling.end())
              return;
            store_result unknown{store_code::unknown, {},
                                 "the outcome of the durable create of job " +
                                   it->second.request_id + " is unknown (" +
                                   store_silence(self, err) + ")"};
            settle_unsettled(self, key, unknown);
          });
}

// The store's answer to a create settles the claim and its waiters.
void on_created(self_ptr self, const std::string& key,
                caf::typed_response_promise<claim_result> promise, store_result& r) {
  auto& st = self->state;
  auto it = st.entries.find(key);
  auto waiters = std::move(it->second.waiters);
  switch (r.code) {
    case store_code::ok:
      make_live(self, key, r.snapshot);
      promise.deliver(claim_result{claim_code::created, r.snapshot, {}});
      deliver(waiters, claim_result{claim_code::existing, r.snapshot, {}});
      return;
    case store_code::rejected:
    case store_code::refused: {
      // Definite: nothing was written, so the key is free again.
      st.entries.erase(it);
      answer_all(promise, waiters,
                 claim_result{claim_code::failed, {}, "job was not created: " + r.detail});
      return;
    }
    default: {
      // unknown (the bytes may be on disk) or an answer a create never
      // gets: the key may belong to a job; fail closed.
      auto id = it->second.request_id;
      st.entries.erase(it);
      auto reason = r.detail.empty() ? "the outcome of the durable create of job " + id +
                                         " is unknown"
                                     : r.detail;
      st.poisoned.emplace(key, reason);
      answer_all(promise, waiters, poisoned_reply(key, reason));
      return;
    }
  }
}

caf::result<claim_result> create(self_ptr self, covenant::job draft) {
  auto key = draft.route_key();
  auto& entry = self->state.entries[key];
  entry.state = route_registry_state::phase::creating;
  entry.request_id = draft.request_id;
  entry.request_digest = draft.request_digest;
  auto promise = self->make_response_promise<claim_result>();
  self->request(self->state.store, self->state.store_timeout, create_atom::value, std::move(draft))
    .then([self, key, promise](store_result& r) { on_created(self, key, promise, r); },
          [self, key, promise](caf::error& err) mutable {
            // No answer: the create may still become durable. Not guessed:
            // the key waits for what the store says became of it.
            auto& st = self->state;
            auto it = st.entries.find(key);
            auto waiters = std::move(it->second.waiters);
            auto id = it->second.request_id;
            st.entries.erase(it);
            auto detail = "the outcome of creating job " + id + " for route key " + key +
                          " is not known yet (" + store_silence(self, err) + "); retry later";
            st.reconciling[key] = {id, detail};
            answer_all(promise, waiters, claim_result{claim_code::unsettled, {}, detail});
            reconcile(self, key);
          });
  return promise;
}

} // namespace

route_registry_actor::behavior_type route_registry(self_ptr self, job_store_actor store,
                                                   route_registry_seed seed,
                                                   std::chrono::milliseconds store_timeout,
                                                   std::shared_ptr<published_jobs> published,
                                                   session_supervisor_actor supervisor,
                                                   std::shared_ptr<const store_latch> latch) {
  auto& st = self->state;
  st.store = std::move(store);
  st.store_timeout = store_timeout;
  st.published = std::move(published);
  st.supervisor = std::move(supervisor);
  st.latch = std::move(latch);
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
      if (auto u = st.reconciling.find(key); u != st.reconciling.end())
        return claim_result{claim_code::unsettled, {}, u->second.detail};
      if (auto p = st.poisoned.find(key); p != st.poisoned.end())
        return poisoned_reply(key, p->second);
      auto it = st.entries.find(key);
      if (it == st.entries.end()) {
        if (st.latch)
          if (auto failure = st.latch->failure(); !failure.empty())
            return claim_result{claim_code::refused, {},
                                failure + "; new submits are refused until the node restarts"};
        if (!st.refusal_cause.empty())
          return claim_result{claim_code::refused, {}, st.refusal_cause};
        if (!claim.may_create)
          return claim_result{claim_code::declined, {}, std::move(claim.refusal)};
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
      s.creating_keys += st.reconciling.size();
      s.poisoned_keys = st.poisoned.size();
      s.submits_refused = !st.refusal_cause.empty();
      s.refusal_cause = st.refusal_cause;
      if (st.latch)
        if (auto failure = st.latch->failure(); !failure.empty()) {
          s.submits_refused = true;
          s.refusal_cause = failure + "; new submits are refused until the node restarts";
        }
      return s;
    },
  };
}

} // namespace covsigner::actors
