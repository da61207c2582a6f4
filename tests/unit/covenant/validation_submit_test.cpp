// Submit/Poll validation (reference §5.2-§5.8, §3.4 step 3). Ports of
// keep-core pkg/covenantsigner covenantsigner_test.go (approvals, trust
// roots, quotes, certificate expiry), redeem_renew_test.go and
// eth_identity_integration_test.go, asserting the reference's exact texts.
//
// Requests start from the pinned v2 approval vectors
// (tests/vectors/covenant_recovery_approval_vectors_v2.json); the
// template keys are replaced with the reference tests' fixed development
// keys (depositor scalar 0x11..11, signer 0x22..22, custodian 0x33..33) and
// the D/C approvals are signed fresh over the v2 EIP-712 digest.
#include "covenant/approval_digest.hpp"
#include "covenant/commitments.hpp"
#include "covenant/normalize.hpp"
#include "covenant/plan_quote.hpp"
#include "covenant/trust_roots.hpp"
#include "covenant/validation.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/secp256k1.hpp"
#include "vector_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <functional>

namespace cv = covsigner::covenant;
namespace cr = covsigner::crypto;
using cv::test::load_vector_file;
using cv::test::vector_case;

namespace {

cr::private_key fixed_key(std::uint8_t fill) {
  std::array<std::uint8_t, 32> scalar;
  scalar.fill(fill);
  return *cr::parse_private_key(scalar);
}

// The reference's ETH depositor key (anvil/hardhat development account 1).
cr::private_key eth_key() {
  return *cr::parse_private_key(*cr::from_hex(
      "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"));
}

std::string pub_hex(const cr::private_key& k) {
  return cr::to_0x_hex(cr::serialize_compressed(cr::derive_public_key(k)));
}

const cr::private_key& depositor() {
  static const auto k = fixed_key(0x11);
  return k;
}
const cr::private_key& custodian() {
  static const auto k = fixed_key(0x33);
  return k;
}

cr::hash32 approval_digest(const cv::route_submit_request& r, const cv::eip712_domain& domain) {
  return std::get<cr::hash32>(cv::artifact_approval_digest(r.artifact_approvals->payload, domain));
}

// Signs D (and C) with the fixed keys and rebuilds the legacy mirror.
void sign_approvals(cv::route_submit_request& r, const cv::eip712_domain& domain = {}) {
  const auto digest = approval_digest(r, domain);
  std::vector<std::string> legacy;
  for (auto& a : *r.artifact_approvals->approvals) {
    a.signature = cr::to_0x_hex(
        cr::sign_der(a.role == cv::role_depositor ? depositor() : custodian(), digest));
    legacy.push_back(a.signature);
  }
  if (r.signer_approval)
    legacy.push_back(r.signer_approval->signature);
  r.artifact_signatures = legacy;
}

// A valid request for vector `name` (qc_v1, self_v1, self_v1_presign);
// `with_certificate` keeps the vector's signer approval (endBlock 123).
cv::route_submit_request vector_request(const std::string& name, bool with_certificate = false) {
  static const auto file = load_vector_file("covenant_recovery_approval_vectors_v2.json");
  auto obj = vector_case(file, name).at("canonicalSubmitRequest").as_object();
  auto& t = obj["scriptTemplate"].as_object();
  t["depositorPublicKey"] = pub_hex(depositor());
  t["signerPublicKey"] = pub_hex(fixed_key(0x22));
  if (t.contains("custodianPublicKey"))
    t["custodianPublicKey"] = pub_hex(custodian());
  if (!with_certificate)
    obj.erase("signerApproval");
  auto r = cv::test::decode_request_value(obj);
  sign_approvals(r);
  return r;
}

cv::submit_input submit_of(cv::route_submit_request r) {
  return cv::submit_input{"ors_route_1", std::move(r), std::string(cv::stage_signer_coordination)};
}
cv::poll_input poll_of(cv::route_submit_request r) {
  return cv::poll_input{"ors_route_1", "kcs_job_1", std::move(r),
                        std::string(cv::stage_signer_coordination)};
}

std::string error_of(const cv::validation_result& result) {
  if (const auto* e = std::get_if<cv::validation_error>(&result))
    return e->message;
  return "<accepted>";
}

cv::validated_request accepted(const cv::validation_result& result) {
  if (const auto* e = std::get_if<cv::validation_error>(&result)) {
    ADD_FAILURE() << "rejected: " << e->message;
    return {};
  }
  return std::get<cv::validated_request>(result);
}

std::string submit_error(const cv::route_submit_request& r, const cv::validation_policy& p = {}) {
  return error_of(cv::validate_submit(submit_of(r), r.route, p));
}

cv::approval_trust_root root_for(const cv::route_submit_request& r, const std::string& key) {
  return cv::approval_trust_root{r.route, r.reserve, "regtest", key, ""};
}

} // namespace

// --- Baseline ----------------------------------------------------------------

