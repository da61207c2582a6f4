// Token buckets (x/time/rate semantics as the reference's limiter, §1.4)
// on an injected clock, and per-identity isolation.
#include "transport/known_submissions.hpp"
#include "transport/rate_limiter.hpp"

#include <gtest/gtest.h>

using namespace covsigner::transport;
using namespace std::chrono_literals;

namespace {
const auto t0 = token_bucket::clock::time_point{} + 1h;
}

TEST(TokenBucket, StartsFullWithTheBurstThenRefusesWithRetryAfter) {
  token_bucket b({5, 5}, t0); // the reference's submit budget: 5/min, burst 5
  for (int i = 0; i < 5; ++i)
    EXPECT_FALSE(b.take(t0)) << i;
  auto wait = b.take(t0);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 12s); // one token per 12 s
}

TEST(TokenBucket, RefillsAtTheRateUpToTheBurst) {
  token_bucket b({60, 2}, t0);
  EXPECT_FALSE(b.take(t0));
  EXPECT_FALSE(b.take(t0));
  EXPECT_TRUE(b.take(t0));
  EXPECT_EQ(*b.take(t0 + 500ms), 1s); // half a token: rounded up to 1 s
  EXPECT_FALSE(b.take(t0 + 1s));
  EXPECT_TRUE(b.take(t0 + 1s));
  // A long pause saves no more than the burst.
  EXPECT_FALSE(b.take(t0 + 1h));
  EXPECT_FALSE(b.take(t0 + 1h));
  EXPECT_TRUE(b.take(t0 + 1h));
}

TEST(TokenBucket, RefundGivesOneTokenBackNeverAboveTheBurst) {
  token_bucket b({1, 1}, t0);
  EXPECT_FALSE(b.take(t0));
  EXPECT_TRUE(b.take(t0));
  b.refund(t0);
  EXPECT_FALSE(b.take(t0));
  b.refund(t0);
  b.refund(t0);
  EXPECT_FALSE(b.take(t0));
  EXPECT_TRUE(b.take(t0));
}

TEST(TokenBucket, ZeroRateIsUnlimited) {
  token_bucket b({0, 0}, t0);
  for (int i = 0; i < 1000; ++i)
    EXPECT_FALSE(b.take(t0));
}

TEST(RateLimiter, IdentitiesHaveSeparateBuckets) {
  rate_limiter limits({2, 2});
  EXPECT_FALSE(limits.take(0, t0));
  EXPECT_FALSE(limits.take(0, t0));
  EXPECT_TRUE(limits.take(0, t0));
  EXPECT_FALSE(limits.take(1, t0));
  EXPECT_FALSE(limits.take(1, t0));
  EXPECT_TRUE(limits.take(1, t0));
  limits.refund(0, t0);
  EXPECT_FALSE(limits.take(0, t0));
  EXPECT_TRUE(limits.take(1, t0));
}

TEST(KnownSubmissions, MatchesKeyAndDigestAndForgetsTheOldestBeyondCapacity) {
  known_submissions known(2);
  known.remember("qc_v1:a", "0x01");
  EXPECT_TRUE(known.contains("qc_v1:a", "0x01"));
  EXPECT_FALSE(known.contains("qc_v1:a", "0x02"));
  EXPECT_FALSE(known.contains("self_v1:a", "0x01"));
  known.remember("qc_v1:b", "0x02");
  known.remember("qc_v1:c", "0x03");
  EXPECT_FALSE(known.contains("qc_v1:a", "0x01"));
  EXPECT_TRUE(known.contains("qc_v1:b", "0x02"));
  EXPECT_TRUE(known.contains("qc_v1:c", "0x03"));
}
