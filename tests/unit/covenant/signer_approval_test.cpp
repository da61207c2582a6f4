// Signer approval verification (reference §6.3; texts from keep-core
// pkg/tbtc covenant_signer.go VerifySignerApproval and
// verifySignerApprovalCertificate). Certificates are real: signed with the
// signer dev key (0x22) over certificate_signing_digest_v2, bound to the
// dev wallet's signer-set hash (tests/support/signed_requests.hpp).
#include "covenant/signer_approval.hpp"

#include "covenant/certificate.hpp"
#include "covenant/validation.hpp"
#include "tests/support/requests.hpp"

#include <gtest/gtest.h>
#include <secp256k1.h>

using namespace covsigner;
namespace cv = covsigner::covenant;
namespace cr = covsigner::crypto;
namespace ts = covsigner::test_support;

namespace {

const cv::eip712_domain domain{31337, cv::default_approval_salt()};

// The request as the node gets it: decoded, validated (verifier on, height
// below endBlock) and normalised.
cv::route_submit_request normalized(const boost::json::object& request, const std::string& route) {
  auto input = cv::decode_submit_input(ts::submit_body(request, "rr-" + route));
  EXPECT_TRUE(std::holds_alternative<cv::submit_input>(input));
  cv::validation_policy policy;
  policy.domain = domain;
  policy.verifier_configured = true;
  policy.current_height = 1000;
  auto v = cv::validate_submit(std::get<cv::submit_input>(input), route, policy);
  if (auto* e = std::get_if<cv::validation_error>(&v)) {
    ADD_FAILURE() << e->message;
    return {};
  }
  EXPECT_TRUE(std::get<cv::validated_request>(v).signer_approval_verification_due);
  return std::get<cv::validated_request>(v).normalized;
}

cv::route_submit_request certified(const std::string& route, ts::certificate_options o = {}) {
  return normalized(ts::certified_vector_request(route, domain, o), route);
}

cv::wallet_chain_data live_wallet() {
  cv::wallet_chain_data w;
  w.ecdsa_wallet_id = ts::dev_wallet_id();
  w.members_ids_hash = ts::dev_members_ids_hash();
  w.created_at = 1700000000;
  w.state = cv::wallet_state::live;
  return w;
}

cv::signer_approval_subject subject_of(const cv::route_submit_request& r) {
  auto s = cv::resolve_signer_approval_subject(r, domain);
  if (auto* e = std::get_if<cv::signer_approval_error>(&s)) {
    ADD_FAILURE() << e->message;
    return {};
  }
  return std::get<cv::signer_approval_subject>(s);
}

std::string resolve_error(const cv::route_submit_request& r,
                          const cv::eip712_domain& d = domain) {
  auto s = cv::resolve_signer_approval_subject(r, d);
  auto* e = std::get_if<cv::signer_approval_error>(&s);
  if (!e)
    return "resolved";
  EXPECT_EQ(e->kind, cv::signer_approval_error_kind::input);
  return e->message;
}

std::optional<cv::signer_approval_error> verify(const cv::route_submit_request& r,
                                                const cv::wallet_chain_data& w = live_wallet()) {
  return cv::verify_signer_approval(r, subject_of(r), w);
}

std::string invalid(const std::string& reason) {
  return "request.signerApproval is invalid: " + reason;
}

// Re-encodes the certificate's DER signature with S replaced by n - S (the
// same signature, high-S form), through libsecp256k1's scalar negation.
std::string high_s_twin(const std::string& der_hex) {
  auto der = *cr::from_0x_hex(der_hex);
  auto parsed = std::get<cr::ecdsa_signature>(cr::parse_der_signature(der));
  auto* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  std::array<unsigned char, 32> s;
  std::copy_n(parsed.compact.begin() + 32, 32, s.begin());
  EXPECT_EQ(secp256k1_ec_seckey_negate(ctx, s.data()), 1);
  secp256k1_context_destroy(ctx);
  std::copy_n(s.begin(), 32, parsed.compact.begin() + 32);
  return cr::to_0x_hex(cr::serialize_der(parsed));
}

} // namespace

TEST(SignerApproval, ValidCertificatesVerifyOnBothRoutes) {
  for (const std::string route : {"qc_v1", "self_v1"}) {
    auto r = certified(route);
    auto subject = subject_of(r);
    EXPECT_EQ(subject.wallet_public_key_hash, ts::dev_wallet_public_key_hash());
    EXPECT_EQ(cr::to_0x_hex(subject.wallet_public_key), r.signer_approval->wallet_public_key);
    auto err = cv::verify_signer_approval(r, subject, live_wallet());
    EXPECT_FALSE(err) << route << ": " << err->message;
  }
}

