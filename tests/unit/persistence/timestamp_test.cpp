// RFC3339Nano as Go's time package formats and parses it (reference §2.2).
// Expected strings follow Go's documented layout
// "2006-01-02T15:04:05.999999999Z07:00" (pkg.go.dev/time#pkg-constants).
#include "persistence/timestamp.hpp"

#include <gtest/gtest.h>

using namespace covsigner::persistence;
using namespace std::chrono;

namespace {

timestamp at(int y, unsigned m, unsigned d, int hh, int mm, int ss, long long ns = 0) {
  return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss} + nanoseconds{ns};
}

} // namespace

TEST(Timestamp, FormatsWholeSecondsWithoutFraction) {
  EXPECT_EQ(format_rfc3339nano(at(2026, 3, 9, 0, 0, 0)), "2026-03-09T00:00:00Z");
}

TEST(Timestamp, TrimsTrailingZerosOfTheFraction) {
  EXPECT_EQ(format_rfc3339nano(at(2026, 3, 9, 12, 34, 56, 120000000)), "2026-03-09T12:34:56.12Z");
  EXPECT_EQ(format_rfc3339nano(at(2026, 3, 9, 12, 34, 56, 1)), "2026-03-09T12:34:56.000000001Z");
  EXPECT_EQ(format_rfc3339nano(at(1999, 12, 31, 23, 59, 59, 999999999)), "1999-12-31T23:59:59.999999999Z");
}

TEST(Timestamp, RoundTripsNow) {
  auto now = time_point_cast<nanoseconds>(system_clock::now());
  auto parsed = parse_rfc3339nano(format_rfc3339nano(now));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, now);
  EXPECT_TRUE(parse_rfc3339nano(now_rfc3339nano()));
}

TEST(Timestamp, ParsesOffsetsToTheSameInstant) {
  auto utc = parse_rfc3339nano("2026-03-09T00:00:00Z");
  auto plus = parse_rfc3339nano("2026-03-09T02:30:00+02:30");
  auto minus = parse_rfc3339nano("2026-03-08T19:00:00-05:00");
  ASSERT_TRUE(utc && plus && minus);
  EXPECT_EQ(*utc, at(2026, 3, 9, 0, 0, 0));
  EXPECT_EQ(*plus, *utc);
  EXPECT_EQ(*minus, *utc);
}

TEST(Timestamp, ParsesFractionsOfAnyLengthUpToNine) {
  EXPECT_EQ(parse_rfc3339nano("2026-03-09T00:00:00.5Z"), at(2026, 3, 9, 0, 0, 0, 500000000));
  EXPECT_EQ(parse_rfc3339nano("2026-03-09T00:00:00.123456789Z"), at(2026, 3, 9, 0, 0, 0, 123456789));
  // Go keeps nine digits and ignores the rest.
  EXPECT_EQ(parse_rfc3339nano("2026-03-09T00:00:00.1234567891Z"), at(2026, 3, 9, 0, 0, 0, 123456789));
}

TEST(Timestamp, RejectsWhatGoRejects) {
  for (const char* bad : {"", "not-a-timestamp", "2026-03-09", "2026-03-09T00:00:00", "2026-03-09 00:00:00Z",
                          "2026-03-09t00:00:00Z", "2026-3-09T00:00:00Z", "2026-02-30T00:00:00Z",
                          "2026-13-01T00:00:00Z", "2026-03-09T24:00:00Z", "2026-03-09T00:60:00Z",
                          "2026-03-09T00:00:60Z", "2026-03-09T00:00:00.Z", "2026-03-09T00:00:00+0200",
                          "2026-03-09T00:00:00+24:00", "2026-03-09T00:00:00Zjunk", "2026-03-09T00:00:00z"}) {
    EXPECT_FALSE(parse_rfc3339nano(bad)) << bad;
  }
  EXPECT_TRUE(parse_rfc3339nano("2024-02-29T00:00:00Z")); // leap day
  EXPECT_FALSE(parse_rfc3339nano("2025-02-29T00:00:00Z"));
}
