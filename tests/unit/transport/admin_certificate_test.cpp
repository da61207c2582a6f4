// The admin issuer route's pure steps (reference §1.7 "Admin issuer body",
// §6.4; keep-core G6 deriveIssuanceApprovalDigest /
// validateIssuanceApprovalRoles): strict decoding of the body, the plain
// field checks, the authentication of the artifact approvals against the
// node's own trust roots, the digest derivation, and the mapping of the
// issuer's reply to HTTP. Bodies are the pinned v2 approval vectors with
// the development keys' signatures (tests/support/signed_requests.hpp).
#include "covenant/approval_digest.hpp"
#include "covenant/certificate_issue_input.hpp"
#include "covenant/trust_roots.hpp"
#include "crypto/secp256k1.hpp"
#include "tests/support/signed_requests.hpp"
#include "transport/admin_certificate.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace covsigner;
namespace ts = covsigner::test_support;

namespace {

const std::string own_pkh = "0x" + std::string(40, 'a');

// The issuer body for `request`'s approvals and trust-root scope.
boost::json::object issue_body(const boost::json::object& request, std::uint64_t end_block = 5000) {
  return {{"walletPublicKeyHash", own_pkh},
          {"route", request.at("route")},
          {"reserve", request.at("reserve")},
          {"network", request.at("migrationDestination").at("network")},
          {"artifactApprovals", request.at("artifactApprovals")},
          {"endBlock", end_block}};
}

covenant::approval_trust_root root_for(const boost::json::object& request, std::uint8_t key_fill) {
  return {std::string(request.at("route").as_string()),
          std::string(request.at("reserve").as_string()),
          std::string(request.at("migrationDestination").at("network").as_string()),
          ts::dev_public_key_hex(key_fill),
          {}};
}

// Roots pinning the development depositor (0x11) and custodian (0x33) keys
// for the request's scope.
covenant::trust_roots dev_roots(const boost::json::object& request, bool custodian = true) {
  covenant::trust_roots roots;
  roots.depositor.push_back(root_for(request, 0x11));
  if (custodian)
    roots.custodian.push_back(root_for(request, 0x33));
  return std::get<covenant::trust_roots>(covenant::normalize_trust_roots(roots));
}

covenant::certificate_issue_input decode(const std::string& body) {
  auto decoded = covenant::decode_certificate_issue_input(body);
  if (auto* err = std::get_if<covenant::input_error>(&decoded)) {
    ADD_FAILURE() << err->message << ": " << err->detail;
    return {};
  }
  return std::get<covenant::certificate_issue_input>(decoded);
}

covenant::certificate_issue_input decode(const boost::json::object& body) {
  return decode(boost::json::serialize(body));
}

// The message derive_issuance_approval_digest refuses `body` with ("" if it
// derives a digest).
std::string derive_error(const boost::json::object& body, const covenant::trust_roots& roots,
                         const covenant::eip712_domain& domain = {}) {
  auto derived = covenant::derive_issuance_approval_digest(decode(body), roots, domain);
  if (auto* err = std::get_if<covenant::input_error>(&derived))
    return err->message;
  return "";
}

crypto::hash32 payload_digest(const boost::json::object& request,
                              const covenant::eip712_domain& domain = {}) {
  auto decoded = std::get<covenant::route_submit_request>(
    covenant::decode_route_submit_request(boost::json::serialize(request)));
  return std::get<crypto::hash32>(
    covenant::artifact_approval_digest(decoded.artifact_approvals->payload, domain));
}

void expect_malformed(const std::string& body) {
  auto decoded = transport::decode_issue_body(body);
  ASSERT_TRUE(std::holds_alternative<transport::http_error>(decoded)) << body;
  const auto& err = std::get<transport::http_error>(decoded);
  EXPECT_EQ(err.status, 400);
  EXPECT_EQ(err.message, "malformed request body");
  EXPECT_FALSE(err.log_detail.empty()); // the decoder's text, for the log
}

} // namespace