TEST(ValidationSubmit, AcceptsFreshlySignedVectorRequests) {
  for (const char* name : {"qc_v1", "self_v1", "self_v1_presign"}) {
    auto r = vector_request(name);
    const auto v = accepted(cv::validate_submit(submit_of(r), r.route, {}));
    EXPECT_EQ(v.request_digest, std::get<std::string>(cv::normalized_request_digest(r, {})))
        << name;
    EXPECT_TRUE(v.depositor_eth_address.empty());
    EXPECT_FALSE(v.signer_approval_verification_due);
  }
}

TEST(ValidationSubmit, EnvelopeChecksComeFirst) {
  auto r = vector_request("qc_v1");
  auto in = submit_of(r);
  in.route_request_id.clear();
  EXPECT_EQ(error_of(cv::validate_submit(in, "qc_v1", {})), "routeRequestId is required");
  in = submit_of(r);
  in.stage = "SIGNING";
  EXPECT_EQ(error_of(cv::validate_submit(in, "qc_v1", {})), "stage must be SIGNER_COORDINATION");
  EXPECT_EQ(error_of(cv::validate_submit(submit_of(r), "self_v1", {})),
            "request.route does not match endpoint route");
  auto p = poll_of(r);
  p.request_id.clear();
  EXPECT_EQ(error_of(cv::validate_poll(p, "qc_v1", {})), "requestId is required");
}

TEST(ValidationSubmit, CommonRequestFieldsInOrder) {
  auto r = vector_request("qc_v1");
  r.facade_request_id.clear();
  r.idempotency_key.clear(); // facadeRequestId is reported first
  EXPECT_EQ(submit_error(r), "request.facadeRequestId is required");
  r = vector_request("qc_v1");
  r.idempotency_key = "bad key!";
  EXPECT_EQ(submit_error(r),
            "request.idempotencyKey must match [a-zA-Z0-9_-] and be at most 255 chars");
  r = vector_request("qc_v1");
  r.strategy = "1111";
  EXPECT_EQ(submit_error(r), "request.strategy must be a 0x-prefixed even-length hex string");
  r = vector_request("qc_v1");
  r.active_outpoint.script_hash = "0xzz";
  EXPECT_EQ(submit_error(r), "request.activeOutpoint.scriptHash must be valid hex");
}

// TestServiceRejectsQcV1PresignRequestType
TEST(ValidationSubmit, RejectsQcV1PresignRequestType) {
  auto r = vector_request("qc_v1");
  r.request_type = "presign_self_v1";
  EXPECT_EQ(submit_error(r), "request.requestType must be reconstruct for qc_v1");
  r = vector_request("self_v1");
  r.request_type = "presign";
  EXPECT_EQ(submit_error(r), "request.requestType must be reconstruct or presign_self_v1");
}

// --- Approvals / certificates ------------------------------------------------

TEST(ValidationSubmit, RequiresArtifactApprovals) {
  auto r = vector_request("qc_v1");
  r.artifact_approvals.reset();
  EXPECT_EQ(submit_error(r), "request.artifactApprovals is required");
}

