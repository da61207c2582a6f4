// Go encoding/json decoding semantics (reference §1.5, §5.1). Expected
// messages are Go's own decoder texts (encoding/json decode.go).
#include "covenant/request.hpp"
#include "covenant/strict_json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cv = covsigner::covenant;
namespace sj = covsigner::covenant::strict_json;

namespace {

std::string minimal_submit(const std::string& request_members) {
  return R"({"routeRequestId":"ors_1","stage":"SIGNER_COORDINATION","request":{)" +
         request_members + "}}";
}

cv::submit_input must_decode(const std::string& body) {
  auto r = cv::decode_submit_input(body);
  if (auto* e = std::get_if<cv::input_error>(&r))
    ADD_FAILURE() << "decode failed: " << e->detail;
  return std::get<cv::submit_input>(r);
}

std::string decode_detail(const std::string& body) {
  auto r = cv::decode_submit_input(body);
  auto* e = std::get_if<cv::input_error>(&r);
  if (!e)
    return "<accepted>";
  EXPECT_EQ(e->message, "malformed request body");
  return e->detail;
}

} // namespace

TEST(StrictJson, DecodesMinimalSubmit) {
  auto in = must_decode(minimal_submit(R"("epoch":12,"route":"qc_v1")"));
  EXPECT_EQ(in.route_request_id, "ors_1");
  EXPECT_EQ(in.stage, "SIGNER_COORDINATION");
  EXPECT_EQ(in.request.epoch, 12u);
  EXPECT_EQ(in.request.route, "qc_v1");
}

TEST(StrictJson, RejectsUnknownFieldsAtEveryLevel) {
  EXPECT_EQ(decode_detail(R"({"routeRequestId":"a","extra":1})"), "json: unknown field \"extra\"");
  EXPECT_EQ(decode_detail(minimal_submit(R"("bogus":true)")), "json: unknown field \"bogus\"");
  EXPECT_EQ(decode_detail(minimal_submit(R"("activeOutpoint":{"txid":"0x","nope":1})")),
            "json: unknown field \"nope\"");
  EXPECT_EQ(decode_detail(minimal_submit(
                R"("artifactApprovals":{"payload":{"approvalVersion":2,"x":1},"approvals":[]})")),
            "json: unknown field \"x\"");
  EXPECT_EQ(decode_detail(minimal_submit(R"("artifacts":{"MIGRATION":{"psbtHash":"0x","y":2}})")),
            "json: unknown field \"y\"");
}

TEST(StrictJson, RejectsTrailingContent) {
  std::string body = minimal_submit(R"("epoch":1)");
  EXPECT_EQ(decode_detail(body + " {}"), "unexpected trailing content after JSON object");
  EXPECT_EQ(decode_detail(body + "]"), "unexpected trailing content after JSON object");
  EXPECT_EQ(decode_detail(body + "x"), "unexpected trailing content after JSON object");
  // Whitespace, including a trailing newline, is fine.
  EXPECT_EQ(decode_detail(body + " \n\t\r"), "<accepted>");
}

TEST(StrictJson, GoMoreRuleToleratesClosingBracket) {
  // strictUnmarshal only asks Decoder.More(), which is false before ] or }.
  EXPECT_TRUE(std::holds_alternative<sj::node>(sj::parse("{}]", sj::trailing_policy::go_more)));
  EXPECT_TRUE(std::holds_alternative<sj::node>(sj::parse("{} }x", sj::trailing_policy::go_more)));
  EXPECT_FALSE(std::holds_alternative<sj::node>(sj::parse("{} 1", sj::trailing_policy::go_more)));
}

TEST(StrictJson, EmptyAndSyntaxErrorsAreMalformed) {
  EXPECT_EQ(decode_detail(""), "EOF");
  EXPECT_EQ(decode_detail("  \n"), "EOF");
  EXPECT_NE(decode_detail("{"), "<accepted>");
  EXPECT_NE(decode_detail(R"({"a":1,})"), "<accepted>");
  EXPECT_NE(decode_detail(R"({"epoch":01})"), "<accepted>");
  EXPECT_NE(decode_detail("{/*c*/}"), "<accepted>");
  EXPECT_NE(decode_detail("[]"), "<accepted>");
}

