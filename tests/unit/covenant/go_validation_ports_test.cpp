// Ports of keep-core pkg/covenantsigner covenantsigner_test.go (G5,
// 373da53f) that run on the Go tests' own fixtures (go_fixture_support.hpp:
// baseRequest, structuredSignerApprovalRequest, ...), case for case, each
// asserting the reference's exact error text (the Go tests match with
// strings.Contains; we assert equality). Service-level Go tests (dedupe,
// concurrency, stored-job rechecks) live with the actors and transport;
// here only what the pure validator decides is ported:
//   TestArtifactApprovalDigestMatchesV2Contract,
//   TestServiceRejectsInvalidMigrationDestinationVariants (8 cases),
//   TestServiceRejectsInvalidMigrationTransactionPlanVariants (14 cases),
//   TestServiceRejectsInvalidArtifactApprovalVariants (9 cases),
//   TestServiceAcceptsStructuredSignerApprovalWhenVerifierConfigured,
//   TestServiceRejectsStructuredSignerApprovalWithoutVerifier,
//   TestServiceRejectsMissingSignerApprovalWhenVerifierConfigured,
//   TestServiceRejectsStructuredSignerApprovalWithMismatchedApprovalDigest,
//   TestServiceRejectsStructuredSignerApprovalWithLegacySignerRole,
//   TestServiceRejectsQcV1PresignRequestType,
//   TestRequestDigestNormalizesEquivalentArtifactApprovalVariants,
//   TestRequestDigestNormalizesEquivalentStructuredSignerApprovalVariants,
//   TestRequestDigestNormalizesMixedCaseArtifactApprovalVariants,
//   TestRequestDigestDistinguishesSelfV1PresignFromReconstruct,
//   TestRequestDigestRejectsArtifactApprovalsWithoutMigrationTransactionPlan,
//   TestDestinationCommitmentHashDoesNotEscapeHTMLSensitiveCharacters,
//   TestServiceStoresNormalizedArtifactApprovalRequest,
//   TestServicePollAcceptsEquivalentArtifactApprovalRequestVariants,
//   TestNormalizeSignerApprovalCertificateRejectsV1CertificateVersion,
//   TestServiceSubmitRejectsSignerApprovalWithMissingEndBlock,
//   TestServiceAcceptsSignerApprovalCertificateWithEndBlockAboveUint32Range,
//   TestServiceSubmitRejectsSignerApprovalMissingCurrentBlockProvider,
//   TestServicePollRejectsExpiredCertificate,
//   TestServicePollAcceptsCertificateExactlyAtEndBlock,
//   the trust-root Submit tests (TestServiceAccepts/Rejects{SelfV1,QcV1}...),
//   TestServiceAcceptsMixedCaseDepositorTrustRootConfig,
//   TestNewServiceRejectsDuplicateDepositorTrustRootScope,
//   TestNewServiceRejectsInvalidCustodianTrustRootPublicKey, and the quote
//   tests TestServiceRequiresMigrationPlanQuoteWhenTrustRootsConfigured,
//   TestServiceAcceptsValidMigrationPlanQuoteWhenTrustRootsConfigured,
//   TestServiceRejectsExpiredMigrationPlanQuoteOnSubmit,
//   TestServicePollAcceptsStoredMigrationPlanQuoteAfterQuoteExpiry,
//   TestServicePollRemainsValidAfterMigrationQuoteTrustRootConfigDrift;
// and approval_vectors_generator_test.go
//   TestGenerateCovenantRecoveryApprovalVectorsV2 (its verify mode).
#include "covenant/canonical_json.hpp"
#include "covenant/certificate.hpp"
#include "covenant/normalize.hpp"
#include "crypto/sha256.hpp"
#include "go_fixture_support.hpp"
#include "vector_support.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <stdexcept>

namespace cv = covsigner::covenant;
namespace cr = covsigner::crypto;
using namespace covsigner::covenant::go_fixture;

namespace {

using mutation = std::function<void(cv::route_submit_request&)>;

struct variant_case {
  const char* name;
  mutation mutate;
  const char* expect;
};

void expect_submit_errors(const std::string& route, const std::vector<variant_case>& cases,
                          const cv::validation_policy& policy = {}) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = base_request(route);
    c.mutate(r);
    EXPECT_EQ(submit_error(r, policy), c.expect);
  }
}

cv::validation_policy with_verifier(std::uint64_t height = 100) {
  cv::validation_policy p;
  p.verifier_configured = true;
  p.current_height = height;
  return p;
}

std::chrono::system_clock::time_point at(const char* iso) {
  return std::chrono::system_clock::time_point(
      std::chrono::milliseconds(*cv::parse_iso_millis(iso)));
}

} // namespace

// TestArtifactApprovalDigestMatchesV2Contract: baseRequest's payload under
// the zero domain.
TEST(GoValidationPorts, ArtifactApprovalDigestMatchesV2Contract) {
  for (auto [route, expected] :
       {std::pair{"qc_v1", "0xc8246daca36f0116377210140056949b23c37b3de3a5c48ec8d125405a9f05fe"},
        std::pair{"self_v1", "0x063735af147351025209ba54a606b38598d67e60848d463bbd4bcfcbdf3506c7"}}) {
    auto r = base_request(route);
    auto digest = cv::artifact_approval_digest(r.artifact_approvals->payload, cv::eip712_domain{});
    EXPECT_EQ(cr::to_0x_hex(std::get<cr::hash32>(digest)), expected) << route;
  }
}

