// What the four chain readers share: one source behind a circuit breaker,
// calls run on the reader's own call_pool (never on a CAF scheduler thread),
// each bounded by the reader's request timeout; and a supervisor that
// restarts a crashed reader within a budget. Header-only templates, used by
// actors/{bridge,registry,bitcoin}_reader.cpp and actors/chain_head.cpp.
#pragma once

#include "chain/call_pool.hpp"
#include "chain/circuit_breaker.hpp"
#include "chain/read_result.hpp"
#include "messages/chain_readers.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace covsigner::actors {

/// A backend call finished (the result waits in the call's slot).
using call_done_atom = caf::atom_constant<caf::atom("calldone")>;
/// A backend call's request timeout passed.
using call_expired_atom = caf::atom_constant<caf::atom("callexpire")>;

struct reader_settings {
  /// Bound on one backend call, measured from its start. A backend with
  /// sockets must time out before this (chain::check_timeouts).
  std::chrono::milliseconds request_timeout{2000};
  chain::breaker_settings breaker;
  /// Threads that run backend calls; a hung call holds one.
  std::size_t threads = 2;
};

/// Restart budget: at most `max_restarts` within `period`; one more crash
/// and the supervisor stops restarting and reports the reader "failed".
struct restart_budget {
  std::uint32_t max_restarts = 3;
  std::chrono::milliseconds period{60000};
};

/// A source's read outcome as the readers' replies name it.
inline messages::chain_code to_chain_code(chain::read_code c) {
  switch (c) {
    case chain::read_code::ok:
      return messages::chain_code::ok;
    case chain::read_code::not_found:
      return messages::chain_code::not_found;
    case chain::read_code::unavailable:
      return messages::chain_code::unavailable;
  }
  return messages::chain_code::unavailable;
}

/// One reader's breaker, call threads and calls in flight. Lives in the
/// reader's state; touched only by the reader.
struct reader_core {
  using clock = chain::circuit_breaker::clock;
  // Called with nullopt when the result is in the slot, or with the cause
  // when the call timed out or the reader is crashing.
  using finisher = std::function<void(reader_core&, std::optional<std::string>)>;

  std::string source;
  reader_settings settings;
  chain::circuit_breaker breaker;
  std::unique_ptr<chain::call_pool> pool;
  std::uint64_t next_id = 1;
  std::unordered_map<std::uint64_t, finisher> pending;

  void init(std::string name, const reader_settings& s) {
    source = std::move(name);
    settings = s;
    breaker = chain::circuit_breaker(s.breaker);
    pool = std::make_unique<chain::call_pool>(s.threads, "chain-reader");
  }

  messages::breaker_status status() const {
    messages::breaker_status st;
    st.source = source;
    st.state = std::string(chain::to_string(breaker.state()));
    st.failures = breaker.total_failures();
    st.rejected = breaker.rejected();
    st.in_flight = pending.size();
    return st;
  }

  /// Logs a breaker change caused by the outcome just recorded.
  void note_transition(chain::breaker_state before, const std::string& cause) const {
    auto after = breaker.state();
    if (after == before)
      return;
    if (after == chain::breaker_state::open && before == chain::breaker_state::half_open)
      spdlog::debug("{} circuit breaker probe failed: {}", source, cause);
    else if (after == chain::breaker_state::open)
      spdlog::warn("{} circuit breaker open: calls fail fast for {} ms (last failure: {})",
                   source, breaker.settings().open_backoff.count(), cause);
    else if (after == chain::breaker_state::closed)
      spdlog::info("{} circuit breaker closed: the source answers again", source);
  }

  /// Finishes call `id` as timed out (no-op if it already finished).
  void expire(std::uint64_t id) {
    complete(id, source + " did not answer within " +
                   std::to_string(settings.request_timeout.count()) + " ms");
  }

  /// Finishes call `id` (no-op if it already finished).
  void complete(std::uint64_t id, std::optional<std::string> failure) {
    auto it = pending.find(id);
    if (it == pending.end())
      return;
    auto finish = std::move(it->second);
    pending.erase(it);
    finish(*this, std::move(failure));
  }

  /// Answers every call in flight with `cause` (the reader is crashing).
  void fail_all(const std::string& cause) {
    auto calls = std::move(pending);
    pending.clear();
    for (auto& [id, finish] : calls)
      finish(*this, cause);
  }
};

/// The cause a crashed reader answers its calls in flight with.
inline std::string crash_cause(const std::string& source, std::exception_ptr ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const std::exception& e) {
    return source + " reader crashed: " + e.what();
  } catch (...) {
    return source + " reader crashed: unknown exception";
  }
}