// TestServiceRejectsInvalidArtifactApprovalVariants (signature cases).
TEST(ValidationSubmit, RejectsInvalidArtifactApprovalSignatures) {
  const auto digest = approval_digest(vector_request("qc_v1"), {});
  struct variant_case {
    std::string name;
    std::function<void(cv::route_submit_request&)> mutate;
    std::string message;
  };
  auto set_sig = [](cv::route_submit_request& r, std::size_t i, const cr::bytes& sig) {
    (*r.artifact_approvals->approvals)[i].signature = cr::to_0x_hex(sig);
    (*r.artifact_signatures)[i] = cr::to_0x_hex(sig);
  };
  const std::vector<variant_case> cases = {
      {"depositor signed by custodian",
       [&](auto& r) { set_sig(r, 0, cr::sign_der(custodian(), digest)); },
       "request.artifactApprovals.approvals[0].signature does not verify against the required "
       "public key"},
      {"custodian signed by depositor",
       [&](auto& r) { set_sig(r, 1, cr::sign_der(depositor(), digest)); },
       "request.artifactApprovals.approvals[1].signature does not verify against the required "
       "public key"},
      {"garbage signature", [&](auto& r) { set_sig(r, 0, cr::bytes{0xd0, 0xd0}); },
       "request.artifactApprovals.approvals[0].signature must be a DER or 64/65-byte secp256k1 "
       "signature"},
      {"high-S signature",
       [&](auto& r) {
         // s -> n - s keeps the signature valid but high (BIP62 malleation).
         auto sig = cr::sign(custodian(), digest);
         static const auto n = *cr::from_hex(
             "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
         int borrow = 0;
         for (int i = 31; i >= 0; --i) {
           int d = n[i] - sig.compact[32 + i] - borrow;
           borrow = d < 0;
           sig.compact[32 + i] = static_cast<std::uint8_t>(d + (borrow ? 256 : 0));
         }
         set_sig(r, 1, cr::bytes(sig.compact.begin(), sig.compact.end()));
       },
       "request.artifactApprovals.approvals[1].signature must be a low-S secp256k1 signature"},
      {"64-byte compact accepted but wrong digest",
       [&](auto& r) {
         auto sig = cr::sign(depositor(), cr::hash32{});
         set_sig(r, 0, cr::bytes(sig.compact.begin(), sig.compact.end()));
       },
       "request.artifactApprovals.approvals[0].signature does not verify against the required "
       "public key"},
  };
  for (const auto& c : cases) {
    auto r = vector_request("qc_v1");
    c.mutate(r);
    EXPECT_EQ(submit_error(r), c.message) << c.name;
  }
}

TEST(ValidationSubmit, AcceptsCompactAndRecoverableSignatureForms) {
  auto r = vector_request("qc_v1");
  const auto digest = approval_digest(r, {});
  auto compact = cr::sign(depositor(), digest).compact;
  auto rec = cr::sign_recoverable(custodian(), digest);
  rec[64] += 27;
  (*r.artifact_approvals->approvals)[0].signature = cr::to_0x_hex(compact);
  (*r.artifact_approvals->approvals)[1].signature = cr::to_0x_hex(rec);
  r.artifact_signatures = {cr::to_0x_hex(compact), cr::to_0x_hex(rec)};
  accepted(cv::validate_submit(submit_of(r), "qc_v1", {}));
}

TEST(ValidationSubmit, ApprovalsAreSignedUnderTheConfiguredDomain) {
  cv::validation_policy p;
  p.domain = cv::eip712_domain{11155111, cv::default_approval_salt()};
  auto r = vector_request("qc_v1"); // signed under the zero domain
  EXPECT_EQ(submit_error(r, p),
            "request.artifactApprovals.approvals[0].signature does not verify against the "
            "required public key");
  sign_approvals(r, p.domain);
  accepted(cv::validate_submit(submit_of(r), "qc_v1", p));
}

TEST(ValidationSubmit, RejectsInvalidTemplateKeysAndSigningFlags) {
  auto r = vector_request("qc_v1");
  r.signing.custodian_required = false;
  EXPECT_EQ(submit_error(r),
            "request.signing must set signerRequired=true and custodianRequired=true for qc_v1");
  r = vector_request("self_v1");
  r.signing.custodian_required = true;
  EXPECT_EQ(submit_error(r), "request.signing must set signerRequired=true and "
                             "custodianRequired=false for self_v1");
  r = vector_request("self_v1");
  r.script_template.reset();
  EXPECT_EQ(submit_error(r), "request.scriptTemplate is invalid for self_v1: EOF");
}

// TestServiceAcceptsStructuredSignerApprovalWhenVerifierConfigured /
// TestServiceRejectsStructuredSignerApprovalWithoutVerifier /
// TestServiceRejectsMissingSignerApprovalWhenVerifierConfigured.
TEST(ValidationSubmit, SignerApprovalNeedsVerifier) {
  auto r = vector_request("qc_v1", true);
  cv::validation_policy p;
  p.current_height = 100;
  EXPECT_EQ(submit_error(r, p),
            "request.signerApproval cannot be verified by this signer deployment");
  p.verifier_configured = true;
  const auto v = accepted(cv::validate_submit(submit_of(r), "qc_v1", p));
  EXPECT_TRUE(v.signer_approval_verification_due);
  EXPECT_EQ(v.normalized.signer_approval->active_members, (std::vector<std::uint32_t>{1, 2, 3}));
  auto bare = vector_request("qc_v1");
  EXPECT_EQ(submit_error(bare, p),
            "request.signerApproval is required when the signer approval verifier is configured");
}

// TestServiceRejectsStructuredSignerApprovalWithMismatchedApprovalDigest.
TEST(ValidationSubmit, RejectsCertificateForAnotherApprovalDigest) {
  auto r = vector_request("qc_v1", true);
  r.signer_approval->approval_digest = "0x" + std::string(64, '1');
  cv::validation_policy p;
  p.current_height = 1;
  p.verifier_configured = true;
  EXPECT_EQ(submit_error(r, p),
            "request.signerApproval.approvalDigest must match the canonical "
            "artifactApprovals payload digest");
}

// TestServiceSubmitRejectsAlreadyExpiredCertificate,
// TestServicePollRejectsExpiredCertificate (height = endBlock + 1),
// TestServicePollAcceptsCertificateExactlyAtEndBlock,
// TestServiceSubmitRejectsSignerApprovalMissingCurrentBlockProvider,
// TestServicePollRejectsMissingCurrentBlockProvider.
TEST(ValidationSubmit, CertificateExpiryAgainstHeight) {
  auto r = vector_request("qc_v1", true); // endBlock 123
  cv::validation_policy p;
  p.verifier_configured = true;
  auto none = cv::validate_submit(submit_of(r), "qc_v1", p);
  ASSERT_TRUE(std::holds_alternative<cv::validation_error>(none));
  EXPECT_EQ(std::get<cv::validation_error>(none).kind,
            cv::validation_error_kind::height_unavailable);
  EXPECT_EQ(error_of(none), "cannot validate signer approval certificate expiry: no current "
                            "block height is available");
  auto poll_none = cv::validate_poll(poll_of(r), "qc_v1", p);
  EXPECT_EQ(std::get<cv::validation_error>(poll_none).kind,
            cv::validation_error_kind::height_unavailable);

  p.current_height = 124;
  EXPECT_EQ(submit_error(r, p), "signer approval certificate has expired");
  EXPECT_EQ(error_of(cv::validate_poll(poll_of(r), "qc_v1", p)),
            "signer approval certificate has expired");
  p.current_height = 123;
  accepted(cv::validate_submit(submit_of(r), "qc_v1", p));
  p.verifier_configured = false; // Poll never needs the verifier
  accepted(cv::validate_poll(poll_of(r), "qc_v1", p));
}

// TestServiceSubmitRejectsSignerApprovalWithMissingEndBlock and
// TestServiceAcceptsSignerApprovalCertificateWithEndBlockAboveUint32Range.
TEST(ValidationSubmit, CertificateEndBlockRange) {
  auto r = vector_request("qc_v1", true);
  cv::validation_policy p;
  p.verifier_configured = true;
  p.current_height = 5'000'000'000ULL;
  r.signer_approval->end_block.reset();
  EXPECT_EQ(submit_error(r, p), "request.signerApproval.endBlock is required");
  r.signer_approval->end_block = 5'000'000'000ULL;
  accepted(cv::validate_submit(submit_of(r), "qc_v1", p));
}

// TestServicePollAcceptsEquivalentArtifactApprovalRequestVariants.
TEST(ValidationPoll, EquivalentVariantsShareTheDigest) {
  auto r = vector_request("qc_v1");
  const auto base = accepted(cv::validate_submit(submit_of(r), "qc_v1", {})).request_digest;
  auto variant = r;
  std::reverse(variant.artifact_approvals->approvals->begin(),
               variant.artifact_approvals->approvals->end());
  for (auto& a : *variant.artifact_approvals->approvals)
    for (auto& ch : a.signature)
      ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  for (auto& a : *variant.artifact_approvals->approvals)
    a.signature[1] = 'x';
  variant.reserve = "0x2222222222222222222222222222222222222222";
  EXPECT_EQ(accepted(cv::validate_poll(poll_of(variant), "qc_v1", {})).request_digest, base);
}

// --- Trust roots (§5.4) -------------------------------------------------------

namespace {

cv::validation_policy with_roots(std::vector<cv::approval_trust_root> depositor,
                                 std::vector<cv::approval_trust_root> custodian = {}) {
  cv::validation_policy p;
  auto roots = cv::normalize_trust_roots(cv::trust_roots{depositor, custodian, {}});
  EXPECT_TRUE(std::holds_alternative<cv::trust_roots>(roots));
  if (auto* n = std::get_if<cv::trust_roots>(&roots))
    p.roots = *n;
  return p;
}

} // namespace

// TestServiceAcceptsSelfV1WithMatchingDepositorTrustRoot and
// TestServiceRejectsSelfV1WithoutMatchingDepositorTrustRoot /
// ...WithoutConfiguredDepositorTrustRootMatch.
TEST(ValidationTrustRoots, SelfV1DepositorPinning) {
  auto r = vector_request("self_v1");
  accepted(cv::validate_submit(submit_of(r), "self_v1",
                               with_roots({root_for(r, pub_hex(depositor()))})));
  EXPECT_EQ(submit_error(r, with_roots({root_for(r, pub_hex(custodian()))})),
            "request.scriptTemplate.depositorPublicKey must match the configured "
            "depositorTrustRoots publicKey for self_v1");
  auto other_network = root_for(r, pub_hex(depositor()));
  other_network.network = "mainnet";
  EXPECT_EQ(submit_error(r, with_roots({other_network})),
            "request.scriptTemplate.depositorPublicKey requires a matching configured "
            "depositorTrustRoots entry for self_v1");
  auto other_route = root_for(r, pub_hex(depositor()));
  other_route.route = "qc_v1";
  EXPECT_EQ(submit_error(r, with_roots({other_route})),
            "request.scriptTemplate.depositorPublicKey requires a matching configured "
            "depositorTrustRoots entry for self_v1");
}

// TestServiceAcceptsQcV1WithMatchingCustodianTrustRoot,
// ...WithMatchingDepositorAndCustodianTrustRoots,
// TestServiceRejectsQcV1WithoutMatching{Custodian,Depositor}TrustRoot,
// TestServiceRejectsQcV1WithoutConfigured{Depositor,Custodian}TrustRootMatch.
TEST(ValidationTrustRoots, QcV1DepositorAndCustodianPinning) {
  auto r = vector_request("qc_v1");
  const auto d = root_for(r, pub_hex(depositor()));
  const auto c = root_for(r, pub_hex(custodian()));
  accepted(cv::validate_submit(submit_of(r), "qc_v1", with_roots({}, {c})));
  accepted(cv::validate_submit(submit_of(r), "qc_v1", with_roots({d}, {c})));
  EXPECT_EQ(submit_error(r, with_roots({d}, {root_for(r, pub_hex(depositor()))})),
            "request.scriptTemplate.custodianPublicKey must match the configured "
            "custodianTrustRoots publicKey for qc_v1");
  EXPECT_EQ(submit_error(r, with_roots({root_for(r, pub_hex(custodian()))}, {c})),
            "request.scriptTemplate.depositorPublicKey must match the configured "
            "depositorTrustRoots publicKey for qc_v1");
  auto elsewhere = [](cv::approval_trust_root root) {
    root.reserve = "0x" + std::string(40, '9');
    return root;
  };
  EXPECT_EQ(submit_error(r, with_roots({elsewhere(d)}, {c})),
            "request.scriptTemplate.depositorPublicKey requires a matching configured "
            "depositorTrustRoots entry for qc_v1");
  EXPECT_EQ(submit_error(r, with_roots({d}, {elsewhere(c)})),
            "request.scriptTemplate.custodianPublicKey requires a matching configured "
            "custodianTrustRoots entry for qc_v1");
}

// TestServiceAcceptsMixedCaseDepositorTrustRootConfig: the configured
// reserve/key/network are normalised, and the request's network is
// trimmed and lowercased for the lookup.
TEST(ValidationTrustRoots, MixedCaseConfigMatches) {
  auto r = vector_request("self_v1");
  auto root = root_for(r, pub_hex(depositor()));
  root.reserve = "0x" + std::string(40, 'A');
  root.network = "  RegTest ";
  for (auto& ch : root.public_key)
    if (ch != 'x')
      ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  r.reserve = root.reserve;
  // The reserve is bound into the destination and plan; rebuild them.
  r.migration_destination->reserve = r.reserve;
  r.migration_destination->network = " REGTEST";
  r.migration_destination->destination_commitment_hash =
      cv::migration_destination_commitment(*r.migration_destination);
  r.destination_commitment_hash = r.migration_destination->destination_commitment_hash;
  r.migration_transaction_plan->plan_commitment_hash =
      cv::transaction_plan_commitment(r, *r.migration_transaction_plan);
  r.artifact_approvals->payload.destination_commitment_hash = r.destination_commitment_hash;
  r.artifact_approvals->payload.plan_commitment_hash =
      r.migration_transaction_plan->plan_commitment_hash;
  sign_approvals(r);
  accepted(cv::validate_submit(submit_of(r), "self_v1", with_roots({root})));
}

// Poll skips trust-root pinning (reference §3.4: polling survives config drift).
TEST(ValidationTrustRoots, PollIgnoresTrustRoots) {
  auto r = vector_request("qc_v1");
  auto p = with_roots({root_for(r, pub_hex(custodian()))});
  EXPECT_NE(submit_error(r, p), "<accepted>");
  accepted(cv::validate_poll(poll_of(r), "qc_v1", p));
}

// --- ETH identity (eth_identity_integration_test.go) -------------------------

namespace {

std::string eth_address_hex() {
  return cr::to_0x_hex(cr::eth_address(cr::derive_public_key(eth_key())));
}

void sign_depositor_eth(cv::route_submit_request& r, const cr::private_key& key) {
  auto sig = cr::sign_recoverable(key, approval_digest(r, {}));
  sig[64] = static_cast<std::uint8_t>(sig[64] + 27);
  (*r.artifact_approvals->approvals)[0].signature = cr::to_0x_hex(sig);
  (*r.artifact_signatures)[0] = cr::to_0x_hex(sig);
}

cv::validation_policy eth_pinned(const cv::route_submit_request& r) {
  auto root = root_for(r, pub_hex(depositor()));
  root.eth_address = eth_address_hex();
  return with_roots({root});
}

} // namespace

TEST(ValidationEthIdentity, AcceptsSelfV1WithPinnedDepositorEthIdentity) {
  auto r = vector_request("self_v1");
  sign_depositor_eth(r, eth_key());
  const auto v = accepted(cv::validate_submit(submit_of(r), "self_v1", eth_pinned(r)));
  EXPECT_EQ(v.depositor_eth_address, eth_address_hex());
  EXPECT_EQ(v.depositor_eth_address, "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
}

TEST(ValidationEthIdentity, RejectsSelfV1WithWrongDepositorEthIdentity) {
  auto r = vector_request("self_v1");
  sign_depositor_eth(r, depositor());
  EXPECT_EQ(submit_error(r, eth_pinned(r)),
            "request.artifactApprovals.approvals[0].signature does not verify against the "
            "required depositor ETH address");
}

TEST(ValidationEthIdentity, PollAcceptsEthSignedSelfV1Approval) {
  auto r = vector_request("self_v1");
  sign_depositor_eth(r, eth_key());
  cv::validation_policy p; // trust roots gone; the stored job pins the address
  p.pinned_depositor_eth_address = eth_address_hex();
  const auto v = accepted(cv::validate_poll(poll_of(r), "self_v1", p));
  EXPECT_EQ(v.depositor_eth_address, eth_address_hex());
  p.pinned_depositor_eth_address.clear();
  EXPECT_EQ(error_of(cv::validate_poll(poll_of(r), "self_v1", p)),
            "request.artifactApprovals.approvals[0].signature does not verify against the "
            "required public key");
}

// --- Redeem / renew (redeem_renew_test.go) -------------------------------------

namespace {

// Rebinds plan and approvals to the request's current destination hash.
void rebind(cv::route_submit_request& r) {
  r.migration_transaction_plan->plan_commitment_hash =
      cv::transaction_plan_commitment(r, *r.migration_transaction_plan);
  r.artifact_approvals->payload.destination_commitment_hash = r.destination_commitment_hash;
  r.artifact_approvals->payload.plan_commitment_hash =
      r.migration_transaction_plan->plan_commitment_hash;
  sign_approvals(r);
}

cv::route_submit_request redeem_request() {
  auto r = vector_request("self_v1");
  const auto& m = *r.migration_destination;
  cv::redeem_destination_reservation d;
  d.reserve = m.reserve;
  d.epoch = m.epoch;
  d.route = "REDEEM";
  d.revealer = m.revealer;
  d.vault = m.vault;
  d.network = m.network;
  d.status = "RESERVED";
  d.output_script = "0x0014" + std::string(40, '5');
  d.output_script_hash = *cv::script_hash(d.output_script);
  d.output_value_sats = r.migration_transaction_plan->destination_value_sats;
  d.destination_commitment_hash = cv::redeem_destination_commitment(d);
  r.action = "REDEEM";
  r.migration_destination.reset();
  r.destination_commitment_hash = d.destination_commitment_hash;
  r.redeem_destination = d;
  rebind(r);
  return r;
}

cv::route_submit_request renew_request() {
  auto r = vector_request("self_v1");
  const auto& m = *r.migration_destination;
  cv::renew_destination_reservation d;
  d.reserve = m.reserve;
  d.epoch = m.epoch;
  d.route = "RENEW";
  d.revealer = m.revealer;
  d.vault = m.vault;
  d.network = m.network;
  d.status = "RESERVED";
  d.next_covenant_script = "0x0020" + std::string(64, '6');
  d.next_covenant_script_hash = *cv::script_hash(d.next_covenant_script);
  d.next_maturity_height = 960000;
  d.output_value_sats = r.migration_transaction_plan->destination_value_sats;
  d.destination_commitment_hash = cv::renew_destination_commitment(d);
  r.action = "RENEW";
  r.migration_destination.reset();
  r.destination_commitment_hash = d.destination_commitment_hash;
  r.renew_destination = d;
  rebind(r);
  return r;
}

} // namespace

TEST(ValidationRedeemRenew, AcceptsRedeemAndRenewSelfV1) {
  accepted(cv::validate_submit(submit_of(redeem_request()), "self_v1", {}));
  accepted(cv::validate_submit(submit_of(renew_request()), "self_v1", {}));
}

// ...RedeemSelfV1WithMigrationPlanQuoteTrustRootsConfigured and the RENEW
// twin: quote roots only govern MIGRATION.
TEST(ValidationRedeemRenew, QuoteTrustRootsDoNotAffectRedeemOrRenew) {
  static const auto file = load_vector_file("migration_plan_quote_signing_vectors_v1.json");
  cv::validation_policy p;
  p.roots.quote.push_back({cv::test::str(file.at("trustRoot").as_object(), "keyId"),
                           cv::test::str(file.at("trustRoot").as_object(), "publicKeyPem")});
  accepted(cv::validate_submit(submit_of(redeem_request()), "self_v1", p));
  accepted(cv::validate_submit(submit_of(renew_request()), "self_v1", p));
}

TEST(ValidationRedeemRenew, AcceptsRedeemWithPinnedDepositorEthIdentity) {
  auto r = redeem_request();
  sign_depositor_eth(r, eth_key());
  accepted(cv::validate_submit(submit_of(r), "self_v1", eth_pinned(r)));
}

TEST(ValidationRedeemRenew, RejectsRedeemWithCommitmentMismatch) {
  auto r = redeem_request();
  r.redeem_destination->destination_commitment_hash = "0x" + std::string(64, '7');
  r.destination_commitment_hash = r.redeem_destination->destination_commitment_hash;
  rebind(r);
  EXPECT_EQ(submit_error(r), "request.redeemDestination.destinationCommitmentHash does not match "
                             "canonical reservation artifact");
}

TEST(ValidationRedeemRenew, RejectsRedeemWithValueMismatch) {
  auto r = redeem_request();
  r.redeem_destination->output_value_sats += 1;
  r.redeem_destination->destination_commitment_hash =
      cv::redeem_destination_commitment(*r.redeem_destination);
  r.destination_commitment_hash = r.redeem_destination->destination_commitment_hash;
  rebind(r);
  EXPECT_EQ(submit_error(r), "request.redeemDestination.outputValueSats does not match "
                             "request.migrationTransactionPlan.destinationValueSats");
}

TEST(ValidationRedeemRenew, RejectsCrossActionDestinationAndMissingDestination) {
  auto r = redeem_request();
  r.renew_destination = renew_request().renew_destination;
  EXPECT_EQ(submit_error(r), "request.renewDestination must be omitted unless action is RENEW");
  r = redeem_request();
  r.migration_destination = vector_request("self_v1").migration_destination;
  EXPECT_EQ(submit_error(r),
            "request.migrationDestination must be omitted unless action is MIGRATION");
  r = redeem_request();
  r.redeem_destination.reset();
  EXPECT_EQ(submit_error(r), "request.redeemDestination is required");
}

TEST(ValidationRedeemRenew, CommitmentHashesAreDeterministicAndDistinct) {
  EXPECT_EQ(redeem_request().destination_commitment_hash,
            redeem_request().destination_commitment_hash);
  EXPECT_NE(redeem_request().destination_commitment_hash,
            renew_request().destination_commitment_hash);
}

// --- Migration plan quotes (§5.7) ------------------------------------------------

namespace {

// SPKI PEM of the Ed25519 key with seed 0x44 x 32 (the reference tests'
// quote key); produced with `openssl pkey -pubout` from that seed, and
// checked against libsodium's derivation below.
cv::plan_quote_trust_root quote_root() {
  return {"test-plan-quote-key",
          "-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEA11l5O7wTooGagnx2rbb7qKSa7gB/SfLQmS2ZuCWtLEg="
          "\\n-----END PUBLIC KEY-----"};
}

cr::ed25519_seed quote_seed() {
  cr::ed25519_seed seed;
  seed.fill(0x44);
  return seed;
}

// A quote for the qc_v1 vector request, signed with the reference tests'
// quote key (Ed25519 seed 0x44 x 32), valid 2026-03-09T00:00 to 00:15.
cv::route_submit_request quoted_request() {
  auto r = vector_request("qc_v1");
  const auto& d = *r.migration_destination;
  cv::plan_quote q;
  q.quote_id = "cmdq_validation";
  q.quote_version = 1;
  q.reservation_id = d.reservation_id;
  q.reserve = r.reserve;
  q.epoch = r.epoch;
  q.route = "MIGRATION";
  q.revealer = d.revealer;
  q.vault = d.vault;
  q.network = d.network;
  q.destination_commitment_hash = r.destination_commitment_hash;
  q.active_outpoint_txid = r.active_outpoint.txid;
  q.active_outpoint_vout = r.active_outpoint.vout;
  q.plan_commitment_hash = r.migration_transaction_plan->plan_commitment_hash;
  q.migration_transaction_plan = r.migration_transaction_plan;
  q.idempotency_key = "idem-quote-1";
  q.expires_in_seconds = 900;
  q.issued_at = "2026-03-09T00:00:00.000Z";
  q.expires_at = "2026-03-09T00:15:00.000Z";
  q.signature.signature_version = 1;
  q.signature.algorithm = "ed25519";
  q.signature.key_id = quote_root().key_id;
  const auto hash = cv::plan_quote_signing_hash(q);
  q.signature.signature = cr::to_0x_hex(cr::ed25519_sign(quote_seed(), hash.data(), hash.size()));
  r.migration_plan_quote = q;
  return r;
}

std::chrono::system_clock::time_point at(const char* iso) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(*cv::parse_iso_millis(iso)));
}

cv::validation_policy quote_policy(const char* now) {
  cv::validation_policy p;
  p.roots.quote.push_back(quote_root());
  p.now = at(now);
  return p;
}

} // namespace