// The fixture itself is a valid request on both routes (the Go tests'
// baseline Submit succeeds).
TEST(GoValidationPorts, BaseRequestIsAccepted) {
  for (const char* route : {"qc_v1", "self_v1"})
    EXPECT_EQ(submit_error(base_request(route)), "<accepted>") << route;
}

// TestServiceRejectsInvalidMigrationDestinationVariants
TEST(GoValidationPorts, RejectsInvalidMigrationDestinationVariants) {
  expect_submit_errors(
      "self_v1",
      {
          {"missing reservation artifact",
           [](auto& r) { r.migration_destination.reset(); },
           "request.migrationDestination is required"},
          {"wrong reservation route",
           [](auto& r) { r.migration_destination->route = "COOPERATIVE"; },
           "request.migrationDestination.route must be MIGRATION"},
          {"retired reservation status",
           [](auto& r) { r.migration_destination->status = "RETIRED"; },
           "request.migrationDestination.status must be RESERVED or COMMITTED_TO_EPOCH"},
          {"epoch mismatch", [](auto& r) { r.migration_destination->epoch = 13; },
           "request.migrationDestination.epoch does not match request.epoch"},
          {"reserve mismatch",
           [](auto& r) {
             r.migration_destination->reserve = "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
           },
           "request.migrationDestination.reserve does not match request.reserve"},
          {"request commitment mismatch",
           [](auto& r) { r.destination_commitment_hash = "0xdeadbeef"; },
           "request.migrationDestination.destinationCommitmentHash does not match "
           "request.destinationCommitmentHash"},
          {"migration extraData mismatch",
           [](auto& r) { r.migration_destination->migration_extra_data = "0xdeadbeef"; },
           "request.migrationDestination.migrationExtraData does not match migration revealer "
           "encoding"},
          {"canonical commitment mismatch",
           [](auto& r) {
             r.migration_destination->destination_commitment_hash = "0xdeadbeef";
             r.destination_commitment_hash = "0xdeadbeef";
           },
           "request.migrationDestination.destinationCommitmentHash does not match canonical "
           "reservation artifact"},
      });
}

// TestServiceRejectsMismatchedMigrationDestinationArtifact
TEST(GoValidationPorts, RejectsMismatchedMigrationDestinationArtifact) {
  auto r = base_request("self_v1");
  r.migration_destination->deposit_script_hash = "0xdeadbeef";
  EXPECT_EQ(submit_error(r),
            "request.migrationDestination.depositScriptHash does not match depositScript");
}

// TestServiceRejectsInvalidMigrationTransactionPlanVariants
TEST(GoValidationPorts, RejectsInvalidMigrationTransactionPlanVariants) {
  expect_submit_errors(
      "self_v1",
      {
          {"missing transaction plan", [](auto& r) { r.migration_transaction_plan.reset(); },
           "request.migrationTransactionPlan is required"},
          {"missing plan version", [](auto& r) { r.migration_transaction_plan->plan_version = 0; },
           "request.migrationTransactionPlan.planVersion must equal 1"},
          {"wrong commitment hash",
           [](auto& r) { r.migration_transaction_plan->plan_commitment_hash = ""; },
           "request.migrationTransactionPlan.planCommitmentHash must be a 0x-prefixed even-length "
           "hex string"},
          {"zero input value", [](auto& r) { r.migration_transaction_plan->input_value_sats = 0; },
           "request.migrationTransactionPlan.inputValueSats must be greater than zero"},
          {"zero destination value",
           [](auto& r) { r.migration_transaction_plan->destination_value_sats = 0; },
           "request.migrationTransactionPlan.destinationValueSats must be greater than zero"},
          {"zero fee",
           [](auto& r) {
             auto& p = *r.migration_transaction_plan;
             p.fee_sats = 0;
             p.destination_value_sats = p.input_value_sats - p.anchor_value_sats;
           },
           "request.migrationTransactionPlan.feeSats must be greater than zero"},
          {"wrong anchor value",
           [](auto& r) { r.migration_transaction_plan->anchor_value_sats = 331; },
           "request.migrationTransactionPlan.anchorValueSats must equal the canonical 330 sat "
           "anchor"},
          {"wrong input sequence",
           [](auto& r) { r.migration_transaction_plan->input_sequence = 0xFFFFFFFF; },
           "request.migrationTransactionPlan.inputSequence must equal 0xFFFFFFFD"},
          {"locktime mismatch",
           [](auto& r) {
             r.migration_transaction_plan->lock_time =
                 static_cast<std::uint32_t>(r.maturity_height + 1);
           },
           "request.migrationTransactionPlan.lockTime must match request.maturityHeight"},
          {"maturity height exceeds uint32", [](auto& r) { r.maturity_height = 0x100000000ull; },
           "request.maturityHeight must fit in uint32"},
          {"insufficient input for destination",
           [](auto& r) {
             auto& p = *r.migration_transaction_plan;
             p.input_value_sats = p.destination_value_sats - 1;
           },
           "request.migrationTransactionPlan.inputValueSats must cover destinationValueSats"},
          {"insufficient input for anchor",
           [](auto& r) {
             auto& p = *r.migration_transaction_plan;
             p.input_value_sats = p.destination_value_sats + 330 - 1;
           },
           "request.migrationTransactionPlan.inputValueSats must cover anchorValueSats"},
          {"tampered commitment hash",
           [](auto& r) {
             r.migration_transaction_plan->plan_commitment_hash = "0x" + std::string(64, 'f');
           },
           "request.migrationTransactionPlan.planCommitmentHash does not match canonical "
           "migration transaction plan"},
          {"accounting mismatch", [](auto& r) { r.migration_transaction_plan->fee_sats++; },
           "request.migrationTransactionPlan values must satisfy inputValueSats = "
           "destinationValueSats + anchorValueSats + feeSats"},
      });
}