TEST(SignerApproval, AnEndBlockAboveUint32Verifies) {
  ts::certificate_options o;
  o.end_block = (1ull << 32) + 7;
  auto err = verify(certified("qc_v1", o));
  EXPECT_FALSE(err) << err->message;
}

TEST(SignerApproval, RequiresTheCertificateAndTheArtifactApprovals) {
  auto r = certified("qc_v1");
  auto no_cert = r;
  no_cert.signer_approval.reset();
  EXPECT_EQ(resolve_error(no_cert),
            "request.signerApproval is required for signer approval verification");
  auto no_approvals = r;
  no_approvals.artifact_approvals.reset();
  EXPECT_EQ(resolve_error(no_approvals),
            "request.artifactApprovals is required for signer approval verification");
  auto err = cv::verify_signer_approval(no_cert, subject_of(r), live_wallet());
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, "request.signerApproval is required for signer approval verification");
}

TEST(SignerApproval, ApprovalDigestMustMatchTheEngineDomain) {
  auto r = certified("qc_v1");
  // The same request under another domain: the engine's digest differs.
  EXPECT_EQ(resolve_error(r, cv::eip712_domain{1, cv::default_approval_salt()}),
            "request.signerApproval.approvalDigest must match request.artifactApprovals.payload");
  auto bad_payload = r;
  bad_payload.artifact_approvals->payload.plan_commitment_hash = "0x1234";
  EXPECT_EQ(resolve_error(bad_payload).rfind("request.artifactApprovals.payload is invalid for "
                                             "signer approval verification: ",
                                             0),
            0u);
}

TEST(SignerApproval, WalletKeyMustBeTheTemplateSignerKey) {
  ts::certificate_options o;
  o.signer_fill = 0x11; // the depositor's key signs as "the wallet"
  EXPECT_EQ(resolve_error(certified("self_v1", o)),
            "request.signerApproval.walletPublicKey must match "
            "request.scriptTemplate.signerPublicKey");
}

TEST(SignerApproval, TemplateProblemsAreInputErrors) {
  auto r = certified("qc_v1");
  auto other_route = r;
  other_route.route = "other_v1";
  EXPECT_EQ(resolve_error(other_route), "unsupported covenant route");
  auto no_template = r;
  no_template.script_template.reset();
  EXPECT_EQ(resolve_error(no_template), "request.scriptTemplate is invalid for qc_v1: EOF");
}

TEST(SignerApproval, RegistryOutageIsA503NamingWalletAndCause) {
  auto w = live_wallet();
  w.members_ids_hash.reset();
  w.registry_unavailable_cause = "fixture WalletRegistry failed (simulated fault)";
  auto err = verify(certified("qc_v1"), w);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, cv::signer_approval_error_kind::registry_unavailable);
  std::string id_hex;
  for (int i = 0; i < 32; ++i)
    id_hex += "a1";
  EXPECT_EQ(err->message, "wallet registry data unavailable for wallet 0x" + id_hex +
                            ": fixture WalletRegistry failed (simulated fault)");
}

TEST(SignerApproval, RegistryOutageComesBeforeTheStateCheck) {
  auto w = live_wallet();
  w.members_ids_hash.reset();
  w.registry_unavailable_cause = "down";
  w.state = cv::wallet_state::closed;
  auto err = verify(certified("qc_v1"), w);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, cv::signer_approval_error_kind::registry_unavailable);
}

TEST(SignerApproval, OnlyLiveWalletsAreEligible) {
  auto r = certified("qc_v1");
  const std::pair<cv::wallet_state, std::string> states[] = {
    {cv::wallet_state::unknown, "Unknown"},   {cv::wallet_state::moving_funds, "MovingFunds"},
    {cv::wallet_state::closing, "Closing"},   {cv::wallet_state::closed, "Closed"},
    {cv::wallet_state::terminated, "Terminated"}};
  for (const auto& [state, name] : states) {
    auto w = live_wallet();
    w.state = state;
    auto err = verify(r, w);
    ASSERT_TRUE(err) << name;
    EXPECT_EQ(err->kind, cv::signer_approval_error_kind::input);
    EXPECT_EQ(err->message, "request.signerApproval.walletPublicKey resolves to a wallet in state [" +
                              name + "] that is not eligible for covenant signing");
  }
}

TEST(SignerApproval, AZeroWalletIdFailsClosedAsInternal) {
  auto w = live_wallet();
  w.ecdsa_wallet_id = {};
  auto err = verify(certified("qc_v1"), w);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, cv::signer_approval_error_kind::internal);
}