// --- decoding ----------------------------------------------------------------

TEST(AdminCertificateDecode, ReadsEveryField) {
  auto request = ts::signed_vector_request("qc_v1");
  auto input = decode(issue_body(request, 18446744073709551615ull));
  EXPECT_EQ(input.wallet_public_key_hash, own_pkh);
  EXPECT_EQ(input.route, "qc_v1");
  EXPECT_EQ(input.reserve, "0x2222222222222222222222222222222222222222");
  EXPECT_EQ(input.network, "regtest");
  EXPECT_EQ(input.end_block, 18446744073709551615ull); // the whole uint64 range
  EXPECT_EQ(input.artifact_approvals.payload.approval_version, 2u);
  ASSERT_TRUE(input.artifact_approvals.approvals);
  ASSERT_EQ(input.artifact_approvals.approvals->size(), 2u);
  EXPECT_EQ((*input.artifact_approvals.approvals)[1].role, "C");
  EXPECT_EQ((*input.artifact_approvals.approvals)[1].signature,
            request.at("artifactApprovals").at("approvals").at(1).at("signature").as_string());
}

TEST(AdminCertificateDecode, RejectsUnknownFieldsAtEveryLevel) {
  auto request = ts::signed_vector_request("qc_v1");
  // The input has no digest field: the node derives the digest itself.
  auto body = issue_body(request);
  body["approvalDigest"] = "0x" + std::string(64, '4');
  expect_malformed(boost::json::serialize(body));
  body = issue_body(request);
  body["artifactApprovals"].as_object()["payload"].as_object()["extra"] = 1;
  expect_malformed(boost::json::serialize(body));
  body = issue_body(request);
  body["artifactApprovals"].as_object()["approvals"].as_array()[0].as_object()["keyId"] = "x";
  expect_malformed(boost::json::serialize(body));
  body = issue_body(request);
  body["artifactApprovals"].as_object()["digest"] = "0x";
  expect_malformed(boost::json::serialize(body));
}

TEST(AdminCertificateDecode, RejectsWhatGosDecoderRejects) {
  auto body = boost::json::serialize(issue_body(ts::signed_vector_request("self_v1")));
  expect_malformed(body + "{}");                    // trailing JSON
  expect_malformed(body.substr(0, body.size() - 1)); // truncated
  expect_malformed("");
  expect_malformed("[]");
  for (const char* bad : {"-1", "1.5", "1e3", "\"5000\"", "18446744073709551616"}) {
    auto b = issue_body(ts::signed_vector_request("self_v1"));
    b.erase("endBlock");
    auto text = boost::json::serialize(b);
    expect_malformed(text.substr(0, text.size() - 1) + ",\"endBlock\":" + bad + "}");
  }
  auto b = issue_body(ts::signed_vector_request("self_v1"));
  b["walletPublicKeyHash"] = 7;
  expect_malformed(boost::json::serialize(b));
  b = issue_body(ts::signed_vector_request("self_v1"));
  b["artifactApprovals"] = "0x";
  expect_malformed(boost::json::serialize(b));
}

TEST(AdminCertificateDecode, FollowsGoKeyMatchingAndDuplicates) {
  auto request = ts::signed_vector_request("self_v1");
  // Keys match case-insensitively; whitespace may follow the object.
  auto text = boost::json::serialize(issue_body(request));
  auto folded = text;
  folded.replace(folded.find("\"endBlock\""), 10, "\"ENDBLOCK\"");
  EXPECT_EQ(decode(folded + " \n").end_block, 5000u);
  // A repeated envelope key decodes into the value already there (Go):
  // the payload from the first, the approvals from the second.
  auto payload = boost::json::serialize(request.at("artifactApprovals").at("payload"));
  auto approvals = boost::json::serialize(request.at("artifactApprovals").at("approvals"));
  auto merged = decode(R"({"artifactApprovals":{"payload":)" + payload +
                       R"(},"artifactApprovals":{"approvals":)" + approvals + "}}");
  EXPECT_EQ(merged.artifact_approvals.payload.route, "self_v1");
  ASSERT_TRUE(merged.artifact_approvals.approvals);
  EXPECT_EQ(merged.artifact_approvals.approvals->size(), 1u);
  // null leaves the envelope as it was (a Go value field).
  auto kept = decode(R"({"artifactApprovals":{"payload":)" + payload +
                     R"(},"artifactApprovals":null})");
  EXPECT_EQ(kept.artifact_approvals.payload.route, "self_v1");
  // Absent: the zero envelope, which derivation refuses.
  EXPECT_EQ(derive_error(boost::json::object{{"route", "self_v1"}}, dev_roots(request)),
            "artifactApprovals.payload.approvalVersion must equal 2");
}

