// The job file format: Go json.Marshal bytes of the Job struct (reference
// §2.2 field order and omitempty rules, §4.2 compact + HTML escaping).
#include "persistence/job_file.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

using namespace covsigner;
using namespace covsigner::persistence;
using covsigner::persistence::testing::sample_job;

namespace {

const std::string digest = "0x" + std::string(64, 'a');

covenant::job full_job() {
  auto j = sample_job("kcs_self_1a2b3c4d5e6f7a8b", "ors_123");
  j.depositor_eth_address = "0x1111111111111111111111111111111111111111";
  j.state = covenant::job_state::artifact_ready;
  j.detail = "signed <ok> & done";
  j.reason = "";
  j.updated_at = "2026-03-09T00:00:01.5Z";
  j.completed_at = "2026-03-09T00:00:01.5Z";
  j.psbt_hash = "0xbb";
  j.transaction_hex = "0200";
  j.handoff_json = R"({"bundle":"<x>","n":1})";
  return j;
}

} // namespace

TEST(JobFile, EncodesMinimalJobInGoFieldOrderWithOmitempty) {
  auto j = sample_job("kcs_self_1a2b3c4d5e6f7a8b", "ors_123");
  EXPECT_EQ(encode_job_file(j),
            R"({"requestId":"kcs_self_1a2b3c4d5e6f7a8b","routeRequestId":"ors_123","route":"self_v1",)"
            R"("idempotencyKey":"idem-ors_123","facadeRequestId":"facade-ors_123","requestDigest":")" +
              digest +
              R"(","state":"SUBMITTED","createdAt":"2026-03-09T00:00:00Z","updatedAt":"2026-03-09T00:00:00Z",)"
              R"("request":{"facadeRequestId":"facade-ors_123","route":"self_v1","routeRequestId":"ors_123",)"
              R"("strategy":"\u003ca\u0026b\u003e"}})");
}

TEST(JobFile, EncodesEveryFieldWithHtmlEscaping) {
  EXPECT_EQ(encode_job_file(full_job()),
            R"({"requestId":"kcs_self_1a2b3c4d5e6f7a8b","routeRequestId":"ors_123","route":"self_v1",)"
            R"("idempotencyKey":"idem-ors_123","facadeRequestId":"facade-ors_123","requestDigest":")" +
              digest +
              R"(","depositorEthAddress":"0x1111111111111111111111111111111111111111","state":"ARTIFACT_READY",)"
              R"("detail":"signed \u003cok\u003e \u0026 done","createdAt":"2026-03-09T00:00:00Z",)"
              R"("updatedAt":"2026-03-09T00:00:01.5Z","completedAt":"2026-03-09T00:00:01.5Z",)"
              R"("request":{"facadeRequestId":"facade-ors_123","route":"self_v1","routeRequestId":"ors_123",)"
              R"("strategy":"\u003ca\u0026b\u003e"},"psbtHash":"0xbb","transactionHex":"0200",)"
              R"("handoff":{"bundle":"\u003cx\u003e","n":1}})");
}

TEST(JobFile, RoundTripsBothWays) {
  for (const auto& j : {sample_job("kcs_qc_0011223344556677", "r1", "2026-03-09T00:00:00Z", "qc_v1"), full_job()}) {
    auto bytes = encode_job_file(j);
    auto decoded = decode_job_file(bytes);
    ASSERT_TRUE(std::holds_alternative<covenant::job>(decoded)) << std::get<decode_error>(decoded).message;
    EXPECT_EQ(std::get<covenant::job>(decoded), j);
    EXPECT_EQ(encode_job_file(std::get<covenant::job>(decoded)), bytes);
  }
}

TEST(JobFile, DecodeIgnoresUnknownKeysAndTreatsNullAsEmpty) {
  auto decoded = decode_job_file(
    R"({"requestId":"kcs_qc_1","routeRequestId":"r","route":"qc_v1","future":[1,2],"detail":null,)"
    R"("state":"PENDING","request":{"a":1}})");
  ASSERT_TRUE(std::holds_alternative<covenant::job>(decoded));
  const auto& j = std::get<covenant::job>(decoded);
  EXPECT_EQ(j.state, covenant::job_state::pending);
  EXPECT_EQ(j.detail, "");
  EXPECT_EQ(j.request_json, R"({"a":1})");
}