// TestServiceRejectsMigrationTransactionPlanBoundToDifferentDestinationCommitment
TEST(GoValidationPorts, RejectsPlanBoundToDifferentDestinationCommitment) {
  auto r = base_request("self_v1");
  auto d = valid_destination();
  d.revealer = "0x4444444444444444444444444444444444444444";
  d.migration_extra_data = cv::migration_extra_data(d.revealer);
  d.destination_commitment_hash = cv::migration_destination_commitment(d);
  r.destination_commitment_hash = d.destination_commitment_hash;
  r.migration_destination = d;
  EXPECT_EQ(submit_error(r), "request.migrationTransactionPlan.planCommitmentHash does not match "
                             "canonical migration transaction plan");
}

namespace {

// Go mustHighSCompactVariantSignature: the DER signature's (r, n - s) as
// 64 bytes r || s.
std::string high_s_compact_variant(const std::string& der_hex) {
  auto parsed = cr::parse_der_signature(*cr::from_0x_hex(der_hex));
  auto compact = std::get<cr::ecdsa_signature>(parsed).compact;
  auto n = *cr::from_hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = n[i] - compact[32 + i] - borrow;
    borrow = d < 0;
    compact[32 + i] = static_cast<std::uint8_t>(d + (borrow ? 256 : 0));
  }
  return cr::to_0x_hex(cr::bytes(compact.begin(), compact.end()));
}

std::string& signature_of(cv::route_submit_request& r, const char* role) {
  for (auto& a : *r.artifact_approvals->approvals)
    if (a.role == role)
      return a.signature;
  throw std::logic_error("no such role");
}

} // namespace

// TestServiceRejectsInvalidArtifactApprovalVariants (9 cases).
TEST(GoValidationPorts, RejectsInvalidArtifactApprovalVariants) {
  struct routed_case {
    const char* route;
    variant_case c;
  };
  const std::vector<routed_case> cases = {
      {"qc_v1",
       {"missing qc custodian approval",
        [](auto& r) {
          r.artifact_approvals->approvals->resize(1);
          r.artifact_signatures->resize(1);
        },
        "request.artifactApprovals.approvals must include role C for qc_v1"}},
      {"self_v1",
       {"self route rejects custodian approval role",
        [](auto& r) {
          r.artifact_approvals->approvals->push_back(
              {"C", approval_signature(custodian_key(), r.artifact_approvals->payload)});
        },
        "request.artifactApprovals.approvals[1].role is not allowed for self_v1"}},
      {"qc_v1",
       {"plan commitment mismatch",
        [](auto& r) {
          r.artifact_approvals->payload.plan_commitment_hash = "0x" + std::string(64, 'f');
        },
        "request.artifactApprovals.payload.planCommitmentHash must match "
        "request.migrationTransactionPlan.planCommitmentHash"}},
      {"self_v1",
       {"artifact approvals required", [](auto& r) { r.artifact_approvals.reset(); },
        "request.artifactApprovals is required"}},
      {"qc_v1",
       {"legacy signature mismatch",
        [](auto& r) { std::swap((*r.artifact_signatures)[0], (*r.artifact_signatures)[1]); },
        "request.artifactSignatures must match canonical approval role order derived from "
        "request.artifactApprovals"}},
      {"self_v1",
       {"legacy signatures remain required when approvals are present",
        [](auto& r) { r.artifact_signatures.reset(); },
        "request.artifactSignatures must not be empty"}},
      {"self_v1",
       {"depositor signature does not verify",
        [](auto& r) {
          signature_of(r, "D") = approval_signature(custodian_key(), r.artifact_approvals->payload);
          r.artifact_signatures = canonical_signatures(r);
        },
        "request.artifactApprovals.approvals[0].signature does not verify against the required "
        "public key"}},
      {"qc_v1",
       {"custodian signature does not verify",
        [](auto& r) {
          signature_of(r, "C") = signature_of(r, "D");
          r.artifact_signatures = canonical_signatures(r);
        },
        "request.artifactApprovals.approvals[1].signature does not verify against the required "
        "public key"}},
      {"self_v1",
       {"depositor signature must be low-S",
        [](auto& r) {
          signature_of(r, "D") = high_s_compact_variant(signature_of(r, "D"));
          r.artifact_signatures = canonical_signatures(r);
        },
        "request.artifactApprovals.approvals[0].signature must be a low-S secp256k1 signature"}},
  };
  for (const auto& rc : cases)
    expect_submit_errors(rc.route, {rc.c});
}

