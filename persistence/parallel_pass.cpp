#include "persistence/parallel_pass.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace covsigner::persistence {

unsigned load_pass_threads() {
  return std::clamp(2 * std::thread::hardware_concurrency(), 2u, 4u);
}

void parallel_for_index(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& fn) {
  // Blocks of consecutive indices: one atomic increment per block, not per
  // file.
  constexpr std::size_t block = 32;
  if (threads <= 1 || n <= block) {
    for (std::size_t i = 0; i < n; ++i)
      fn(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    try {
      for (;;) {
        std::size_t begin = next.fetch_add(block, std::memory_order_relaxed);
        if (begin >= n || stop.load(std::memory_order_relaxed))
          return;
        std::size_t end = std::min(n, begin + block);
        for (std::size_t i = begin; i < end; ++i)
          fn(i);
      }
    } catch (...) {
      std::lock_guard lock{error_mutex};
      if (!error)
        error = std::current_exception();
      stop = true;
    }
  };
  std::vector<std::thread> helpers;
  helpers.reserve(threads - 1);
  for (unsigned t = 1; t < threads; ++t) {
    try {
      helpers.emplace_back(work);
    } catch (const std::system_error&) {
      break; // no more threads: the ones we have (at least this one) finish the pass
    }
  }
  work();
  for (auto& t : helpers)
    t.join();
  if (error)
    std::rethrow_exception(error);
}

} // namespace covsigner::persistence
