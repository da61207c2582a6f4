// Approval envelope variants and first-error ordering of validation
// (reference §5.2, §5.3). Ports of keep-core covenantsigner_test.go
// TestServiceRejectsInvalidArtifactApprovalVariants (structural cases),
// TestServiceRejectsStructuredSignerApprovalWithLegacySignerRole,
// TestServiceAcceptsStructuredSignerApprovalWithCanonicalLegacySignatures,
// TestServiceRejectsMismatchedMigrationDestinationArtifact and
// TestServiceRejectsMigrationTransactionPlanBoundToDifferentDestinationCommitment.
//
// Requests: the pinned v2 vectors with the fixed development keys
// (depositor 0x11..11, custodian 0x33..33) signing fresh approvals.
#include "covenant/approval_digest.hpp"
#include "covenant/commitments.hpp"
#include "covenant/validation.hpp"
#include "crypto/secp256k1.hpp"
#include "vector_support.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace cv = covsigner::covenant;
namespace cr = covsigner::crypto;

namespace {

cr::private_key key_of(std::uint8_t fill) {
  std::array<std::uint8_t, 32> scalar;
  scalar.fill(fill);
  return *cr::parse_private_key(scalar);
}

std::string pub_hex(std::uint8_t fill) {
  return cr::to_0x_hex(cr::serialize_compressed(cr::derive_public_key(key_of(fill))));
}

cv::route_submit_request signed_request(const std::string& name, bool certificate = false) {
  static const auto file =
      cv::test::load_vector_file("covenant_recovery_approval_vectors_v2.json");
  auto obj = cv::test::vector_case(file, name).at("canonicalSubmitRequest").as_object();
  auto& t = obj["scriptTemplate"].as_object();
  t["depositorPublicKey"] = pub_hex(0x11);
  if (t.contains("custodianPublicKey"))
    t["custodianPublicKey"] = pub_hex(0x33);
  if (!certificate)
    obj.erase("signerApproval");
  auto r = cv::test::decode_request_value(obj);
  const auto digest = std::get<cr::hash32>(
      cv::artifact_approval_digest(r.artifact_approvals->payload, cv::eip712_domain{}));
  std::vector<std::string> legacy;
  for (auto& a : *r.artifact_approvals->approvals) {
    a.signature = cr::to_0x_hex(cr::sign_der(key_of(a.role == "D" ? 0x11 : 0x33), digest));
    legacy.push_back(a.signature);
  }
  if (r.signer_approval)
    legacy.push_back(r.signer_approval->signature);
  r.artifact_signatures = legacy;
  return r;
}

std::string submit_error(const cv::route_submit_request& r, cv::validation_policy p = {}) {
  auto result =
      cv::validate_submit(cv::submit_input{"ors_1", r, "SIGNER_COORDINATION"}, r.route, p);
  if (const auto* e = std::get_if<cv::validation_error>(&result))
    return e->message;
  return "<accepted>";
}

struct variant_case {
  const char* name;
  std::function<void(cv::route_submit_request&)> mutate;
  std::string message;
};

void run_cases(const std::string& vector, const std::vector<variant_case>& cases) {
  for (const auto& c : cases) {
    auto r = signed_request(vector);
    c.mutate(r);
    EXPECT_EQ(submit_error(r), c.message) << c.name;
  }
}

} // namespace