// Go validateArtifactApprovalAuthenticity walks the approvals as sent, so
// a failing C sent first is reported at index 0 (not its canonical slot).
TEST(GoValidationPorts, SignatureErrorsNameTheIndexAsSent) {
  auto r = base_request("qc_v1");
  std::reverse(r.artifact_approvals->approvals->begin(), r.artifact_approvals->approvals->end());
  EXPECT_EQ(submit_error(r), "<accepted>");
  signature_of(r, "C") = signature_of(r, "D");
  r.artifact_signatures = canonical_signatures(r);
  EXPECT_EQ(submit_error(r), "request.artifactApprovals.approvals[0].signature does not verify "
                             "against the required public key");
}

// btcec v1's DER parser (the reference's) ignores bytes after the DER's
// declared length; such a signature still verifies.
TEST(GoValidationPorts, DerSignatureWithTrailingBytesIsAccepted) {
  auto r = base_request("self_v1");
  signature_of(r, "D") += "00ff";
  r.artifact_signatures = canonical_signatures(r);
  EXPECT_EQ(submit_error(r), "<accepted>");
  // A declared length beyond the bytes present is still malformed.
  auto bad = base_request("self_v1");
  auto& sig = signature_of(bad, "D");
  sig.replace(4, 2, "ff");
  bad.artifact_signatures = canonical_signatures(bad);
  EXPECT_EQ(submit_error(bad), "request.artifactApprovals.approvals[0].signature must be a DER or "
                               "64/65-byte secp256k1 signature");
}

