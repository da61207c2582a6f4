// THROWAWAY (issue 21): proves make test-asan and make test-tsan catch what
// they are for. Reverted in the next commit.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

TEST(NetCatch, DeliberateDataRace) {
  int counter = 0; // written by two threads with no synchronisation
  std::thread a([&] { for (int i = 0; i < 10000; ++i) ++counter; });
  std::thread b([&] { for (int i = 0; i < 10000; ++i) ++counter; });
  a.join();
  b.join();
  EXPECT_GT(counter, 0);
}