// The configured PEM uses literal "\\n" sequences, as deployments do (§5.4).
TEST(ValidationQuote, TrustRootIsTheFixedQuoteKey) {
  auto key = cv::parse_plan_quote_trust_root("migrationPlanQuoteTrustRoots[0]", quote_root());
  ASSERT_TRUE((std::holds_alternative<std::array<std::uint8_t, 32>>(key)));
  EXPECT_EQ(std::get<0>(key),
            cr::ed25519_public_key_from_seed(quote_seed()));
}

// TestServiceRequiresMigrationPlanQuoteWhenTrustRootsConfigured.
TEST(ValidationQuote, RequiredWhenTrustRootsConfigured) {
  EXPECT_EQ(submit_error(vector_request("qc_v1"), quote_policy("2026-03-09T00:01:00.000Z")),
            "request.migrationPlanQuote is required when migrationPlanQuoteTrustRoots are "
            "configured");
  EXPECT_EQ(submit_error(quoted_request()),
            "request.migrationPlanQuote verification requires configured trust roots");
}

// TestServiceAcceptsValidMigrationPlanQuoteWhenTrustRootsConfigured.
TEST(ValidationQuote, AcceptsValidQuote) {
  const auto v = accepted(cv::validate_submit(submit_of(quoted_request()), "qc_v1",
                                               quote_policy("2026-03-09T00:01:00.000Z")));
  ASSERT_TRUE(v.normalized.migration_plan_quote.has_value());
  EXPECT_EQ(v.normalized.migration_plan_quote->quote_id, "cmdq_validation");
}