TEST(SignerApproval, SignerSetMustBeTheWalletsOnChainSet) {
  auto r = certified("qc_v1");
  auto other_members = live_wallet();
  other_members.members_ids_hash->fill(0xb3);
  auto other_id = live_wallet();
  other_id.ecdsa_wallet_id.fill(0xa2);
  for (const auto& w : {other_members, other_id}) {
    auto err = verify(r, w);
    ASSERT_TRUE(err);
    EXPECT_EQ(err->message, invalid("signer set hash does not match the expected signer set"));
  }
  // Another honest threshold is another signer set.
  auto err = cv::verify_signer_approval(r, subject_of(r), live_wallet(), 50);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, invalid("signer set hash does not match the expected signer set"));
}

TEST(SignerApproval, EndBlockIsBoundIntoTheSignature) {
  auto r = certified("qc_v1");
  *r.signer_approval->end_block += 1; // a later expiry the wallet never signed
  auto err = verify(r);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, cv::signer_approval_error_kind::input);
  EXPECT_EQ(err->message, invalid("threshold signature does not verify against wallet public key"));
  r.signer_approval->end_block.reset();
  err = verify(r);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, invalid("certificate is missing the required expiration block"));
}

TEST(SignerApproval, SignatureOverAnotherDigestFails) {
  // Signed over the raw approval digest (the v1 rule), not the v2 digest.
  auto r = certified("qc_v1");
  auto approval = *cr::fixed_from_0x_hex<32>(r.signer_approval->approval_digest);
  r.signer_approval->signature = cr::to_0x_hex(cr::sign_der(ts::dev_key(0x22), approval));
  auto err = verify(r);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, invalid("threshold signature does not verify against wallet public key"));
}

TEST(SignerApproval, HighSIsRejectedEvenThoughItWouldVerify) {
  auto r = certified("qc_v1");
  r.signer_approval->signature = high_s_twin(r.signer_approval->signature);
  auto err = verify(r);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, invalid("threshold signature S value is not low-S normalized"));
}

TEST(SignerApproval, MalformedSignaturesAndKeys) {
  auto r = certified("qc_v1");
  auto bad_der = r;
  bad_der.signer_approval->signature = "0x3006020101020101ff";
  auto err = verify(bad_der);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, invalid("cannot parse threshold signature: malformed DER signature"));

  auto unprefixed = r;
  unprefixed.signer_approval->signature = unprefixed.signer_approval->signature.substr(2);
  err = verify(unprefixed);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, invalid("invalid threshold signature: value must be 0x-prefixed"));

  // The subject (from the template) still matches: only the certificate's
  // own copy of the key is broken.
  auto subject = subject_of(r);
  auto compressed = r;
  compressed.signer_approval->wallet_public_key = ts::dev_public_key_hex(0x22);
  err = cv::verify_signer_approval(compressed, subject, live_wallet());
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, invalid("wallet public key is not a valid uncompressed secp256k1 key"));

  auto short_digest = r;
  short_digest.signer_approval->approval_digest = "0xabcd";
  err = cv::verify_signer_approval(short_digest, subject, live_wallet());
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, invalid("invalid approval digest: value must be exactly 32 bytes, got 2"));
}

TEST(SignerApproval, VersionAndAlgorithmAreChecked) {
  auto r = certified("qc_v1");
  auto subject = subject_of(r);
  auto v1 = r;
  v1.signer_approval->certificate_version = 1;
  auto err = cv::verify_signer_approval(v1, subject, live_wallet());
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, invalid("unsupported certificate version: 1"));
  auto algo = r;
  algo.signer_approval->signature_algorithm = "schnorr";
  err = cv::verify_signer_approval(algo, subject, live_wallet());
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, invalid("unsupported signature algorithm: schnorr"));
}

TEST(SignerApproval, GetWalletFailureTexts) {
  auto nf = cv::wallet_not_registered();
  EXPECT_EQ(nf.kind, cv::signer_approval_error_kind::input);
  EXPECT_EQ(nf.message,
            "request.signerApproval.walletPublicKey must resolve to a registered on-chain wallet");
  auto down = cv::bridge_unavailable("fixture Bridge failed (simulated fault)");
  EXPECT_EQ(down.kind, cv::signer_approval_error_kind::bridge_unavailable);
  EXPECT_EQ(down.message, "cannot resolve on-chain wallet for signer approval verification: "
                          "Bridge unavailable: fixture Bridge failed (simulated fault)");
  EXPECT_EQ(cv::stale_chain_height_message("chain_head: x"),
            "cannot validate signer approval certificate expiry: chain_head has no fresh host "
            "chain height: chain_head: x");
}
