// A small fork-join helper for the store's read-only passes (the load reads
// and decodes 100,000 files; on a warm cache that is CPU work, so two to four
// threads shorten it). Results are written by index, so the caller sees the
// same outcome whatever the interleaving: determinism is the caller's
// index order, never the threads' timing.
#pragma once

#include <cstddef>
#include <functional>

namespace covsigner::persistence {

/// Threads a load pass uses: hardware_concurrency clamped to [2, 4] (two
/// even on one core: half the time is spent in system calls).
unsigned load_pass_threads();

/// Calls `fn(i)` exactly once for every i in [0, n), on `threads` threads
/// (the calling thread is one of them; threads <= 1 or small n run inline),
/// and returns when every call has returned. Indices are handed out in
/// increasing blocks, so neighbouring files are read together.
/// Preconditions: `fn` is safe to call concurrently for distinct indices.
/// Errors: an exception thrown by `fn` (std::bad_alloc) is rethrown here
/// after every thread has stopped; the remaining indices are skipped.
void parallel_for_index(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& fn);

} // namespace covsigner::persistence
