// chain_head's published height (what HTTP workers read per request) and
// the fault switch's per-source targeting used by the outage tests.
#include "chain/fault_switch.hpp"
#include "chain/published_height.hpp"

#include <gtest/gtest.h>

using namespace covsigner;
using namespace std::chrono_literals;

TEST(PublishedHeight, UnknownUntilFirstPublished) {
  chain::published_height h(1000ms);
  auto r = h.read();
  EXPECT_FALSE(r.fresh);
  EXPECT_EQ(r.cause, "chain_head: host chain height is not known yet");
  h.publish_failure("rpc down");
  EXPECT_EQ(h.read().cause, "chain_head: host chain height is not known yet; last error: rpc down");
}

TEST(PublishedHeight, FreshUpToTheMaximumAgeThenStaleWithTheLastError) {
  chain::published_height h(1000ms);
  auto t0 = std::chrono::steady_clock::now();
  h.publish(1234, t0);
  auto r = h.read(t0 + 1000ms); // the maximum age itself is still fresh
  EXPECT_TRUE(r.fresh);
  EXPECT_EQ(r.height, 1234u);
  EXPECT_EQ(r.age_ms, 1000u);
  EXPECT_TRUE(r.cause.empty());
  h.publish_failure("fixture host chain failed (simulated fault)");
  r = h.read(t0 + 1001ms);
  EXPECT_FALSE(r.fresh);
  EXPECT_EQ(r.height, 1234u);
  EXPECT_EQ(r.cause, "chain_head: host chain height 1234 is stale: fetched 1001 ms ago, maximum "
                     "age 1000 ms; last error: fixture host chain failed (simulated fault)");
  // A new fetch clears the error and makes it fresh again.
  h.publish(1235, t0 + 1500ms);
  r = h.read(t0 + 1600ms);
  EXPECT_TRUE(r.fresh);
  EXPECT_EQ(r.height, 1235u);
}

TEST(FaultSwitch, TargetsOnlyTheNamedSource) {
  chain::fault_switch faults;
  faults.set(chain::fault_mode::fail, 0ms, "WalletRegistry");
  EXPECT_EQ(faults.apply("fixture WalletRegistry"),
            std::optional<std::string>("fixture WalletRegistry failed (simulated fault)"));
  EXPECT_EQ(faults.apply("fixture Bridge"), std::nullopt);
  faults.set(chain::fault_mode::fail);
  EXPECT_TRUE(faults.apply("fixture Bridge"));
  faults.set(chain::fault_mode::none);
  EXPECT_FALSE(faults.apply("fixture WalletRegistry"));
}
