// random_bytes and constant_time_equal.
#include "crypto/constant_time.hpp"
#include "crypto/random.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace covsigner::crypto {
namespace {

TEST(RandomBytes, LengthsAndDistinctness) {
  EXPECT_TRUE(random_bytes(0).empty());
  EXPECT_EQ(random_bytes(1).size(), 1u);
  EXPECT_EQ(random_bytes(4096).size(), 4096u);
  // 32-byte draws colliding would mean a broken generator (p ~ 2^-256).
  std::set<bytes> seen;
  for (int i = 0; i < 64; ++i)
    EXPECT_TRUE(seen.insert(random_bytes(32)).second);
}

TEST(RandomBytes, NotConstantWithinADraw) {
  // A stuck generator (all bytes equal) over 1 KiB has probability 2^-8184.
  bytes b = random_bytes(1024);
  std::set<std::uint8_t> values(b.begin(), b.end());
  EXPECT_GT(values.size(), 100u);
}

TEST(ConstantTimeEqual, Semantics) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("s3cret-token", "s3cret-token"));
  EXPECT_FALSE(constant_time_equal("s3cret-token", "s3cret-tokeN"));
  EXPECT_FALSE(constant_time_equal("s3cret-token", "S3cret-token"));
  EXPECT_FALSE(constant_time_equal("s3cret", "s3cret-token")); // prefix
  EXPECT_FALSE(constant_time_equal("", "x"));
  // Embedded NULs are data, not terminators.
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
  EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
}

} // namespace
} // namespace covsigner::crypto