TEST(ValidationOrder, ArtifactApprovalEnvelopeVariants) {
  run_cases(
      "qc_v1",
      {
          {"payload version 1",
           [](auto& r) { r.artifact_approvals->payload.approval_version = 1; },
           "request.artifactApprovals.payload.approvalVersion must equal 2"},
          {"payload route",
           [](auto& r) { r.artifact_approvals->payload.route = "self_v1"; },
           "request.artifactApprovals.payload.route must match request.route"},
          {"payload template id",
           [](auto& r) { r.artifact_approvals->payload.script_template_id = "self_v1"; },
           "request.artifactApprovals.payload.scriptTemplateId must match request.route"},
          {"payload destination hash",
           [](auto& r) {
             r.artifact_approvals->payload.destination_commitment_hash =
                 "0x" + std::string(64, '1');
           },
           "request.artifactApprovals.payload.destinationCommitmentHash must match "
           "request.destinationCommitmentHash"},
          {"missing C",
           [](auto& r) {
             r.artifact_approvals->approvals->pop_back();
             r.artifact_signatures->pop_back();
           },
           "request.artifactApprovals.approvals must include role C for qc_v1"},
          {"legacy signer role S",
           [](auto& r) { (*r.artifact_approvals->approvals)[1].role = "S"; },
           "request.artifactApprovals.approvals[1].role is not allowed for qc_v1"},
          {"duplicate D",
           [](auto& r) { (*r.artifact_approvals->approvals)[1].role = "D"; },
           "request.artifactApprovals.approvals[1].role duplicates role D"},
          {"legacy list in wrong order",
           [](auto& r) {
             std::swap((*r.artifact_signatures)[0], (*r.artifact_signatures)[1]);
           },
           "request.artifactSignatures must match canonical approval role order derived from "
           "request.artifactApprovals"},
          {"empty legacy list", [](auto& r) { r.artifact_signatures->clear(); },
           "request.artifactSignatures must not be empty"},
      });
  run_cases("self_v1",
            {{"custodian on self_v1",
              [](auto& r) { r.artifact_approvals->approvals->push_back({"C", "0xc0c0"}); },
              "request.artifactApprovals.approvals[1].role is not allowed for self_v1"}});
}

// The certificate's signature joins the legacy mirror in third place.
TEST(ValidationOrder, CertificateSignatureCompletesLegacyList) {
  cv::validation_policy p;
  p.current_height = 1;
  p.verifier_configured = true;
  auto r = signed_request("qc_v1", true);
  EXPECT_EQ(submit_error(r, p), "<accepted>");
  r.artifact_signatures->pop_back();
  EXPECT_EQ(submit_error(r, p), "request.artifactSignatures must match canonical approval role "
                                "order derived from request.artifactApprovals and "
                                "request.signerApproval");
}

// Destination checks precede plan checks, which precede approvals; a bad
// approval signature is only reported once the structure is valid.
TEST(ValidationOrder, FirstErrorWins) {
  auto r = signed_request("qc_v1");
  (*r.artifact_approvals->approvals)[0].signature = "0xd0d0";
  (*r.artifact_signatures)[0] = "0xd0d0";
  EXPECT_EQ(submit_error(r), "request.artifactApprovals.approvals[0].signature must be a DER or "
                             "64/65-byte secp256k1 signature");
  r.migration_transaction_plan->fee_sats += 1;
  const auto plan_error = submit_error(r);
  EXPECT_NE(plan_error.rfind("request.migrationTransactionPlan", 0), std::string::npos)
      << plan_error;
  r.migration_destination->status = "CANCELLED";
  EXPECT_EQ(submit_error(r),
            "request.migrationDestination.status must be RESERVED or COMMITTED_TO_EPOCH");
  r.artifact_approvals.reset();
  r.strategy = "0x1";
  EXPECT_EQ(submit_error(r), "request.strategy must be a 0x-prefixed even-length hex string");
}

// TestServiceRejectsMismatchedMigrationDestinationArtifact.
TEST(ValidationOrder, RejectsMismatchedMigrationDestinationArtifact) {
  auto r = signed_request("qc_v1");
  r.migration_destination->vault = "0x4444444444444444444444444444444444444444";
  EXPECT_EQ(submit_error(r), "request.migrationDestination.destinationCommitmentHash does not "
                             "match canonical reservation artifact");
}

// TestServiceRejectsMigrationTransactionPlanBoundToDifferentDestinationCommitment.
TEST(ValidationOrder, RejectsPlanBoundToAnotherDestination) {
  auto r = signed_request("self_v1");
  auto other = r;
  other.destination_commitment_hash = "0x" + std::string(64, '5');
  r.migration_transaction_plan->plan_commitment_hash =
      cv::transaction_plan_commitment(other, *r.migration_transaction_plan);
  r.artifact_approvals->payload.plan_commitment_hash =
      r.migration_transaction_plan->plan_commitment_hash;
  EXPECT_EQ(submit_error(r), "request.migrationTransactionPlan.planCommitmentHash does not match "
                             "canonical migration transaction plan");
}
