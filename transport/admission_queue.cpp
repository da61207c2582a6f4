#include "transport/admission_queue.hpp"

namespace covsigner::transport {

namespace {
thread_local bool reject_mode = false;
thread_local bool drop_mode = false;
}

admission_queue::admission_queue(admission_settings settings, std::function<void()> on_destroy)
  : settings_(settings), on_destroy_(std::move(on_destroy)) {
  if (settings_.workers == 0)
    settings_.workers = 1;
  threads_.reserve(settings_.workers);
  for (std::size_t i = 0; i < settings_.workers; ++i)
    threads_.emplace_back([this] { work(); });
  janitor_ = std::thread([this] { expire_waiting(); });
  for (std::size_t i = 0; i < settings_.reject_threads; ++i)
    reject_threads_.emplace_back([this] { run_rejects(); });
}

admission_queue::~admission_queue() {
  shutdown();
  if (on_destroy_)
    on_destroy_();
}

bool admission_queue::rejecting() {
  return reject_mode;
}

bool admission_queue::dropping() {
  return drop_mode;
}

void admission_queue::reject(std::function<void()>& fn, bool drop) {
  reject_mode = true;
  drop_mode = drop;
  fn();
  reject_mode = false;
  drop_mode = false;
}

void admission_queue::turn_away(std::function<void()> fn) {
  rejected_.fetch_add(1, std::memory_order_relaxed);
  if (reject_threads_.empty()) {
    reject(fn);
    return;
  }
  {
    std::unique_lock<std::mutex> lock{reject_mutex_};
    if (rejects_.size() >= settings_.max_queued_rejects) {
      lock.unlock();
      reject(fn, true);
      return;
    }
    rejects_.push_back(std::move(fn));
  }
  reject_ready_.notify_one();
}

void admission_queue::run_rejects() {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock<std::mutex> lock{reject_mutex_};
      reject_ready_.wait(lock, [&] { return rejects_stopping_ || !rejects_.empty(); });
      if (rejects_.empty())
        return;
      fn = std::move(rejects_.front());
      rejects_.pop_front();
    }
    reject(fn);
  }
}

// Workers not holding a connection, including threads still starting.
std::size_t admission_queue::free_workers() const {
  auto busy = busy_.load(std::memory_order_relaxed);
  return busy < settings_.workers ? settings_.workers - busy : 0;
}

// Connections queued beyond the workers that will take them. Under mutex_.
void admission_queue::update_waiting() {
  auto free = free_workers();
  waiting_.store(jobs_.size() > free ? jobs_.size() - free : 0, std::memory_order_relaxed);
}

void admission_queue::enqueue(std::function<void()> fn) {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!stopping_ && jobs_.size() < free_workers() + settings_.max_waiting) {
      jobs_.push_back({std::move(fn), std::chrono::steady_clock::now()});
      update_waiting();
      lock.unlock();
      ready_.notify_one();
      return;
    }
  }
  turn_away(std::move(fn));
}

void admission_queue::work() {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty())
        return; // stopping
      fn = std::move(jobs_.front().fn);
      jobs_.pop_front();
      busy_.fetch_add(1, std::memory_order_relaxed);
      update_waiting();
    }
    fn();
    busy_.fetch_sub(1, std::memory_order_relaxed);
  }
}

// A connection that waited longer than max_wait for a worker is turned away
// rather than left hanging.
void admission_queue::expire_waiting() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    janitor_wake_.wait_for(lock, std::chrono::milliseconds(50));
    auto limit = std::chrono::steady_clock::now() - settings_.max_wait;
    while (!jobs_.empty() && jobs_.front().since < limit) {
      auto fn = std::move(jobs_.front().fn);
      jobs_.pop_front();
      update_waiting();
      lock.unlock();
      turn_away(std::move(fn));
      lock.lock();
    }
  }
}

void admission_queue::shutdown() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (stopping_)
      return;
    stopping_ = true;
  }
  ready_.notify_all();
  janitor_wake_.notify_all();
  // Workers finish what they hold and drain the queue (the server socket is
  // closed, so each drained task closes its connection quickly).
  for (auto& t : threads_)
    t.join();
  janitor_.join();
  {
    std::lock_guard<std::mutex> guard(mutex_);
    for (auto& job : jobs_)
      turn_away(std::move(job.fn));
    jobs_.clear();
  }
  {
    std::lock_guard<std::mutex> guard{reject_mutex_};
    rejects_stopping_ = true;
  }
  reject_ready_.notify_all();
  for (auto& t : reject_threads_)
    t.join(); // they drain what is queued first
}

} // namespace covsigner::transport