// --- plain field checks --------------------------------------------------------

TEST(AdminCertificateCheck, WalletPublicKeyHashAndEndBlock) {
  auto request = ts::signed_vector_request("qc_v1");
  auto check = [&](const boost::json::object& body) -> std::string {
    auto err = covenant::check_certificate_issue_input(decode(body));
    return err ? err->message : "";
  };
  EXPECT_EQ(check(issue_body(request)), "");
  auto body = issue_body(request);
  body["walletPublicKeyHash"] = std::string(40, 'a');
  EXPECT_EQ(check(body), "walletPublicKeyHash must be a 0x-prefixed even-length hex string");
  body["walletPublicKeyHash"] = "0x" + std::string(39, 'a') + "g";
  EXPECT_EQ(check(body), "walletPublicKeyHash must be valid hex");
  body["walletPublicKeyHash"] = "0x" + std::string(64, 'a');
  EXPECT_EQ(check(body), "walletPublicKeyHash must be a 20-byte 0x-prefixed hex string");
  body["walletPublicKeyHash"] = "";
  EXPECT_EQ(check(body), "walletPublicKeyHash must be a 0x-prefixed even-length hex string");
  // TestServerRejectsInvalidCertificateIssuerInput: endBlock 0.
  EXPECT_EQ(check(issue_body(request, 0)), "endBlock is required");
  body = issue_body(request);
  body.erase("endBlock");
  EXPECT_EQ(check(body), "endBlock is required");
}

// --- approval authentication and the derived digest ----------------------------

TEST(AdminCertificateDerive, DerivesThePayloadDigestFromAuthenticatedApprovals) {
  for (const char* name : {"qc_v1", "self_v1", "self_v1_presign"}) {
    auto request = ts::signed_vector_request(name);
    auto derived = covenant::derive_issuance_approval_digest(decode(issue_body(request)),
                                                             dev_roots(request), {});
    ASSERT_TRUE(std::holds_alternative<crypto::hash32>(derived))
      << name << ": " << std::get<covenant::input_error>(derived).message;
    EXPECT_EQ(std::get<crypto::hash32>(derived), payload_digest(request)) << name;
  }
  // Under the node's EIP-712 domain: approvals signed under it verify and
  // the digest is the domain-wrapped one; approvals signed under another
  // domain do not verify.
  const covenant::eip712_domain domain{31337, covenant::default_approval_salt()};
  auto request = ts::signed_vector_request("qc_v1", domain);
  auto derived = covenant::derive_issuance_approval_digest(decode(issue_body(request)),
                                                           dev_roots(request), domain);
  ASSERT_TRUE(std::holds_alternative<crypto::hash32>(derived));
  EXPECT_EQ(std::get<crypto::hash32>(derived), payload_digest(request, domain));
  EXPECT_NE(std::get<crypto::hash32>(derived), payload_digest(request));
  EXPECT_EQ(derive_error(issue_body(request), dev_roots(request), {}),
            "request.artifactApprovals.approvals[0].signature does not verify against the "
            "required public key");
}

