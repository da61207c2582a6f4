#include "chain/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace covsigner::chain {
namespace {

using namespace std::chrono_literals;
using clock = circuit_breaker::clock;

TEST(CircuitBreaker, OpensAfterThresholdFailuresInsideTheWindow) {
  circuit_breaker b({3, 1000ms, 500ms});
  auto t0 = clock::time_point{} + 10s;
  EXPECT_TRUE(b.allow(t0));
  b.record_failure(t0);
  b.record_failure(t0 + 100ms);
  EXPECT_EQ(b.state(), breaker_state::closed);
  b.record_failure(t0 + 200ms);
  EXPECT_EQ(b.state(), breaker_state::open);
  EXPECT_FALSE(b.allow(t0 + 300ms));
  EXPECT_EQ(b.rejected(), 1u);
  EXPECT_EQ(b.total_failures(), 3u);
}

TEST(CircuitBreaker, ForgetsFailuresOlderThanTheWindow) {
  circuit_breaker b({3, 1000ms, 500ms});
  auto t0 = clock::time_point{} + 10s;
  b.record_failure(t0);
  b.record_failure(t0 + 100ms);
  b.record_failure(t0 + 1500ms); // the first two are outside the window now
  EXPECT_EQ(b.state(), breaker_state::closed);
  b.record_failure(t0 + 1600ms);
  b.record_failure(t0 + 1700ms);
  EXPECT_EQ(b.state(), breaker_state::open);
}

TEST(CircuitBreaker, HalfOpenLetsExactlyOneProbeThrough) {
  circuit_breaker b({1, 1000ms, 500ms});
  auto t0 = clock::time_point{} + 10s;
  b.record_failure(t0);
  ASSERT_EQ(b.state(), breaker_state::open);
  EXPECT_FALSE(b.allow(t0 + 499ms));
  EXPECT_TRUE(b.allow(t0 + 500ms)); // the probe
  EXPECT_EQ(b.state(), breaker_state::half_open);
  EXPECT_FALSE(b.allow(t0 + 501ms)); // a second caller while the probe is out
  b.record_success(t0 + 600ms);
  EXPECT_EQ(b.state(), breaker_state::closed);
  EXPECT_TRUE(b.allow(t0 + 601ms));
}

TEST(CircuitBreaker, FailedProbeReopensWithAFreshBackoff) {
  circuit_breaker b({1, 1000ms, 500ms});
  auto t0 = clock::time_point{} + 10s;
  b.record_failure(t0);
  ASSERT_TRUE(b.allow(t0 + 500ms));
  b.record_failure(t0 + 700ms);
  EXPECT_EQ(b.state(), breaker_state::open);
  EXPECT_FALSE(b.allow(t0 + 1100ms)); // backoff counts from the failed probe
  EXPECT_TRUE(b.allow(t0 + 1200ms));
}

TEST(CircuitBreaker, LateSuccessDoesNotCloseAnOpenBreaker) {
  circuit_breaker b({1, 1000ms, 500ms});
  auto t0 = clock::time_point{} + 10s;
  b.record_failure(t0);
  b.record_success(t0 + 10ms); // an answer to a call started before it opened
  EXPECT_EQ(b.state(), breaker_state::open);
  EXPECT_EQ(to_string(b.state()), "open");
}

} // namespace
} // namespace covsigner::chain