TEST(JobFile, ClassifiesDamage) {
  auto bytes = encode_job_file(full_job());
  struct tcase {
    std::string bytes;
    decode_failure kind;
  };
  std::vector<tcase> cases = {
    {"", decode_failure::empty},
    {" \n\t", decode_failure::empty},
    {bytes.substr(0, bytes.size() / 2), decode_failure::truncated},
    {bytes.substr(0, bytes.size() - 1), decode_failure::truncated},
    {"not json at all", decode_failure::malformed},
    {bytes + "}", decode_failure::malformed},
    {std::string("{\"requestId\":\x01}"), decode_failure::malformed},
    {"[]", decode_failure::wrong_type},
    {"\"a string\"", decode_failure::wrong_type},
    {R"({"requestId":7,"routeRequestId":"r","route":"qc_v1","state":"PENDING","request":{}})",
     decode_failure::wrong_type},
    {R"({"requestId":"x","routeRequestId":"r","route":"qc_v1","state":"DONE","request":{}})",
     decode_failure::wrong_type},
    {R"({"requestId":"x","routeRequestId":"r","route":"qc_v1","state":"PENDING"})", decode_failure::wrong_type},
    {R"({"requestId":"x","routeRequestId":"r","route":"qc_v1","state":"PENDING","request":[]})",
     decode_failure::wrong_type},
    {R"({"requestId":"x","route":"qc_v1","state":"PENDING","request":{}})", decode_failure::wrong_type},
    {R"({"requestId":"x","routeRequestId":"r","route":"qc_v1","state":"PENDING","request":{},"handoff":"h"})",
     decode_failure::wrong_type},
    {R"({"requestId":"x","routeRequestId":"r","route":"qc_v1","state":"PENDING","request":{},"updatedAt":5})",
     decode_failure::wrong_type},
  };
  for (const auto& c : cases) {
    auto decoded = decode_job_file(c.bytes);
    ASSERT_TRUE(std::holds_alternative<decode_error>(decoded)) << c.bytes;
    EXPECT_EQ(std::get<decode_error>(decoded).kind, c.kind) << c.bytes;
  }
}

TEST(JobFile, RecoversRouteKeyFromReadablePrefix) {
  auto bytes = encode_job_file(full_job());
  // Go writes requestId, routeRequestId, route first, so any cut after
  // `route` still attributes the file.
  auto route_end = bytes.find("\"self_v1\"") + std::string("\"self_v1\"").size();
  for (std::size_t cut = route_end; cut <= bytes.size(); cut += 7)
    EXPECT_EQ(recover_route_key(bytes.substr(0, cut)), "self_v1:ors_123") << cut;
  // Garbage after the prefix.
  EXPECT_EQ(recover_route_key(bytes.substr(0, route_end) + ",\"x\":@@@"), "self_v1:ors_123");
  // Cut inside the route string, or before it: not attributable.
  EXPECT_EQ(recover_route_key(bytes.substr(0, route_end - 2)), std::nullopt);
  EXPECT_EQ(recover_route_key(bytes.substr(0, 20)), std::nullopt);
  EXPECT_EQ(recover_route_key(""), std::nullopt);
  EXPECT_EQ(recover_route_key("\x7f\x45LF binary"), std::nullopt);
  // Nested keys with the same names do not count.
  EXPECT_EQ(recover_route_key(R"({"request":{"route":"qc_v1","routeRequestId":"r"},"x":)"), std::nullopt);
  // Escaped characters are decoded.
  EXPECT_EQ(recover_route_key(R"({"requestId":"a","routeRequestId":"a\u003cb","route":"qc_v1",)"), "qc_v1:a<b");
}

TEST(JobFile, MarkerAndTombstoneRoundTripAndShareThePrefix) {
  route_marker m{"kcs_qc_1", "qc_v1", "r1", digest, sha256_hex("x")};
  auto mb = encode_route_marker(m);
  EXPECT_EQ(mb, R"({"requestId":"kcs_qc_1","routeRequestId":"r1","route":"qc_v1","requestDigest":")" + digest +
                  R"(","jobFileSha256":"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"})");
  EXPECT_EQ(std::get<route_marker>(decode_route_marker(mb)), m);
  EXPECT_EQ(recover_route_key(mb.substr(0, mb.size() - 10)), "qc_v1:r1");

  tombstone t{"kcs_qc_1", "qc_v1", "r1", digest, covenant::job_state::handoff_ready, "2026-03-10T00:00:00Z"};
  auto tb = encode_tombstone(t);
  EXPECT_EQ(std::get<tombstone>(decode_tombstone(tb)), t);
  EXPECT_EQ(recover_route_key(tb.substr(0, tb.size() - 10)), "qc_v1:r1");
  EXPECT_TRUE(std::holds_alternative<decode_error>(decode_route_marker("{}")));
  EXPECT_TRUE(std::holds_alternative<decode_error>(decode_tombstone(tb.substr(0, 30))));
}

TEST(JobFile, Sha256MatchesFips180Vector) {
  // FIPS 180-2 appendix B.1: SHA-256("abc").
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(JobFile, SafeRequestIds) {
  EXPECT_TRUE(is_safe_request_id("kcs_self_1a2b3c4d5e6f7a8b"));
  EXPECT_TRUE(is_safe_request_id(std::string(128, 'a')));
  EXPECT_FALSE(is_safe_request_id(std::string(129, 'a')));
  for (const char* bad : {"", ".", "..", "a/b", "a b", "a.json", "\xc3\xa9"})
    EXPECT_FALSE(is_safe_request_id(bad)) << bad;
}
