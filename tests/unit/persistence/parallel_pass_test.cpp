// parallel_for_index: the fork-join helper behind the load's read pass.
#include "persistence/parallel_pass.hpp"

#include <atomic>
#include <gtest/gtest.h>
#include <new>
#include <stdexcept>
#include <vector>

using namespace covsigner::persistence;

TEST(ParallelPass, CallsEveryIndexExactlyOnce) {
  for (std::size_t n : {0u, 1u, 31u, 32u, 33u, 1000u, 4097u}) {
    for (unsigned threads : {1u, 2u, 4u}) {
      std::vector<std::atomic<int>> calls(n);
      parallel_for_index(n, threads, [&](std::size_t i) { ++calls[i]; });
      for (std::size_t i = 0; i < n; ++i)
        ASSERT_EQ(calls[i].load(), 1) << "n=" << n << " threads=" << threads << " i=" << i;
    }
  }
}

TEST(ParallelPass, RethrowsAfterEveryThreadStopped) {
  std::atomic<int> running{0};
  EXPECT_THROW(parallel_for_index(10000, 4,
                                  [&](std::size_t i) {
                                    ++running;
                                    if (i == 5000)
                                      throw std::bad_alloc{};
                                    --running;
                                  }),
               std::bad_alloc);
  // Only the throwing call is left counted: every other call had returned
  // before parallel_for_index did.
  EXPECT_EQ(running.load(), 1);
}

TEST(ParallelPass, UsesTwoToFourThreads) {
  EXPECT_GE(load_pass_threads(), 2u);
  EXPECT_LE(load_pass_threads(), 4u);
}