// TestServiceRejectsExpiredMigrationPlanQuoteOnSubmit.
TEST(ValidationQuote, RejectsExpiredQuoteOnSubmit) {
  EXPECT_EQ(submit_error(quoted_request(), quote_policy("2026-03-09T00:15:00.001Z")),
            "request.migrationPlanQuote is expired");
  accepted(cv::validate_submit(submit_of(quoted_request()), "qc_v1",
                               quote_policy("2026-03-09T00:15:00.000Z")));
}

TEST(ValidationQuote, RejectsUnknownKeyAndForgedSignature) {
  auto r = quoted_request();
  r.migration_plan_quote->signature.key_id = "other-key";
  EXPECT_EQ(submit_error(r, quote_policy("2026-03-09T00:01:00.000Z")),
            "request.migrationPlanQuote.signature.keyId does not match a configured trust root");
  r = quoted_request();
  r.migration_plan_quote->quote_id = "cmdq_tampered";
  EXPECT_EQ(submit_error(r, quote_policy("2026-03-09T00:01:00.000Z")),
            "request.migrationPlanQuote.signature does not verify against the configured trust "
            "root");
}

// TestServicePollAcceptsStoredMigrationPlanQuoteAfterQuoteExpiry and
// TestServicePollRemainsValidAfterMigrationQuoteTrustRootConfigDrift.
TEST(ValidationQuote, PollIgnoresFreshnessAndTrustRoots) {
  auto r = quoted_request();
  accepted(cv::validate_poll(poll_of(r), "qc_v1", quote_policy("2027-01-01T00:00:00.000Z")));
  accepted(cv::validate_poll(poll_of(r), "qc_v1", {}));
  r.migration_plan_quote->quote_id = "cmdq_tampered"; // signature is not checked on Poll
  accepted(cv::validate_poll(poll_of(r), "qc_v1", {}));
}

