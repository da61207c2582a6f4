// The memo of prepared submits: keyed by the exact bytes, bounded, and
// valid only while the request's time-bound checks (plan-quote freshness,
// certificate expiry against a fresh host-chain height) still pass.
#include "transport/prepared_submits.hpp"

#include <gtest/gtest.h>

using covsigner::messages::submit_command;
using covsigner::transport::memo_clock;
using covsigner::transport::prepared_submits;

namespace {

submit_command command_for(std::string request_json) {
  submit_command cmd;
  cmd.draft.request_digest = "0xaa";
  cmd.draft.request_json = std::move(request_json);
  return cmd;
}

// 2026-01-01T00:00:00.000Z
constexpr std::int64_t quote_expiry_ms = 1767225600000;

memo_clock at_ms(std::int64_t ms, std::optional<std::uint64_t> height = std::nullopt) {
  return {std::chrono::system_clock::time_point{std::chrono::milliseconds(ms)}, height};
}

} // namespace

TEST(PreparedSubmits, RemembersByExactRouteAndBodyBytes) {
  prepared_submits memo(2);
  auto cmd = command_for("{}");
  memo.remember("qc_v1", "{\"a\":1}", cmd);
  auto hit = memo.find("qc_v1", "{\"a\":1}");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->draft.request_digest, "0xaa");
  EXPECT_FALSE(memo.find("qc_v1", "{\"a\":1} "));  // one byte differs
  EXPECT_FALSE(memo.find("self_v1", "{\"a\":1}")); // another route
  memo.remember("qc_v1", "b", cmd);
  memo.remember("qc_v1", "c", cmd);
  EXPECT_FALSE(memo.find("qc_v1", "{\"a\":1}")); // the oldest is forgotten
  EXPECT_TRUE(memo.find("qc_v1", "c"));
}

TEST(PreparedSubmits, AQuoteIsReusedUntilItsExpiryAndNotAfter) {
  prepared_submits memo;
  memo.remember("qc_v1", "body",
                command_for(R"({"migrationPlanQuote":{"expiresAt":"2026-01-01T00:00:00.000Z"}})"));
  EXPECT_TRUE(memo.find("qc_v1", "body", at_ms(quote_expiry_ms - 1)));
  EXPECT_TRUE(memo.find("qc_v1", "body", at_ms(quote_expiry_ms))); // expiresAt >= now
  EXPECT_FALSE(memo.find("qc_v1", "body", at_ms(quote_expiry_ms + 1)));
}

TEST(PreparedSubmits, ACertificateIsReusedOnlyWithAFreshHeightAtOrBelowItsEndBlock) {
  prepared_submits memo;
  memo.remember("qc_v1", "body", command_for(R"({"signerApproval":{"endBlock":100}})"));
  EXPECT_TRUE(memo.find("qc_v1", "body", at_ms(0, 99)));
  EXPECT_TRUE(memo.find("qc_v1", "body", at_ms(0, 100))); // endBlock is inclusive
  EXPECT_FALSE(memo.find("qc_v1", "body", at_ms(0, 101)));
  EXPECT_FALSE(memo.find("qc_v1", "body", at_ms(0))); // no fresh height: validate afresh
}

TEST(PreparedSubmits, RequestsWithoutTimeBoundsIgnoreTheClock) {
  prepared_submits memo;
  memo.remember("qc_v1", "body",
                command_for(R"({"migrationPlanQuote":null,"signerApproval":null})"));
  EXPECT_TRUE(memo.find("qc_v1", "body", at_ms(0)));
}

TEST(PreparedSubmits, UnreadableTimeBoundsAreNeverRemembered) {
  prepared_submits memo;
  memo.remember("qc_v1", "a", command_for(R"({"signerApproval":{"endBlock":"soon"}})"));
  memo.remember("qc_v1", "b", command_for(R"({"migrationPlanQuote":{"expiresAt":"tomorrow"}})"));
  memo.remember("qc_v1", "c", command_for("not json"));
  EXPECT_FALSE(memo.find("qc_v1", "a", at_ms(0, 1)));
  EXPECT_FALSE(memo.find("qc_v1", "b", at_ms(0, 1)));
  EXPECT_FALSE(memo.find("qc_v1", "c", at_ms(0, 1)));
}
