#include "chain/call_pool.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include <pthread.h>

namespace covsigner::chain {

struct call_pool::shared {
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::function<void()>> tasks;
  bool stopping = false;
};

call_pool::call_pool(std::size_t threads, const char* name) : shared_(std::make_shared<shared>()) {
  if (threads == 0)
    threads = 1;
  std::string thread_name = std::string(name).substr(0, 15);
  for (std::size_t i = 0; i < threads; ++i) {
    std::thread t([s = shared_] {
      for (;;) {
        std::function<void()> task;
        {
          std::unique_lock lock(s->mutex);
          s->wake.wait(lock, [&] { return s->stopping || !s->tasks.empty(); });
          if (s->stopping)
            return;
          task = std::move(s->tasks.front());
          s->tasks.pop_front();
        }
        task();
      }
    });
    pthread_setname_np(t.native_handle(), thread_name.c_str());
    t.detach();
  }
}

call_pool::~call_pool() {
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopping = true;
    dropped.swap(shared_->tasks);
  }
  shared_->wake.notify_all();
}

void call_pool::post(std::function<void()> task) {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->tasks.push_back(std::move(task));
  }
  shared_->wake.notify_one();
}

std::size_t call_pool::queued() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->tasks.size();
}

} // namespace covsigner::chain
