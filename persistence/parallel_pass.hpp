// A small fork-join helper for the store's read-only passes (the load reads
// and decodes 100,000 files; on a warm cache that is CPU work, so two to four
// threads shorten it). Results are written by index, so the caller sees the
// same outcome whatever the interleaving: determinism is the caller's
// index order, never the threads' timing.
#pragma once

#include <cstddef>
#include <functional>

namespace covsigner::persistence {

/// Threads a load pass uses: two per core, clamped to [2, 4] (half of a
/// warm pass is system calls, and a cold one waits on the disk, so a core
/// has work for a second thread).
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
