// Ports of keep-core pkg/covenantsigner redeem_renew_test.go and
// eth_identity_integration_test.go (G5, 373da53f) on the Go tests' own
// fixtures (go_fixture_support.hpp: redeemSelfV1Request,
// renewSelfV1Request, ethSignedSelfV1Request), asserting the exact texts
// (the Go tests match substrings; we assert the whole message). The
// vector-based ports in validation_submit_test.cpp remain as a second
// check of the same rules on the pinned vector requests.
#include "go_fixture_support.hpp"

namespace cv = covsigner::covenant;
namespace cr = covsigner::crypto;
using namespace covsigner::covenant::go_fixture;

namespace {

cv::validation_policy quote_roots_configured() {
  cv::validation_policy p;
  p.roots = normalized(cv::trust_roots{{}, {}, {quote_trust_root()}});
  return p;
}

// Go: crypto.PubkeyToAddress(key).Hex(), the EIP-55 checksummed form.
std::string eth_address_of(const cr::private_key& k) {
  return cr::to_0x_hex(cr::eth_address(cr::derive_public_key(k)));
}

cv::validation_policy eth_pinned(const std::string& address) {
  auto root = depositor_root("self_v1");
  root.eth_address = address;
  cv::validation_policy p;
  p.roots = normalized(cv::trust_roots{{root}, {}, {}});
  return p;
}

} // namespace

// TestServiceAcceptsRedeemSelfV1
TEST(GoRedeemRenewPorts, AcceptsRedeemSelfV1) {
  EXPECT_EQ(submit_error(redeem_request()), "<accepted>");
}

// TestServiceAcceptsRenewSelfV1
TEST(GoRedeemRenewPorts, AcceptsRenewSelfV1) {
  EXPECT_EQ(submit_error(renew_request()), "<accepted>");
}

// TestServiceAcceptsRedeemSelfV1WithMigrationPlanQuoteTrustRootsConfigured
TEST(GoRedeemRenewPorts, AcceptsRedeemWithMigrationPlanQuoteTrustRootsConfigured) {
  EXPECT_EQ(submit_error(redeem_request(), quote_roots_configured()), "<accepted>");
}

// TestServiceAcceptsRenewSelfV1WithMigrationPlanQuoteTrustRootsConfigured
TEST(GoRedeemRenewPorts, AcceptsRenewWithMigrationPlanQuoteTrustRootsConfigured) {
  EXPECT_EQ(submit_error(renew_request(), quote_roots_configured()), "<accepted>");
}

// TestServiceRejectsRedeemWithCommitmentMismatch
TEST(GoRedeemRenewPorts, RejectsRedeemWithCommitmentMismatch) {
  auto r = redeem_request();
  r.redeem_destination->output_script = "0x0014dddddddddddddddddddddddddddddddddddddddd";
  r.redeem_destination->output_script_hash = *cv::script_hash(r.redeem_destination->output_script);
  EXPECT_EQ(submit_error(r), "request.redeemDestination.destinationCommitmentHash does not match "
                             "canonical reservation artifact");
}

// TestServiceRejectsRedeemWithValueMismatch: the destination check comes
// before the plan's own arithmetic.
TEST(GoRedeemRenewPorts, RejectsRedeemWithValueMismatch) {
  auto r = redeem_request();
  r.migration_transaction_plan->destination_value_sats =
      r.redeem_destination->output_value_sats - 1;
  rebuild_approvals(r);
  EXPECT_EQ(submit_error(r), "request.redeemDestination.outputValueSats does not match "
                             "request.migrationTransactionPlan.destinationValueSats");
}

// TestServiceRejectsCrossActionDestination
TEST(GoRedeemRenewPorts, RejectsCrossActionDestination) {
  auto r = redeem_request();
  r.migration_destination = valid_destination();
  EXPECT_EQ(submit_error(r),
            "request.migrationDestination must be omitted unless action is MIGRATION");
}

// TestServiceRejectsRedeemActionWithoutRedeemDestination
TEST(GoRedeemRenewPorts, RejectsRedeemActionWithoutRedeemDestination) {
  auto r = redeem_request();
  r.redeem_destination.reset();
  EXPECT_EQ(submit_error(r), "request.redeemDestination is required");
}

// TestRedeemRenewCommitmentHashesAreDeterministic
TEST(GoRedeemRenewPorts, CommitmentHashesAreDeterministic) {
  auto redeem = valid_redeem_destination();
  EXPECT_EQ(cv::redeem_destination_commitment(redeem), redeem.destination_commitment_hash);
  auto renew = valid_renew_destination();
  EXPECT_EQ(cv::renew_destination_commitment(renew), renew.destination_commitment_hash);
  EXPECT_NE(redeem.destination_commitment_hash, renew.destination_commitment_hash);
}

// TestServiceAcceptsSelfV1WithPinnedDepositorEthIdentity: the root pins
// the checksummed address, as Go's PubkeyToAddress().Hex() gives it.
TEST(GoEthIdentityPorts, AcceptsSelfV1WithPinnedDepositorEthIdentity) {
  auto r = base_request("self_v1");
  eth_sign_depositor(r, eth_depositor_key());
  auto v = accepted(cv::validate_submit(submit_of(r), "self_v1",
                                        eth_pinned("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")));
  EXPECT_EQ(v.depositor_eth_address, eth_address_of(eth_depositor_key()));
}

// TestServiceAcceptsRedeemWithPinnedDepositorEthIdentity
TEST(GoEthIdentityPorts, AcceptsRedeemWithPinnedDepositorEthIdentity) {
  auto r = redeem_request();
  eth_sign_depositor(r, eth_depositor_key());
  EXPECT_EQ(submit_error(r, eth_pinned(eth_address_of(eth_depositor_key()))), "<accepted>");
}

// TestServiceRejectsSelfV1WithWrongDepositorEthIdentity
TEST(GoEthIdentityPorts, RejectsSelfV1WithWrongDepositorEthIdentity) {
  auto r = base_request("self_v1");
  eth_sign_depositor(r, eth_depositor_key());
  EXPECT_EQ(submit_error(r, eth_pinned("0x000000000000000000000000000000000000dEaD")),
            "request.artifactApprovals.approvals[0].signature does not verify against the "
            "required depositor ETH address");
}

// TestServicePollAcceptsEthSignedSelfV1Approval: Poll uses the address the
// job pinned at Submit (validated_request::depositor_eth_address), not the
// secp256k1 template key, and digests like Submit.
TEST(GoEthIdentityPorts, PollAcceptsEthSignedSelfV1Approval) {
  auto r = base_request("self_v1");
  eth_sign_depositor(r, eth_depositor_key());
  auto submitted = accepted(cv::validate_submit(
      submit_of(r), "self_v1", eth_pinned(eth_address_of(eth_depositor_key()))));
  cv::validation_policy poll;
  poll.pinned_depositor_eth_address = submitted.depositor_eth_address;
  auto polled = accepted(cv::validate_poll(poll_of(r), "self_v1", poll));
  EXPECT_EQ(polled.request_digest, submitted.request_digest);
  // Without the pinned identity the wallet signature is checked against
  // the template key and fails (the regression the Go test guards).
  auto result = cv::validate_poll(poll_of(r), "self_v1", {});
  ASSERT_TRUE(std::holds_alternative<cv::validation_error>(result));
  EXPECT_EQ(std::get<cv::validation_error>(result).message,
            "request.artifactApprovals.approvals[0].signature does not verify against the "
            "required public key");
}