TEST(StrictJson, KeysMatchCaseInsensitively) {
  auto in = must_decode(R"({"ROUTEREQUESTID":"x","Stage":"s","REQUEST":{"Epoch":7,"rOuTe":"qc_v1"}})");
  EXPECT_EQ(in.route_request_id, "x");
  EXPECT_EQ(in.stage, "s");
  EXPECT_EQ(in.request.epoch, 7u);
  EXPECT_EQ(in.request.route, "qc_v1");
  // Go's foldName maps U+017F (long s) to 'S' and U+0131 (dotless i) to 'I'.
  auto folded = must_decode("{\"\xc5\xbftage\":\"a\",\"routeRequest\xc4\xb1" "d\":\"b\"}");
  EXPECT_EQ(folded.stage, "a");
  EXPECT_EQ(folded.route_request_id, "b");
  // The Kelvin sign no longer folds onto 'k' (Go 1.21+).
  EXPECT_EQ(decode_detail("{\"routeRequestId\":\"a\",\"request\":{\"idempotency\xe2\x84\xaa" "ey\":\"k\"}}"),
            "json: unknown field \"idempotency\xe2\x84\xaa" "ey\"");
}

TEST(StrictJson, DuplicateKeysLastWinsInDocumentOrder) {
  auto in = must_decode(minimal_submit(R"("epoch":1,"EPOCH":2,"epoch":3)"));
  EXPECT_EQ(in.request.epoch, 3u);
  auto in2 = must_decode(minimal_submit(R"("epoch":1,"epoch":2,"Epoch":3,"epoch":4,"EPOCH":5)"));
  EXPECT_EQ(in2.request.epoch, 5u);
}

TEST(StrictJson, DuplicateObjectsMergeLikeGo) {
  // Go decodes a repeated struct member into the value already there.
  auto in = must_decode(minimal_submit(
      R"("activeOutpoint":{"txid":"0xaa"},"activeOutpoint":{"vout":3},)"
      R"("signerApproval":{"signature":"0x01"},"signerApproval":{"endBlock":9},)"
      R"("artifacts":{"MIGRATION":{"psbtHash":"0x01"}},"artifacts":{"COOPERATIVE":{"psbtHash":"0x02"}})"));
  EXPECT_EQ(in.request.active_outpoint.txid, "0xaa");
  EXPECT_EQ(in.request.active_outpoint.vout, 3u);
  ASSERT_TRUE(in.request.signer_approval);
  EXPECT_EQ(in.request.signer_approval->signature, "0x01");
  EXPECT_EQ(in.request.signer_approval->end_block, 9u);
  ASSERT_TRUE(in.request.artifacts);
  EXPECT_EQ(in.request.artifacts->size(), 2u);
  // Map elements themselves are replaced, not merged.
  auto in2 = must_decode(minimal_submit(
      R"("artifacts":{"MIGRATION":{"psbtHash":"0x01"},"MIGRATION":{"transactionId":"0x02"}})"));
  EXPECT_EQ(in2.request.artifacts->at("MIGRATION").psbt_hash, "");
  EXPECT_EQ(in2.request.artifacts->at("MIGRATION").transaction_id, "0x02");
}

TEST(StrictJson, NullLeavesZeroValues) {
  auto in = must_decode(minimal_submit(
      R"("epoch":5,"epoch":null,"signerApproval":{"endBlock":1},"signerApproval":null,)"
      R"("artifacts":null,"artifactSignatures":null,"scriptTemplate":null,"activeOutpoint":null)"));
  EXPECT_EQ(in.request.epoch, 5u); // null on a scalar has no effect
  EXPECT_FALSE(in.request.signer_approval);
  EXPECT_FALSE(in.request.artifacts);
  EXPECT_FALSE(in.request.artifact_signatures);
  ASSERT_TRUE(in.request.script_template); // RawMessage keeps the null literal
  EXPECT_EQ(in.request.script_template->type, sj::node::kind::null);
  auto cert = must_decode(minimal_submit(R"("signerApproval":{"endBlock":7,"endBlock":null})"));
  ASSERT_TRUE(cert.request.signer_approval);
  EXPECT_FALSE(cert.request.signer_approval->end_block);
}