TEST(AdminCertificateDerive, RejectsAForgedApproval) {
  // TestServerRejectsCertificateIssuanceWithForgedApproval: D signed by a
  // key other than the pinned depositor's.
  auto request = ts::signed_vector_request("qc_v1");
  auto forged = request;
  auto& d = forged["artifactApprovals"].as_object()["approvals"].as_array()[0].as_object();
  d["signature"] = crypto::to_0x_hex(crypto::sign_der(ts::dev_key(0x44), payload_digest(request)));
  EXPECT_EQ(derive_error(issue_body(forged), dev_roots(request)),
            "request.artifactApprovals.approvals[0].signature does not verify against the "
            "required public key");
  // A C approval by the depositor's key.
  forged = request;
  auto& c = forged["artifactApprovals"].as_object()["approvals"].as_array()[1].as_object();
  c["signature"] = crypto::to_0x_hex(crypto::sign_der(ts::dev_key(0x11), payload_digest(request)));
  EXPECT_EQ(derive_error(issue_body(forged), dev_roots(request)),
            "request.artifactApprovals.approvals[1].signature does not verify against the "
            "required public key");
  // Genuine signatures over another payload: the payload is what is signed.
  auto other = request;
  other["artifactApprovals"].as_object()["payload"].as_object()["planCommitmentHash"] =
    "0x" + std::string(64, '7');
  EXPECT_EQ(derive_error(issue_body(other), dev_roots(request)),
            "request.artifactApprovals.approvals[0].signature does not verify against the "
            "required public key");
  // Roots pinning other identities refuse the dev keys' approvals.
  auto strangers = request;
  covenant::trust_roots roots;
  roots.depositor.push_back(root_for(request, 0x44));
  roots.custodian.push_back(root_for(request, 0x33));
  roots = std::get<covenant::trust_roots>(covenant::normalize_trust_roots(roots));
  EXPECT_EQ(derive_error(issue_body(request), roots),
            "request.artifactApprovals.approvals[0].signature does not verify against the "
            "required public key");
}

TEST(AdminCertificateDerive, RequiresTheNodesOwnTrustRoots) {
  auto request = ts::signed_vector_request("qc_v1");
  const std::string no_depositor =
    "no depositorTrustRoots entry is configured for the requested route/reserve/network; "
    "certificate issuance requires a pinned depositor identity";
  EXPECT_EQ(derive_error(issue_body(request), {}), no_depositor);
  EXPECT_EQ(derive_error(issue_body(request), dev_roots(request, false)),
            "no custodianTrustRoots entry is configured for the requested route/reserve/network; "
            "certificate issuance requires a pinned custodian identity");
  // self_v1 needs no custodian root.
  auto self = ts::signed_vector_request("self_v1");
  EXPECT_EQ(derive_error(issue_body(self), dev_roots(self, false)), "");
  // The scope is (route, reserve, network): another reserve or network finds
  // no root; case and surrounding space do not matter.
  auto body = issue_body(request);
  body["reserve"] = "0x" + std::string(40, '3');
  EXPECT_EQ(derive_error(body, dev_roots(request)), no_depositor);
  body = issue_body(request);
  body["network"] = "mainnet";
  EXPECT_EQ(derive_error(body, dev_roots(request)), no_depositor);
  body = issue_body(request);
  body["network"] = "  RegTest ";
  body["reserve"] = "0x" + std::string(40, '2');
  EXPECT_EQ(derive_error(body, dev_roots(request)), "");
  // The roots of the other route do not serve this one.
  body = issue_body(self);
  EXPECT_EQ(derive_error(body, dev_roots(request)), no_depositor);
}

