// A small set of threads that run a reader's blocking backend calls, so no
// network call ever runs on a CAF scheduler thread. The threads are
// detached and share the queue through a shared_ptr: destroying the pool
// never waits for a call that hangs (the socket timeout, or the fault
// switch's release, ends it; the thread then exits on its own).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace covsigner::chain {

class call_pool {
public:
  /// Starts `threads` (>= 1) worker threads named `name` (<= 15 chars shown).
  call_pool(std::size_t threads, const char* name);
  /// Stops taking tasks; queued tasks are dropped, running ones finish.
  ~call_pool();
  call_pool(const call_pool&) = delete;
  call_pool& operator=(const call_pool&) = delete;

  /// Queues `task`. It must not throw (wrap the backend call).
  void post(std::function<void()> task);

  /// Tasks queued but not started (for tests and metrics).
  std::size_t queued() const;

private:
  struct shared;
  std::shared_ptr<shared> shared_;
};

} // namespace covsigner::chain