TEST(StrictJson, EmptyAndAbsentCollectionsDiffer) {
  auto empty = must_decode(minimal_submit(R"("artifacts":{},"artifactSignatures":[])"));
  ASSERT_TRUE(empty.request.artifacts);
  EXPECT_TRUE(empty.request.artifacts->empty());
  ASSERT_TRUE(empty.request.artifact_signatures);
  auto absent = must_decode(minimal_submit(R"("epoch":1)"));
  EXPECT_FALSE(absent.request.artifacts);
  EXPECT_FALSE(absent.request.artifact_signatures);
  EXPECT_FALSE(absent.request.script_template);
}

TEST(StrictJson, IntegerFieldsAreRangeChecked) {
  EXPECT_EQ(decode_detail(minimal_submit(R"("epoch":-1)")),
            "json: cannot unmarshal number -1 into Go struct field RouteSubmitRequest.request.epoch "
            "of type uint64");
  EXPECT_EQ(decode_detail(minimal_submit(R"("epoch":18446744073709551616)")),
            "json: cannot unmarshal number 18446744073709551616 into Go struct field "
            "RouteSubmitRequest.request.epoch of type uint64");
  EXPECT_EQ(decode_detail(minimal_submit(R"("epoch":1.0)")),
            "json: cannot unmarshal number 1.0 into Go struct field RouteSubmitRequest.request.epoch "
            "of type uint64");
  EXPECT_EQ(decode_detail(minimal_submit(R"("epoch":1e2)")),
            "json: cannot unmarshal number 1e2 into Go struct field RouteSubmitRequest.request.epoch "
            "of type uint64");
  EXPECT_EQ(decode_detail(minimal_submit(R"("epoch":-0)")),
            "json: cannot unmarshal number -0 into Go struct field RouteSubmitRequest.request.epoch "
            "of type uint64");
  EXPECT_EQ(decode_detail(minimal_submit(R"("activeOutpoint":{"vout":4294967296})")),
            "json: cannot unmarshal number 4294967296 into Go struct field "
            "CovenantOutpoint.request.activeOutpoint.vout of type uint32");
  EXPECT_EQ(decode_detail(minimal_submit(R"("signerApproval":{"activeMembers":[1,-2]})")),
            "json: cannot unmarshal number -2 into Go struct field "
            "SignerApprovalCertificate.request.signerApproval.activeMembers of type uint32");
  auto max = must_decode(minimal_submit(
      R"("epoch":18446744073709551615,"activeOutpoint":{"vout":4294967295},"signerApproval":{"endBlock":18446744073709551615})"));
  EXPECT_EQ(max.request.epoch, 18446744073709551615ull);
  EXPECT_EQ(max.request.active_outpoint.vout, 4294967295u);
  EXPECT_EQ(max.request.signer_approval->end_block, 18446744073709551615ull);
}

TEST(StrictJson, TypeMismatchesUseGoWording) {
  EXPECT_EQ(decode_detail(minimal_submit(R"("epoch":"12")")),
            "json: cannot unmarshal string into Go struct field RouteSubmitRequest.request.epoch of "
            "type uint64");
  EXPECT_EQ(decode_detail(minimal_submit(R"("route":5)")),
            "json: cannot unmarshal number into Go struct field RouteSubmitRequest.request.route of "
            "type covenantsigner.TemplateID");
  EXPECT_EQ(decode_detail(minimal_submit(R"("signing":{"signerRequired":"true"})")),
            "json: cannot unmarshal string into Go struct field "
            "SigningRequirements.request.signing.signerRequired of type bool");
  EXPECT_EQ(decode_detail(R"({"request":[]})"),
            "json: cannot unmarshal array into Go struct field SignerSubmitInput.request of type "
            "covenantsigner.RouteSubmitRequest");
  EXPECT_EQ(decode_detail(R"("x")"),
            "json: cannot unmarshal string into Go value of type covenantsigner.SignerSubmitInput");
  // The first error in document order wins.
  EXPECT_EQ(decode_detail(minimal_submit(R"("zzz":1,"epoch":"x")")), "json: unknown field \"zzz\"");
}

