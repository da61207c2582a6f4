#include "actors/job_store.hpp"

#include "persistence/timestamp.hpp"

#include <caf/all.hpp>

#include <cerrno>

namespace covsigner::actors {

using namespace messages;

store_files::store_files(std::unique_ptr<persistence::file_system> file_system,
                         persistence::store_layout store_layout, persistence::store_lock store_lock,
                         persistence::sync_mode mode)
  : fs(std::move(file_system)), layout(std::move(store_layout)), lock(std::move(store_lock)),
    writer(std::make_unique<persistence::job_writer>(*fs, layout, mode)) {}

store_files::~store_files() {
  writer.reset(); // drain and join before the lock is released
}

void store_latch::record(const persistence::io_error& cause, const std::string& request_id,
                         const std::string& route_key) {
  std::lock_guard lock{mutex_};
  if (!cause_)
    cause_ = cause;
  unknown_.emplace(request_id, route_key);
}

std::optional<persistence::io_error> store_latch::cause() const {
  std::lock_guard lock{mutex_};
  return cause_;
}

std::string store_latch::failure() const {
  std::lock_guard lock{mutex_};
  return cause_ ? "a durable write failed (" + cause_->message + ")" : std::string{};
}

std::optional<std::string> store_latch::unknown_reason(const std::string& request_id) const {
  std::lock_guard lock{mutex_};
  if (!cause_ || unknown_.count(request_id) == 0)
    return std::nullopt;
  return "a durable write of job " + request_id + " failed (" + cause_->message +
         "); its file's state on disk is unknown";
}

std::map<std::string, std::string> store_latch::unknown_jobs() const {
  std::lock_guard lock{mutex_};
  return unknown_;
}

namespace {

using self_ptr = job_store_impl::stateful_pointer<job_store_state>;

// Hands `op` to the writer thread; `finish` runs in the actor once the op is
// durable or rejected.
void write(self_ptr self, persistence::write_op op,
           std::function<void(const write_completed&)> finish) {
  auto id = op.job.request_id;
  auto key = op.job.route_key();
  self->state.writes[id].finish = std::move(finish);
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(self->ctrl());
  // The writer outlives every callback it runs (they run on its thread).
  auto* writer = self->state.files->writer.get();
  auto latch = self->state.latch;
  writer->submit(std::move(op), [weak, id, key, writer, latch](persistence::write_outcome outcome) {
    // Runs on the writer thread: only the latch and a send, never actor
    // state. The latch is recorded here, not in the actor, so it holds even
    // if the store dies before it handles the completion.
    bool unknown = false;
    if (!outcome.ok)
      if (auto cause = writer->failure()) {
        latch->record(*cause, id, key);
        unknown = true;
      }
    if (auto strong = caf::actor_cast<caf::strong_actor_ptr>(weak))
      caf::anon_send(caf::actor_cast<caf::actor>(strong),
                     write_completed{id, outcome.ok, outcome.error.code, outcome.error.message,
                                     unknown});
  });
}

// Runs `operation` now if no write of that job is in flight, else after it.
void when_idle(self_ptr self, const std::string& id, std::function<void()> operation) {
  auto it = self->state.writes.find(id);
  if (it == self->state.writes.end())
    operation();
  else
    it->second.waiting.push_back(std::move(operation));
}

// Records a durable snapshot and publishes it for the dedupe fast path.
void keep_durable(self_ptr self, const job_snapshot& snapshot) {
  auto& st = self->state;
  st.jobs[snapshot.job.request_id] = snapshot;
  if (st.published)
    st.published->publish_job(snapshot.job);
}

// The store refuses writes once its writer, or any earlier writer over the
// same latch (a store before a core rebuild), latched a failure.
store_result refuse_if_latched(self_ptr self) {
  auto& st = self->state;
  if (st.refusal_cause.empty()) {
    auto cause = st.latch->cause();
    if (!cause)
      cause = st.files->writer->failure();
    if (cause)
      st.refusal_cause = "a durable write failed (" + cause->message +
                         "); the store refuses writes until restarted";
  }
  if (!st.refusal_cause.empty())
    return {store_code::refused, {}, st.refusal_cause};
  return {store_code::ok, {}, {}};
}

// What a failed write's completion answers: unknown when its bytes may be
// on disk (the writer latched), else a definite rejection.
store_result failed_write(self_ptr self, const write_completed& done, job_snapshot current) {
  refuse_if_latched(self);
  if (!done.unknown)
    return {store_code::rejected, std::move(current), done.error};
  auto reason = self->state.latch->unknown_reason(done.request_id);
  return {store_code::unknown, std::move(current), reason ? *reason : done.error};
}

// The durable state of `id`: its snapshot, unknown (its last write failed
// and no durable state of it is held: after a rebuild set it aside), or
// not_found.
store_result current_state(self_ptr self, const std::string& id) {
  auto& jobs = self->state.jobs;
  if (auto it = jobs.find(id); it != jobs.end())
    return {store_code::ok, it->second, {}};
  if (auto reason = self->state.latch->unknown_reason(id))
    return {store_code::unknown, {}, std::move(*reason)};
  return {store_code::not_found, {}, {}};
}

caf::result<store_result> create(self_ptr self, covenant::job job) {
  auto& st = self->state;
  if (auto refused = refuse_if_latched(self); refused.code != store_code::ok)
    return refused;
  if (st.jobs.count(job.request_id) || st.writes.count(job.request_id))
    return store_result{store_code::rejected, {}, "job " + job.request_id + " already exists"};
  auto promise = self->make_response_promise<store_result>();
  auto snapshot = job_snapshot{job, 1};
  write(self, {persistence::write_op::kind::create, std::move(job), {}},
        [self, promise, snapshot](const write_completed& done) mutable {
          if (!done.ok) {
            promise.deliver(failed_write(self, done, {}));
            return;
          }
          keep_durable(self, snapshot);
          promise.deliver(store_result{store_code::ok, snapshot, {}});
        });
  return promise;
}

void transition(self_ptr self, transition_request req,
                caf::typed_response_promise<store_result> promise) {
  auto& st = self->state;
  auto it = st.jobs.find(req.request_id);
  if (it == st.jobs.end()) {
    promise.deliver(store_result{store_code::not_found, {}, {}});
    return;
  }
  auto& current = it->second;
  if (covenant::is_terminal(current.job.state)) {
    promise.deliver(store_result{store_code::terminal, current, {}});
    return;
  }
  if (current.revision != req.from_revision) {
    promise.deliver(store_result{store_code::stale, current, {}});
    return;
  }
  if (auto check = covenant::check_transition(current.job.state, req.transition.state);
      check != covenant::transition_check::allowed) {
    promise.deliver(store_result{
      store_code::forbidden, current,
      "job " + req.request_id + ": transition " +
        std::string{covenant::to_string(current.job.state)} + " -> " +
        std::string{covenant::to_string(req.transition.state)} + " is not allowed (" +
        std::string{covenant::transition_rule(check)} + ")"});
    return;
  }
  if (auto refused = refuse_if_latched(self); refused.code != store_code::ok) {
    refused.snapshot = current;
    promise.deliver(refused);
    return;
  }
  auto next = job_snapshot{current.job, current.revision + 1};
  covenant::apply_transition(next.job, req.transition, persistence::now_rfc3339nano());
  write(self, {persistence::write_op::kind::update, next.job, {}},
        [self, promise, next](const write_completed& done) mutable {
          if (!done.ok) {
            promise.deliver(failed_write(self, done, self->state.jobs[next.job.request_id]));
            return;
          }
          keep_durable(self, next);
          promise.deliver(store_result{store_code::ok, next, {}});
        });
}

} // namespace

job_store_impl::behavior_type job_store(self_ptr self, std::shared_ptr<store_files> files,
                                        std::vector<covenant::job> loaded,
                                        std::shared_ptr<published_jobs> published,
                                        std::shared_ptr<store_latch> latch) {
  auto& st = self->state;
  st.files = std::move(files);
  st.published = std::move(published);
  st.latch = latch ? std::move(latch) : std::make_shared<store_latch>();
  for (auto& job : loaded) {
    auto id = job.request_id;
    st.jobs.emplace(std::move(id), job_snapshot{std::move(job), 1});
  }
  return {
    [self](create_atom, covenant::job& job) { return create(self, std::move(job)); },
    [self](caf::get_atom, const std::string& id) { return current_state(self, id); },
    [self](outcome_atom, const std::string& id) -> caf::result<store_result> {
      // Messages from one sender arrive in order, so a create the caller
      // sent before this is already in flight (or done) here.
      auto promise = self->make_response_promise<store_result>();
      when_idle(self, id, [self, id, promise]() mutable {
        promise.deliver(current_state(self, id));
      });
      return promise;
    },
    [self](transition_request& req) -> caf::result<store_result> {
      auto promise = self->make_response_promise<store_result>();
      auto id = req.request_id;
      when_idle(self, id, [self, req = std::move(req), promise]() mutable {
        transition(self, std::move(req), promise);
      });
      return promise;
    },
    [self](status_atom) {
      auto& st = self->state;
      refuse_if_latched(self);
      store_status s;
      s.jobs = st.jobs.size();
      s.writes_refused = !st.refusal_cause.empty();
      s.refusal_cause = st.refusal_cause;
      s.writes = st.writes_done;
      auto w = st.files->writer->stats();
      s.fsync_rounds = w.rounds;
      s.round_ops = w.ops;
      s.round_seconds = w.round_seconds;
      s.longest_round_seconds = w.longest_round_seconds;
      s.largest_round_ops = w.largest_round_ops;
      return s;
    },
    [self](write_completed& done) {
      auto& st = self->state;
      auto it = st.writes.find(done.request_id);
      if (it == st.writes.end())
        return;
      ++st.writes_done;
      auto finish = std::move(it->second.finish);
      auto waiting = std::move(it->second.waiting);
      st.writes.erase(it);
      finish(done);
      // Later operations on this job now see its new durable state; one of
      // them may start a write, after which the rest wait for that one.
      while (!waiting.empty()) {
        auto next = std::move(waiting.front());
        waiting.pop_front();
        next();
        if (auto again = st.writes.find(done.request_id); again != st.writes.end()) {
          for (auto& op : waiting)
            again->second.waiting.push_back(std::move(op));
          break;
        }
      }
    },
  };
}

} // namespace covsigner::actors