/// Runs `call` on the reader's pool behind its breaker and timeout, then
/// `done(result)` inside the actor. An open breaker answers at once
/// (unavailable, "circuit breaker is open"). An exception thrown by `call`
/// is rethrown inside the actor: a backend bug crashes the reader.
template <class T, class Self>
void guarded_call(Self* self, reader_core& core, std::function<chain::read_result<T>()> call,
                  std::function<void(chain::read_result<T>)> done) {
  using result = chain::read_result<T>;
  if (!core.breaker.allow(reader_core::clock::now())) {
    done(result::unavailable(core.source + " circuit breaker is open (fast fail)"));
    return;
  }
  struct slot_type {
    result value;
    std::exception_ptr error;
    // Set when the actor stopped waiting (timeout, crash): a call still
    // queued behind hung ones is then skipped instead of hitting a source
    // that may just be recovering.
    std::atomic<bool> abandoned{false};
  };
  auto slot = std::make_shared<slot_type>();
  auto id = core.next_id++;
  core.pending.emplace(id, [slot, done = std::move(done)](reader_core& c,
                                                          std::optional<std::string> failure) {
    auto now = reader_core::clock::now();
    auto before = c.breaker.state();
    if (failure) {
      slot->abandoned = true;
      c.breaker.record_failure(now);
      c.note_transition(before, *failure);
      done(result::unavailable(std::move(*failure)));
      return;
    }
    if (slot->error) {
      // Answer this call too, then crash the reader (a backend bug).
      done(result::unavailable(crash_cause(c.source, slot->error)));
      std::rethrow_exception(slot->error);
    }
    if (slot->value.code == chain::read_code::unavailable)
      c.breaker.record_failure(now);
    else
      c.breaker.record_success(now);
    c.note_transition(before, slot->value.cause);
    done(std::move(slot->value));
  });
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(self->ctrl());
  core.pool->post([slot, call = std::move(call), weak, id] {
    // Runs on a pool thread: fill the slot, then only send.
    if (slot->abandoned)
      return;
    try {
      slot->value = call();
    } catch (...) {
      slot->error = std::current_exception();
    }
    if (auto strong = caf::actor_cast<caf::strong_actor_ptr>(weak))
      caf::anon_send(caf::actor_cast<caf::actor>(strong), call_done_atom::value, id);
  });
  self->delayed_send(self, core.settings.request_timeout, call_expired_atom::value, id);
}

/// Supervisor state for a reader with interface `Handle`.
template <class Handle>
struct reader_supervisor_state {
  reader_supervisor_state() = default;
  std::string source;
  std::function<Handle(caf::actor_system&)> spawn_worker;
  std::shared_ptr<Handle> worker = std::make_shared<Handle>();
  restart_budget budget;
  std::deque<std::chrono::steady_clock::time_point> recent_restarts;
  std::uint64_t restarts = 0;
  std::string gave_up; // non-empty: the reader is down for good
  static inline const char* name = "chain_reader_supervisor";
};

/// Starts the worker, restarts it when it goes down (within the budget),
/// and stops it when the supervisor ends.
template <class Self>
void start_supervision(Self self) {
  auto& st = self->state;
  auto start = [self] {
    auto& s = self->state;
    *s.worker = s.spawn_worker(self->system());
    self->monitor(*s.worker);
  };
  start();
  self->attach_functor([worker = st.worker](const caf::error&) {
    if (*worker)
      caf::anon_send_exit(*worker, caf::exit_reason::user_shutdown);
  });
  self->set_down_handler([self, start](caf::down_msg& dm) {
    auto& s = self->state;
    if (!*s.worker || dm.source != s.worker->address())
      return;
    auto now = std::chrono::steady_clock::now();
    while (!s.recent_restarts.empty() && now - s.recent_restarts.front() > s.budget.period)
      s.recent_restarts.pop_front();
    if (s.recent_restarts.size() >= s.budget.max_restarts) {
      s.gave_up = s.source + " reader crashed more than " + std::to_string(s.budget.max_restarts) +
                  " times in " + std::to_string(s.budget.period.count()) +
                  " ms; not restarting (last: " + caf::to_string(dm.reason) + ")";
      spdlog::error("{}; the node is not ready", s.gave_up);
      *s.worker = nullptr;
      return;
    }
    s.recent_restarts.push_back(now);
    ++s.restarts;
    spdlog::error("{} reader went down ({}); restarting it ({} of {} allowed in {} ms)", s.source,
                  caf::to_string(dm.reason), s.recent_restarts.size(), s.budget.max_restarts,
                  s.budget.period.count());
    start();
  });
}

/// The supervisor's status answer: the worker's, plus restarts; or
/// "failed" once it gave up.
template <class Self>
caf::result<messages::breaker_status> supervised_status(Self self) {
  auto& st = self->state;
  if (!st.gave_up.empty()) {
    messages::breaker_status s;
    s.source = st.source;
    s.state = std::string{messages::failed_reader_state};
    s.restarts = st.restarts;
    s.cause = st.gave_up;
    return s;
  }
  auto promise = self->template make_response_promise<messages::breaker_status>();
  self->request(*st.worker, std::chrono::seconds(1), messages::status_atom::value)
    .then(
      [self, promise](messages::breaker_status& s) mutable {
        s.restarts = self->state.restarts;
        promise.deliver(std::move(s));
      },
      [self, promise](caf::error& err) mutable {
        messages::breaker_status s;
        s.source = self->state.source;
        s.state = std::string{messages::restarting_reader_state};
        s.restarts = self->state.restarts;
        s.cause = "reader did not answer: " + caf::to_string(err);
        promise.deliver(std::move(s));
      });
  return promise;
}

} // namespace covsigner::actors