TEST(AdminCertificateDerive, PinnedDepositorEthAddress) {
  // A depositor root with an ETH identity: the D approval is a 65-byte
  // r||s||v signature that must recover to that address.
  auto request = ts::signed_vector_request("self_v1");
  auto digest = payload_digest(request);
  auto wallet = ts::dev_key(0x55);
  auto roots_raw = covenant::trust_roots{};
  auto root = root_for(request, 0x11);
  root.eth_address = crypto::to_0x_hex(crypto::eth_address(crypto::derive_public_key(wallet)));
  roots_raw.depositor.push_back(root);
  auto roots = std::get<covenant::trust_roots>(covenant::normalize_trust_roots(roots_raw));
  auto sig = crypto::sign_recoverable(wallet, digest);
  sig[64] += 27; // what eth_signTypedData_v4 returns
  auto body = issue_body(request);
  body["artifactApprovals"].as_object()["approvals"].as_array()[0].as_object()["signature"] =
    crypto::to_0x_hex(crypto::bytes(sig.begin(), sig.end()));
  EXPECT_EQ(derive_error(body, roots), "");
  // The dev D key's DER signature no longer serves: the ETH identity is pinned.
  EXPECT_EQ(derive_error(issue_body(request), roots),
            "request.artifactApprovals.approvals[0].signature must be a 65-byte secp256k1 "
            "signature");
  auto other = crypto::sign_recoverable(ts::dev_key(0x11), digest);
  body["artifactApprovals"].as_object()["approvals"].as_array()[0].as_object()["signature"] =
    crypto::to_0x_hex(crypto::bytes(other.begin(), other.end()));
  EXPECT_EQ(derive_error(body, roots),
            "request.artifactApprovals.approvals[0].signature does not verify against the "
            "required depositor ETH address");
}

TEST(AdminCertificateDerive, RequiresExactlyTheRouteRoles) {
  auto request = ts::signed_vector_request("qc_v1");
  auto roots = dev_roots(request);
  auto with_approvals = [&](boost::json::array approvals) {
    auto body = issue_body(request);
    body["artifactApprovals"].as_object()["approvals"] = std::move(approvals);
    return body;
  };
  const auto& approvals = request.at("artifactApprovals").at("approvals").as_array();
  const auto d = approvals[0];
  const auto c = approvals[1];
  const std::string exact =
    "artifactApprovals.approvals must include exactly the roles required for route";
  EXPECT_EQ(derive_error(with_approvals({d}), roots), exact);
  EXPECT_EQ(derive_error(with_approvals({d, c, c}), roots), exact);
  EXPECT_EQ(derive_error(with_approvals({}), roots), exact);
  EXPECT_EQ(derive_error(with_approvals({d, d}), roots),
            "artifactApprovals.approvals[1].role duplicates role D");
  auto s = d.as_object();
  s["role"] = "S"; // the retired signer role
  EXPECT_EQ(derive_error(with_approvals({s, c}), roots),
            "artifactApprovals.approvals[0].role is not allowed for route");
  auto bad = c.as_object();
  bad["signature"] = "c0c0";
  EXPECT_EQ(derive_error(with_approvals({d, bad}), roots),
            "artifactApprovals.approvals[1].signature must be a 0x-prefixed even-length hex "
            "string");
  // Order is free: C then D verifies (indices are the request's).
  EXPECT_EQ(derive_error(with_approvals({c, d}), roots), "");
  // self_v1 takes D only.
  auto self = ts::signed_vector_request("self_v1");
  auto body = issue_body(self);
  body["artifactApprovals"].as_object()["approvals"].as_array().push_back(c);
  EXPECT_EQ(derive_error(body, dev_roots(self)), exact);
}

TEST(AdminCertificateDerive, ChecksThePayloadAgainstTheRoute) {
  auto request = ts::signed_vector_request("qc_v1");
  auto roots = dev_roots(request);
  auto with = [&](const char* field, boost::json::value v) {
    auto body = issue_body(request);
    body["artifactApprovals"].as_object()["payload"].as_object()[field] = std::move(v);
    return body;
  };
  EXPECT_EQ(derive_error(with("approvalVersion", 1), roots),
            "artifactApprovals.payload.approvalVersion must equal 2");
  EXPECT_EQ(derive_error(with("route", "self_v1"), roots),
            "artifactApprovals.payload.route must match route");
  EXPECT_EQ(derive_error(with("scriptTemplateId", "self_v1"), roots),
            "artifactApprovals.payload.scriptTemplateId must match route");
  EXPECT_EQ(derive_error(with("destinationCommitmentHash", "0x1234"), roots),
            "artifactApprovals.payload.destinationCommitmentHash must be a 32-byte 0x-prefixed "
            "hex string");
  EXPECT_EQ(derive_error(with("planCommitmentHash", "0xzz"), roots),
            "artifactApprovals.payload.planCommitmentHash must be valid hex");
  auto body = issue_body(request);
  body["route"] = "qc_v2";
  EXPECT_EQ(derive_error(body, roots), "unsupported request.route");
  body["route"] = "QC_V1"; // TemplateID comparisons are exact
  EXPECT_EQ(derive_error(body, roots), "unsupported request.route");
}