TEST(StrictJson, InvalidUtf8BecomesReplacementCharacter) {
  auto in = must_decode(R"({"routeRequestId":")" + std::string("a\xff\xfe" "b\xc3") + R"("})");
  EXPECT_EQ(in.route_request_id, "a\xef\xbf\xbd\xef\xbf\xbd" "b\xef\xbf\xbd");
  // Overlong encodings and UTF-16 surrogates encoded in UTF-8 are invalid too.
  EXPECT_EQ(sj::replace_invalid_utf8("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(sj::replace_invalid_utf8("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(sj::replace_invalid_utf8("\xe2\x82\xac"), "\xe2\x82\xac");
  // Escapes are decoded.
  auto esc = must_decode(R"({"routeRequestId":"\u00e9\n\"<"})");
  EXPECT_EQ(esc.route_request_id, "\xc3\xa9\n\"<");
}

TEST(StrictJson, DepthLimitIsEnforced) {
  // The body already nests two objects; arrays make up the rest.
  std::string deep_ok(sj::max_depth - 2, '[');
  deep_ok += std::string(sj::max_depth - 2, ']');
  std::string ok_body = minimal_submit(R"("zzz":)" + deep_ok);
  // Parses (the unknown field is what fails), so depth 64 is accepted.
  EXPECT_EQ(decode_detail(ok_body), "json: unknown field \"zzz\"");
  std::string too_deep(sj::max_depth - 1, '[');
  too_deep += std::string(sj::max_depth - 1, ']');
  EXPECT_EQ(decode_detail(minimal_submit(R"("zzz":)" + too_deep)), "exceeded max depth");
}

TEST(StrictJson, PollInputDecodes) {
  auto r = cv::decode_poll_input(
      R"({"routeRequestId":"a","requestId":"kcs_qc_0011223344556677","stage":"SIGNER_COORDINATION","request":{}})");
  ASSERT_TRUE(std::holds_alternative<cv::poll_input>(r));
  EXPECT_EQ(std::get<cv::poll_input>(r).request_id, "kcs_qc_0011223344556677");
  auto bad = cv::decode_poll_input(R"({"requestId":"a","other":1})");
  ASSERT_TRUE(std::holds_alternative<cv::input_error>(bad));
  EXPECT_EQ(std::get<cv::input_error>(bad).message, "malformed request body");
}

TEST(StrictJson, TemplatesParseStrictly) {
  auto parse_raw = [](const std::string& text) {
    return std::get<sj::node>(sj::parse(text, sj::trailing_policy::go_more));
  };
  auto ok = cv::parse_self_v1_template(parse_raw(
      R"({"template":"self_v1","depositorPublicKey":"0x02","signerPublicKey":"0x03","delta2":4320})"));
  ASSERT_TRUE(std::holds_alternative<cv::self_v1_template>(ok));
  EXPECT_EQ(std::get<cv::self_v1_template>(ok).delta2, 4320u);
  auto unknown = cv::parse_self_v1_template(parse_raw(R"({"template":"self_v1","beta":1})"));
  ASSERT_TRUE(std::holds_alternative<sj::decode_error>(unknown));
  EXPECT_EQ(std::get<sj::decode_error>(unknown).message, "json: unknown field \"beta\"");
  auto wrong = cv::parse_qc_v1_template(parse_raw(R"({"beta":"1"})"));
  EXPECT_EQ(std::get<sj::decode_error>(wrong).message,
            "json: cannot unmarshal string into Go struct field QcV1Template.beta of type uint64");
  auto absent = cv::parse_qc_v1_template(std::nullopt);
  EXPECT_EQ(std::get<sj::decode_error>(absent).message, "EOF");
  auto not_object = cv::parse_qc_v1_template(parse_raw(R"("x")"));
  EXPECT_EQ(std::get<sj::decode_error>(not_object).message,
            "json: cannot unmarshal string into Go value of type covenantsigner.QcV1Template");
}