// With an ETH identity pinned the D signature must be a 65-byte low-S
// recoverable signature (reference §5.3, Go verifyEthSignature's texts);
// C still uses plain secp256k1.
TEST(ValidationEthIdentity, PinnedDepositorSignatureForm) {
  auto r = vector_request("self_v1");
  const auto p = eth_pinned(r);
  // A DER signature by the template key is not enough once ETH is pinned.
  EXPECT_EQ(submit_error(r, p),
            "request.artifactApprovals.approvals[0].signature must be a 65-byte secp256k1 "
            "signature");
  // v = 0/1 is accepted like 27/28.
  auto sig = cr::sign_recoverable(eth_key(), approval_digest(r, {}));
  (*r.artifact_approvals->approvals)[0].signature = cr::to_0x_hex(sig);
  (*r.artifact_signatures)[0] = cr::to_0x_hex(sig);
  accepted(cv::validate_submit(submit_of(r), "self_v1", p));
  // v = 29 is not a recovery id the reference accepts.
  sig[64] = 29;
  (*r.artifact_approvals->approvals)[0].signature = cr::to_0x_hex(sig);
  (*r.artifact_signatures)[0] = cr::to_0x_hex(sig);
  EXPECT_EQ(submit_error(r, p),
            "request.artifactApprovals.approvals[0].signature has an invalid recovery id");
}

