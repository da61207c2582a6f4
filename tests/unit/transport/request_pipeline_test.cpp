// The pipeline calls covenant validation: valid D/C signatures pass and
// yield the normalised digest; forged or dummy ones are the reference's
// 400s; a certificate without a chain height is its 500.
#include "transport/request_pipeline.hpp"

#include "covenant/request.hpp"
#include "tests/support/requests.hpp"
#include "tests/support/signed_requests.hpp"

#include <gtest/gtest.h>

using namespace covsigner;

namespace {

transport::request_policy zero_domain() {
  return {}; // chainId 0, zero salt: the vectors' domain
}

} // namespace

TEST(RequestPipeline, ASignedVectorBecomesASubmitCommand) {
  auto body = test_support::submit_body(test_support::vector_request("qc_v1"), "rr-1");
  auto prepared = transport::prepare_submit(body, "qc_v1", zero_domain());
  ASSERT_TRUE(std::holds_alternative<messages::submit_command>(prepared))
    << std::get<transport::http_error>(prepared).message;
  const auto& draft = std::get<messages::submit_command>(prepared).draft;
  EXPECT_EQ(draft.route, "qc_v1");
  EXPECT_EQ(draft.route_request_id, "rr-1");
  EXPECT_EQ(draft.request_digest.size(), 66u);
  // Poll of the same request resends the same digest.
  auto poll = transport::prepare_poll(body, "qc_v1", std::string{"kcs_qc_0123456789abcdef"},
                                      zero_domain());
  ASSERT_TRUE(std::holds_alternative<messages::poll_command>(poll));
  EXPECT_EQ(std::get<messages::poll_command>(poll).request_digest, draft.request_digest);
}

TEST(RequestPipeline, TheSignaturesAreBoundToTheConfiguredDomain) {
  auto body = test_support::submit_body(test_support::vector_request("qc_v1"), "rr-2");
  transport::request_policy other;
  other.validation.domain.chain_id = 11155111;
  auto prepared = transport::prepare_submit(body, "qc_v1", other);
  ASSERT_TRUE(std::holds_alternative<transport::http_error>(prepared));
  const auto& err = std::get<transport::http_error>(prepared);
  EXPECT_EQ(err.status, 400);
  EXPECT_EQ(err.message, "request.artifactApprovals.approvals[0].signature does not verify "
                         "against the required public key");
}

TEST(RequestPipeline, ThePinnedVectorsDummySignaturesAreRefused) {
  auto request = test_support::signed_vector_request("qc_v1");
  request["artifactApprovals"].as_object()["approvals"].as_array()[0].as_object()["signature"] =
    "0xd0d0";
  request["artifactSignatures"].as_array()[0] = "0xd0d0";
  auto prepared = transport::prepare_submit(test_support::submit_body(request, "rr-3"), "qc_v1",
                                            zero_domain());
  ASSERT_TRUE(std::holds_alternative<transport::http_error>(prepared));
  EXPECT_EQ(std::get<transport::http_error>(prepared).message,
            "request.artifactApprovals.approvals[0].signature must be a DER or 64/65-byte "
            "secp256k1 signature");
}

TEST(RequestPipeline, ACertificateWithoutAChainHeightIsAnInternalError) {
  // The signed request with the vector's certificate (endBlock 123) back.
  auto request = test_support::signed_vector_request("qc_v1");
  auto pinned = test_support::pinned_vector_request("qc_v1");
  request["signerApproval"] = pinned["signerApproval"];
  request["artifactSignatures"].as_array().push_back(pinned["signerApproval"].at("signature"));
  auto body = test_support::submit_body(request, "rr-4");
  auto prepared = transport::prepare_submit(body, "qc_v1", zero_domain());
  ASSERT_TRUE(std::holds_alternative<transport::http_error>(prepared));
  const auto& err = std::get<transport::http_error>(prepared);
  EXPECT_EQ(err.status, 500);
  EXPECT_EQ(err.message, "internal server error");
  EXPECT_EQ(err.log_detail, covenant::height_unavailable_message);
}

TEST(RequestPipeline, DecodeFailuresAreMalformedBodies) {
  for (std::string body : {"", "{", "[]", R"({"routeRequestId":"x","unknown":1})"}) {
    auto prepared = transport::prepare_submit(body, "qc_v1", zero_domain());
    ASSERT_TRUE(std::holds_alternative<transport::http_error>(prepared)) << body;
    EXPECT_EQ(std::get<transport::http_error>(prepared).message, "malformed request body");
  }
}

namespace {

// self_v1 whose D approval is an ETH-style recoverable signature (v = 27/28)
// by `eth_signer`, as a wallet pinned by a depositor ETH address signs it.
boost::json::object eth_signed_self_v1(const crypto::private_key& eth_signer) {
  auto request = test_support::signed_vector_request("self_v1");
  auto decoded = covenant::decode_route_submit_request(boost::json::serialize(request));
  const auto& payload =
    std::get<covenant::route_submit_request>(decoded).artifact_approvals->payload;
  auto digest = std::get<crypto::hash32>(covenant::artifact_approval_digest(payload, {}));
  auto sig = crypto::sign_recoverable(eth_signer, digest);
  sig[64] = static_cast<std::uint8_t>(sig[64] + 27);
  auto hex = crypto::to_0x_hex(sig);
  for (auto& a : request.at("artifactApprovals").at("approvals").as_array())
    if (a.as_object().at("role").as_string() == "D")
      a.as_object()["signature"] = hex;
  request["artifactSignatures"].as_array()[0] = hex;
  return request;
}

covenant::job stored_job(const std::string& route, const std::string& rr, const std::string& eth) {
  covenant::job j;
  j.request_id = "kcs_self_00000000000000e1";
  j.route = route;
  j.route_request_id = rr;
  j.depositor_eth_address = eth;
  j.state = covenant::job_state::pending;
  return j;
}

} // namespace

// Reference §3.4 step 2: a poll verifies the D approval against the ETH
// identity the stored job pinned at submit, not against trust roots (which
// may have changed since) nor the template key.
TEST(RequestPipeline, PollOfAnEthSignedJobUsesTheStoredDepositorEthAddress) {
  auto eth_signer = test_support::dev_key(0x44);
  auto eth = crypto::to_0x_hex(crypto::eth_address(crypto::derive_public_key(eth_signer)));
  auto body = test_support::submit_body(eth_signed_self_v1(eth_signer), "rr-eth");
  std::optional<std::string> id{"kcs_self_00000000000000e1"};

  auto unpinned = transport::prepare_poll(body, "self_v1", id, zero_domain());
  ASSERT_TRUE(std::holds_alternative<transport::http_error>(unpinned));
  EXPECT_EQ(std::get<transport::http_error>(unpinned).message,
            "request.artifactApprovals.approvals[0].signature does not verify against the "
            "required public key");

  messages::published_jobs stored;
  stored.publish_job(stored_job("self_v1", "rr-eth", eth));
  auto pinned = transport::prepare_poll(body, "self_v1", id, zero_domain(), &stored);
  ASSERT_TRUE(std::holds_alternative<messages::poll_command>(pinned))
    << std::get<transport::http_error>(pinned).message;

  // The stored identity applies only to the same route and routeRequestId.
  messages::published_jobs other;
  other.publish_job(stored_job("self_v1", "rr-someone-else", eth));
  EXPECT_TRUE(std::holds_alternative<transport::http_error>(
    transport::prepare_poll(body, "self_v1", id, zero_domain(), &other)));
}