// TestServiceAcceptsStructuredSignerApprovalWhenVerifierConfigured: the
// stored certificate has its member lists sorted.
TEST(GoValidationPorts, AcceptsStructuredSignerApprovalWhenVerifierConfigured) {
  auto r = structured_request("qc_v1");
  auto v = accepted(cv::validate_submit(submit_of(r), "qc_v1", with_verifier()));
  EXPECT_TRUE(v.signer_approval_verification_due);
  ASSERT_TRUE(v.normalized.signer_approval);
  EXPECT_EQ(v.normalized.signer_approval->active_members, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(v.normalized.signer_approval->inactive_members, (std::vector<std::uint32_t>{3, 4}));
}

// TestServiceRejectsStructuredSignerApprovalWithoutVerifier (the Go
// scriptedEngine reports height 0).
TEST(GoValidationPorts, RejectsStructuredSignerApprovalWithoutVerifier) {
  cv::validation_policy p;
  p.current_height = 0;
  EXPECT_EQ(submit_error(structured_request("self_v1"), p),
            "request.signerApproval cannot be verified by this signer deployment");
}

// TestServiceRejectsMissingSignerApprovalWhenVerifierConfigured
TEST(GoValidationPorts, RejectsMissingSignerApprovalWhenVerifierConfigured) {
  EXPECT_EQ(submit_error(base_request("self_v1"), with_verifier()),
            "request.signerApproval is required when the signer approval verifier is configured");
}

// TestServiceRejectsStructuredSignerApprovalWithMismatchedApprovalDigest
TEST(GoValidationPorts, RejectsStructuredSignerApprovalWithMismatchedApprovalDigest) {
  auto r = structured_request("self_v1");
  r.signer_approval->approval_digest = "0x";
  for (int i = 0; i < 32; ++i)
    r.signer_approval->approval_digest += "11";
  EXPECT_EQ(submit_error(r, with_verifier()),
            "request.signerApproval.approvalDigest must match the canonical artifactApprovals "
            "payload digest");
}

// TestServiceRejectsStructuredSignerApprovalWithLegacySignerRole: the old
// `S` role is no longer an approval role.
TEST(GoValidationPorts, RejectsStructuredSignerApprovalWithLegacySignerRole) {
  auto r = structured_request("self_v1");
  r.artifact_approvals->approvals->push_back({"S", "0x5151"});
  auto& legacy = *r.artifact_signatures;
  legacy.insert(legacy.end() - 1, "0x5151");
  EXPECT_EQ(submit_error(r, with_verifier()),
            "request.artifactApprovals.approvals[1].role is not allowed for self_v1");
}

// TestServiceRejectsQcV1PresignRequestType
TEST(GoValidationPorts, RejectsQcV1PresignRequestType) {
  auto r = base_request("qc_v1");
  r.request_type = "presign_self_v1";
  EXPECT_EQ(submit_error(r), "request.requestType must be reconstruct for qc_v1");
}

// TestRequestDigestNormalizesEquivalentArtifactApprovalVariants and
// ...StructuredSignerApprovalVariants: uppercase hex bodies, reversed
// approvals and rotated member lists digest like the canonical request.
TEST(GoValidationPorts, RequestDigestNormalizesEquivalentVariants) {
  for (auto r : {base_request("qc_v1"), structured_request("qc_v1")}) {
    auto variant = hex_variant(r, upper_hex_body);
    ASSERT_NE(variant.destination_commitment_hash, r.destination_commitment_hash);
    EXPECT_EQ(digest_of(variant), digest_of(r));
  }
}

// TestRequestDigestNormalizesMixedCaseArtifactApprovalVariants, on the Go
// canonicalMixedCaseCoverageArtifactApprovalRequest (letters in every
// address, so the mixed-case transform changes them).
TEST(GoValidationPorts, RequestDigestNormalizesMixedCaseVariants) {
  for (const char* route : {"qc_v1", "self_v1"}) {
    SCOPED_TRACE(route);
    auto r = base_request(route);
    r.strategy = "0xaabbccddeeff00112233445566778899aabbccdd";
    r.reserve = "0xabcdefabcdefabcdefabcdefabcdefabcdefabcd";
    auto& d = *r.migration_destination;
    d.reserve = r.reserve;
    d.revealer = "0xdecafbaddecafbaddecafbaddecafbaddecafbad";
    d.vault = "0xbeadfeedbeadfeedbeadfeedbeadfeedbeadfeed";
    d.migration_extra_data = cv::migration_extra_data(d.revealer);
    d.destination_commitment_hash = cv::migration_destination_commitment(d);
    r.destination_commitment_hash = d.destination_commitment_hash;
    r.migration_transaction_plan->plan_commitment_hash =
        cv::transaction_plan_commitment(r, *r.migration_transaction_plan);
    r.artifact_approvals->payload.destination_commitment_hash = r.destination_commitment_hash;
    r.artifact_approvals->payload.plan_commitment_hash =
        r.migration_transaction_plan->plan_commitment_hash;

    auto mixed = hex_variant(r, mixed_case_hex_body);
    ASSERT_NE(mixed.reserve, r.reserve);
    auto a = cv::normalize_request(r, {});
    auto b = cv::normalize_request(mixed, {});
    ASSERT_TRUE(std::holds_alternative<cv::route_submit_request>(a));
    ASSERT_TRUE(std::holds_alternative<cv::route_submit_request>(b));
    EXPECT_EQ(cv::canonical_request_json(std::get<cv::route_submit_request>(b)),
              cv::canonical_request_json(std::get<cv::route_submit_request>(a)));
    EXPECT_EQ(digest_of(mixed), digest_of(r));
  }
}

// TestRequestDigestDistinguishesSelfV1PresignFromReconstruct
TEST(GoValidationPorts, RequestDigestDistinguishesSelfV1PresignFromReconstruct) {
  auto reconstruct = structured_request("self_v1");
  auto presign = reconstruct;
  presign.request_type = "presign_self_v1";
  EXPECT_NE(digest_of(reconstruct), digest_of(presign));
  EXPECT_EQ(std::get<cv::route_submit_request>(cv::normalize_request(reconstruct, {})).request_type,
            "reconstruct");
  EXPECT_EQ(std::get<cv::route_submit_request>(cv::normalize_request(presign, {})).request_type,
            "presign_self_v1");
}

// TestRequestDigestRejectsArtifactApprovalsWithoutMigrationTransactionPlan
TEST(GoValidationPorts, RequestDigestRejectsApprovalsWithoutPlan) {
  auto r = base_request("self_v1");
  r.migration_transaction_plan.reset();
  auto d = cv::normalized_request_digest(r, {});
  ASSERT_TRUE(std::holds_alternative<cv::input_error>(d));
  EXPECT_EQ(std::get<cv::input_error>(d).message,
            "request.migrationTransactionPlan is required when request.artifactApprovals is "
            "present");
}

// TestDestinationCommitmentHashDoesNotEscapeHTMLSensitiveCharacters: the
// commitment preimage keeps `<>&` raw (canonicalJSON, HTML escaping off).
TEST(GoValidationPorts, DestinationCommitmentDoesNotEscapeHtml) {
  auto d = valid_destination();
  d.network = "regtest<v2>&sink";
  boost::json::object o;
  o["reserve"] = d.reserve;
  o["epoch"] = d.epoch;
  o["route"] = d.route;
  o["revealer"] = d.revealer;
  o["vault"] = d.vault;
  o["network"] = d.network;
  o["depositScriptHash"] = d.deposit_script_hash;
  o["migrationExtraData"] = d.migration_extra_data;
  const std::string preimage = cv::canonical_json(o);
  EXPECT_NE(preimage.find(R"("network":"regtest<v2>&sink")"), std::string::npos);
  EXPECT_EQ(preimage.find("\\u003c"), std::string::npos);
  // The commitment is SHA-256 of exactly that preimage (not of an escaped one).
  EXPECT_EQ(cv::migration_destination_commitment(d),
            cr::to_0x_hex(cr::sha256(preimage)));
}

// TestServiceStoresNormalizedArtifactApprovalRequest: the uppercase
// variant normalises to exactly the canonical baseRequest.
TEST(GoValidationPorts, StoresNormalizedArtifactApprovalRequest) {
  auto canonical = base_request("qc_v1");
  auto v = accepted(cv::validate_submit(submit_of(hex_variant(canonical, upper_hex_body)), "qc_v1", {}));
  EXPECT_EQ(cv::canonical_request_json(v.normalized), cv::canonical_request_json(canonical));
}

// TestServicePollAcceptsEquivalentArtifactApprovalRequestVariants: Submit
// the uppercase variant, Poll with the canonical request: same digest.
TEST(GoValidationPorts, PollAcceptsEquivalentArtifactApprovalRequestVariants) {
  auto canonical = base_request("qc_v1");
  auto submitted =
      accepted(cv::validate_submit(submit_of(hex_variant(canonical, upper_hex_body)), "qc_v1", {}));
  cv::validation_policy poll;
  poll.current_height = 100;
  auto polled = accepted(cv::validate_poll(poll_of(canonical), "qc_v1", poll));
  EXPECT_EQ(polled.request_digest, submitted.request_digest);
}

// TestNormalizeSignerApprovalCertificateRejectsV1CertificateVersion
TEST(GoValidationPorts, RejectsV1CertificateVersion) {
  auto r = structured_request("self_v1");
  r.signer_approval->certificate_version = 1;
  auto n = cv::normalize_signer_approval(r, {}, 2);
  ASSERT_TRUE(std::holds_alternative<cv::input_error>(n));
  EXPECT_EQ(std::get<cv::input_error>(n).message,
            "request.signerApproval.certificateVersion must equal 2");
}

// TestServiceSubmitRejectsSignerApprovalWithMissingEndBlock
TEST(GoValidationPorts, RejectsSignerApprovalWithMissingEndBlock) {
  auto r = structured_request("self_v1");
  r.signer_approval->end_block.reset();
  EXPECT_EQ(submit_error(r, with_verifier()), "request.signerApproval.endBlock is required");
}

// TestServiceAcceptsSignerApprovalCertificateWithEndBlockAboveUint32Range
TEST(GoValidationPorts, AcceptsEndBlockAboveUint32Range) {
  const std::uint64_t end_block = 0xFFFFFFFFull + 100000;
  auto r = structured_request("self_v1");
  r.signer_approval->end_block = end_block;
  auto n = cv::normalize_signer_approval(r, {}, 2);
  ASSERT_TRUE(std::holds_alternative<std::optional<cv::signer_approval_certificate>>(n));
  EXPECT_EQ(std::get<0>(n)->end_block, end_block);
  auto v = accepted(cv::validate_submit(submit_of(r), "self_v1", with_verifier()));
  EXPECT_EQ(v.normalized.signer_approval->end_block, end_block);
  cv::validation_policy poll;
  poll.current_height = 100;
  accepted(cv::validate_poll(poll_of(r), "self_v1", poll));
}

// TestServiceSubmitRejectsSignerApprovalMissingCurrentBlockProvider: a
// 500, not a 400 (Go returns a plain error, mapped to internal server error).
TEST(GoValidationPorts, RejectsSignerApprovalMissingCurrentBlockProvider) {
  cv::validation_policy p;
  p.verifier_configured = true;
  auto result = cv::validate_submit(submit_of(structured_request("self_v1")), "self_v1", p);
  ASSERT_TRUE(std::holds_alternative<cv::validation_error>(result));
  const auto& e = std::get<cv::validation_error>(result);
  EXPECT_EQ(e.kind, cv::validation_error_kind::height_unavailable);
  EXPECT_EQ(e.message, "cannot validate signer approval certificate expiry: no current block "
                       "height is available");
}

// TestServicePollRejectsExpiredCertificate and
// TestServicePollAcceptsCertificateExactlyAtEndBlock (endBlock 123456 is
// inclusive).
TEST(GoValidationPorts, PollCertificateExpiryIsInclusive) {
  auto r = structured_request("self_v1");
  cv::validation_policy poll;
  poll.current_height = 123456;
  accepted(cv::validate_poll(poll_of(r), "self_v1", poll));
  poll.current_height = 123457;
  auto result = cv::validate_poll(poll_of(r), "self_v1", poll);
  ASSERT_TRUE(std::holds_alternative<cv::validation_error>(result));
  EXPECT_EQ(std::get<cv::validation_error>(result).message,
            "signer approval certificate has expired");
}

// --- Trust roots on Submit (Go TestServiceAccepts/Rejects...TrustRoot...) ------------

namespace {

cv::validation_policy roots(std::vector<cv::approval_trust_root> depositor,
                            std::vector<cv::approval_trust_root> custodian = {}) {
  cv::validation_policy p;
  p.roots = normalized(cv::trust_roots{std::move(depositor), std::move(custodian), {}});
  return p;
}

cv::approval_trust_root other_reserve(cv::approval_trust_root root) {
  root.reserve = "0x9999999999999999999999999999999999999999";
  return root;
}

} // namespace

// TestServiceAcceptsSelfV1WithMatchingDepositorTrustRoot
TEST(GoValidationPorts, AcceptsSelfV1WithMatchingDepositorTrustRoot) {
  EXPECT_EQ(submit_error(base_request("self_v1"), roots({depositor_root("self_v1")})),
            "<accepted>");
}

// TestServiceRejectsSelfV1WithoutMatchingDepositorTrustRoot
TEST(GoValidationPorts, RejectsSelfV1WithoutMatchingDepositorTrustRoot) {
  auto r = base_request("self_v1");
  r.script_template = self_template(compressed_hex(signer_key()), compressed_hex(signer_key()));
  EXPECT_EQ(submit_error(r, roots({depositor_root("self_v1")})),
            "request.scriptTemplate.depositorPublicKey must match the configured "
            "depositorTrustRoots publicKey for self_v1");
}

// TestServiceRejectsSelfV1WithoutConfiguredDepositorTrustRootMatch
TEST(GoValidationPorts, RejectsSelfV1WithoutConfiguredDepositorTrustRootMatch) {
  EXPECT_EQ(submit_error(base_request("self_v1"),
                         roots({other_reserve(depositor_root("self_v1"))})),
            "request.scriptTemplate.depositorPublicKey requires a matching configured "
            "depositorTrustRoots entry for self_v1");
}

// TestServiceAcceptsQcV1WithMatchingCustodianTrustRoot and
// TestServiceAcceptsQcV1WithMatchingDepositorAndCustodianTrustRoots
TEST(GoValidationPorts, AcceptsQcV1WithMatchingTrustRoots) {
  EXPECT_EQ(submit_error(base_request("qc_v1"), roots({}, {custodian_root("qc_v1")})),
            "<accepted>");
  EXPECT_EQ(submit_error(base_request("qc_v1"),
                         roots({depositor_root("qc_v1")}, {custodian_root("qc_v1")})),
            "<accepted>");
}

// TestServiceRejectsQcV1WithoutMatchingCustodianTrustRoot and
// TestServiceRejectsQcV1WithoutMatchingDepositorTrustRoot
TEST(GoValidationPorts, RejectsQcV1WithoutMatchingTrustRoots) {
  auto wrong_custodian = base_request("qc_v1");
  wrong_custodian.script_template =
      qc_template(compressed_hex(depositor_key()), compressed_hex(signer_key()),
                  compressed_hex(signer_key()));
  EXPECT_EQ(submit_error(wrong_custodian, roots({}, {custodian_root("qc_v1")})),
            "request.scriptTemplate.custodianPublicKey must match the configured "
            "custodianTrustRoots publicKey for qc_v1");
  auto wrong_depositor = base_request("qc_v1");
  wrong_depositor.script_template =
      qc_template(compressed_hex(signer_key()), compressed_hex(custodian_key()),
                  compressed_hex(signer_key()));
  EXPECT_EQ(submit_error(wrong_depositor, roots({depositor_root("qc_v1")})),
            "request.scriptTemplate.depositorPublicKey must match the configured "
            "depositorTrustRoots publicKey for qc_v1");
}

// TestServiceRejectsQcV1WithoutConfiguredDepositorTrustRootMatch and
// TestServiceRejectsQcV1WithoutConfiguredCustodianTrustRootMatch
TEST(GoValidationPorts, RejectsQcV1WithoutConfiguredTrustRootMatch) {
  EXPECT_EQ(submit_error(base_request("qc_v1"), roots({other_reserve(depositor_root("qc_v1"))})),
            "request.scriptTemplate.depositorPublicKey requires a matching configured "
            "depositorTrustRoots entry for qc_v1");
  EXPECT_EQ(
      submit_error(base_request("qc_v1"), roots({}, {other_reserve(custodian_root("qc_v1"))})),
      "request.scriptTemplate.custodianPublicKey requires a matching configured "
      "custodianTrustRoots entry for qc_v1");
}

// TestServiceAcceptsMixedCaseDepositorTrustRootConfig
TEST(GoValidationPorts, AcceptsMixedCaseDepositorTrustRootConfig) {
  auto root = depositor_root("self_v1");
  root.reserve = mixed_case_hex_body(root.reserve);
  root.network = "REGTEST";
  root.public_key = mixed_case_hex_body(root.public_key);
  EXPECT_EQ(submit_error(base_request("self_v1"), roots({root})), "<accepted>");
}

// TestNewServiceRejectsDuplicateDepositorTrustRootScope
TEST(GoValidationPorts, RejectsDuplicateDepositorTrustRootScope) {
  auto n = cv::normalize_trust_roots(
      cv::trust_roots{{depositor_root("self_v1"), depositor_root("self_v1")}, {}, {}});
  ASSERT_TRUE(std::holds_alternative<cv::input_error>(n));
  EXPECT_EQ(std::get<cv::input_error>(n).message,
            "depositorTrustRoots[1] duplicates depositorTrustRoots[0] for route self_v1 reserve "
            "0x1111111111111111111111111111111111111111 network regtest");
}

// TestNewServiceRejectsInvalidCustodianTrustRootPublicKey
TEST(GoValidationPorts, RejectsInvalidCustodianTrustRootPublicKey) {
  auto root = custodian_root("qc_v1");
  root.public_key = "0x1234";
  auto n = cv::normalize_trust_roots(cv::trust_roots{{}, {root}, {}});
  ASSERT_TRUE(std::holds_alternative<cv::input_error>(n));
  EXPECT_EQ(std::get<cv::input_error>(n).message,
            "custodianTrustRoots[0].publicKey must be a compressed secp256k1 public key");
}

// --- Migration plan quotes ---------------------------------------------------------

namespace {

cv::validation_policy quote_roots(const char* now) {
  cv::validation_policy p;
  p.roots = normalized(cv::trust_roots{{}, {}, {quote_trust_root()}});
  p.now = at(now);
  return p;
}

} // namespace

// The fixture's PEM is the seed-0x44 key (libsodium derivation).
TEST(GoValidationPorts, QuoteTrustRootIsTheSeedKey) {
  auto key = cv::parse_plan_quote_trust_root("k", quote_trust_root());
  ASSERT_TRUE((std::holds_alternative<std::array<std::uint8_t, 32>>(key)));
  EXPECT_EQ(std::get<0>(key), cr::ed25519_public_key_from_seed(quote_seed()));
}

// TestServiceRequiresMigrationPlanQuoteWhenTrustRootsConfigured
TEST(GoValidationPorts, RequiresMigrationPlanQuoteWhenTrustRootsConfigured) {
  EXPECT_EQ(submit_error(base_request("self_v1"), quote_roots("2099-03-09T00:10:00.000Z")),
            "request.migrationPlanQuote is required when migrationPlanQuoteTrustRoots are "
            "configured");
}

// TestServiceAcceptsValidMigrationPlanQuoteWhenTrustRootsConfigured
TEST(GoValidationPorts, AcceptsValidMigrationPlanQuoteWhenTrustRootsConfigured) {
  EXPECT_EQ(submit_error(quoted_request("self_v1"), quote_roots("2099-03-09T00:10:00.000Z")),
            "<accepted>");
}

// TestServiceRejectsExpiredMigrationPlanQuoteOnSubmit (now 00:16 > 00:15).
TEST(GoValidationPorts, RejectsExpiredMigrationPlanQuoteOnSubmit) {
  EXPECT_EQ(submit_error(quoted_request("self_v1"), quote_roots("2099-03-09T00:16:00.000Z")),
            "request.migrationPlanQuote is expired");
}

// TestServicePollAcceptsStoredMigrationPlanQuoteAfterQuoteExpiry and
// TestServicePollRemainsValidAfterMigrationQuoteTrustRootConfigDrift: Poll
// never checks freshness nor the roots; the digest is the Submit one.
TEST(GoValidationPorts, PollIgnoresQuoteExpiryAndTrustRootDrift) {
  auto r = quoted_request("self_v1");
  auto submitted =
      accepted(cv::validate_submit(submit_of(r), "self_v1", quote_roots("2099-03-09T00:10:00.000Z")));
  auto after_expiry = quote_roots("2099-03-09T00:16:00.000Z");
  after_expiry.poll = true;
  EXPECT_EQ(accepted(cv::validate_poll(poll_of(r), "self_v1", after_expiry)).request_digest,
            submitted.request_digest);
  cv::validation_policy drifted; // roots removed from the configuration
  EXPECT_EQ(accepted(cv::validate_poll(poll_of(r), "self_v1", drifted)).request_digest,
            submitted.request_digest);
}

// The reference matches the quote's keyId as sent against the (trimmed)
// configured keyIds: surrounding space in the request does not match.
TEST(GoValidationPorts, QuoteKeyIdIsMatchedAsSent) {
  auto r = quoted_request("self_v1");
  r.migration_plan_quote->signature.key_id = " test-plan-quote-key ";
  EXPECT_EQ(submit_error(r, quote_roots("2099-03-09T00:10:00.000Z")),
            "request.migrationPlanQuote.signature.keyId does not match a configured trust root");
}

// TestGenerateCovenantRecoveryApprovalVectorsV2 (the check it runs without
// UPDATE_GOLDEN): recomputing each vector's approval digest and request
// digest from its request gives the checked-in values. In addition, our
// encoding of the decoded request is byte for byte the vector's
// canonicalSubmitRequest (which Go's json.Marshal wrote): field order,
// omitempty and the raw template survive decode + encode.
TEST(GoValidationPorts, ApprovalContractVectorsAreCurrent) {
  const auto file = cv::test::load_vector_file("covenant_recovery_approval_vectors_v2.json");
  for (const char* key : {"qc_v1", "self_v1", "self_v1_presign"}) {
    SCOPED_TRACE(key);
    const auto& v = cv::test::vector_case(file, key);
    const auto& json = v.at("canonicalSubmitRequest");
    auto r = cv::test::decode_request_value(json);
    ASSERT_TRUE(r.artifact_approvals);
    const std::string approval = cr::to_0x_hex(std::get<cr::hash32>(
        cv::artifact_approval_digest(r.artifact_approvals->payload, cv::eip712_domain{})));
    if (r.signer_approval)
      r.signer_approval->approval_digest = approval;
    EXPECT_EQ(cv::canonical_request_json(r), boost::json::serialize(json));
    EXPECT_EQ(approval, cv::test::str(v, "expectedApprovalDigest"));
    EXPECT_EQ(digest_of(r), cv::test::str(v, "expectedRequestDigest"));
  }
}