// --- the transport steps -------------------------------------------------------

TEST(AdminCertificatePrepare, BuildsTheIssuersCommandFromTheDerivedDigest) {
  auto request = ts::signed_vector_request("qc_v1");
  transport::request_policy policy;
  policy.validation.roots = dev_roots(request);
  auto body = issue_body(request, 7777);
  body["walletPublicKeyHash"] = "0x" + std::string(40, 'A');
  auto input = std::get<covenant::certificate_issue_input>(
    transport::decode_issue_body(boost::json::serialize(body)));
  auto cmd = transport::prepare_issue(input, policy);
  ASSERT_TRUE(std::holds_alternative<messages::certificate_issue>(cmd))
    << std::get<transport::http_error>(cmd).message;
  const auto& issue = std::get<messages::certificate_issue>(cmd);
  EXPECT_EQ(issue.wallet_public_key_hash, "0x" + std::string(40, 'a'));
  EXPECT_EQ(issue.approval_digest, crypto::to_0x_hex(payload_digest(request)));
  EXPECT_EQ(issue.end_block, 7777u);

  // Refusals are 400s with the reference's text; nothing is derived.
  input.end_block = 0;
  auto refused = transport::prepare_issue(input, policy);
  ASSERT_TRUE(std::holds_alternative<transport::http_error>(refused));
  EXPECT_EQ(std::get<transport::http_error>(refused).status, 400);
  EXPECT_EQ(std::get<transport::http_error>(refused).message, "endBlock is required");
  input.end_block = 1;
  refused = transport::prepare_issue(input, transport::request_policy{});
  ASSERT_TRUE(std::holds_alternative<transport::http_error>(refused));
  EXPECT_EQ(std::get<transport::http_error>(refused).status, 400);
  EXPECT_TRUE(std::get<transport::http_error>(refused).message.starts_with(
    "no depositorTrustRoots entry is configured"));
}

TEST(AdminCertificateAnswer, MapsTheIssuersReply) {
  using messages::issue_code;
  auto ok = transport::issue_answer({issue_code::ok, R"({"certificateVersion":2})", {}});
  ASSERT_TRUE(std::holds_alternative<std::string>(ok));
  // Go's json.Encoder ends the body with a newline.
  EXPECT_EQ(std::get<std::string>(ok), "{\"certificateVersion\":2}\n");
  auto expect = [](messages::certificate_issue_reply reply, int status, const std::string& text,
                   const std::string& logged) {
    auto answer = transport::issue_answer(std::move(reply));
    ASSERT_TRUE(std::holds_alternative<transport::http_error>(answer));
    const auto& err = std::get<transport::http_error>(answer);
    EXPECT_EQ(err.status, status);
    EXPECT_EQ(err.message, text);
    EXPECT_EQ(err.log_detail, logged);
  };
  expect({issue_code::bad_request, {}, "endBlock [1000] must be greater than the current "
                                       "host-chain block [1000]"},
         400, "endBlock [1000] must be greater than the current host-chain block [1000]", "");
  expect({issue_code::unavailable, {}, "wallet registry data unavailable for wallet 0xa1: down"},
         503, "wallet registry data unavailable for wallet 0xa1: down", "");
  expect({issue_code::internal, {}, "cannot sign signer approval certificate: signer gone"}, 500,
         "internal server error", "cannot sign signer approval certificate: signer gone");
}