// With an ETH identity the template's depositor key is never parsed (Go
// skips it): an off-curve template key does not matter on that path.
TEST(ValidationEthIdentity, DepositorTemplateKeyIsNotParsedWhenEthPinned) {
  auto r = vector_request("self_v1");
  sign_depositor_eth(r, eth_key());
  for (auto& [key, value] : r.script_template->members)
    if (key == "depositorPublicKey")
      value.text = "0x02" + std::string(64, 'f'); // x >= p: no such point
  // Submit pins the root's key (the template must equal it), so this is
  // the Poll path, where the stored identity is used as is.
  cv::validation_policy poll;
  poll.pinned_depositor_eth_address = eth_address_hex();
  accepted(cv::validate_poll(poll_of(r), "self_v1", poll));
  // Without the identity the same key is rejected.
  EXPECT_EQ(error_of(cv::validate_poll(poll_of(r), "self_v1", {})),
            "request.scriptTemplate.depositorPublicKey must be a compressed secp256k1 public key");
}

// Approval keys must be 33-byte compressed points on the curve (§5.3).
TEST(ValidationSubmit, RejectsTemplateKeyOffTheCurve) {
  auto r = vector_request("qc_v1");
  for (auto& [key, value] : r.script_template->members)
    if (key == "custodianPublicKey")
      value.text = "0x02" + std::string(64, 'f'); // x >= p: no such point
  EXPECT_EQ(submit_error(r),
            "request.scriptTemplate.custodianPublicKey must be a compressed secp256k1 public key");
  r = vector_request("qc_v1");
  for (auto& [key, value] : r.script_template->members)
    if (key == "template")
      value.text = "self_v1";
  EXPECT_EQ(submit_error(r), "request.scriptTemplate.template must be qc_v1");
}
