// Signer approval certificate issuance (reference §6.4): every refusal with
// its kind and text, and a certificate the node's own verifier
// (covenant/signer_approval.hpp, reference §6.3) accepts on a submit.
#include "covenant/certificate_issuance.hpp"

#include "covenant/approval_digest.hpp"
#include "covenant/certificate.hpp"
#include "covenant/signer_approval.hpp"
#include "tests/support/signed_requests.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace covsigner;
using namespace covsigner::covenant;

namespace {

const crypto::bytes signer_key = *crypto::from_0x_hex(test_support::dev_public_key_hex(0x22));

wallet_lookup live_wallet() {
  wallet_lookup l;
  l.result = wallet_lookup::outcome::found;
  l.wallet.ecdsa_wallet_id = test_support::dev_wallet_id();
  l.wallet.members_ids_hash = test_support::dev_members_ids_hash();
  l.wallet.created_at = 1700000000;
  l.wallet.state = wallet_state::live;
  return l;
}

issuance_request request_for(const crypto::hash32& approval_digest, std::uint64_t end_block = 2000) {
  return {test_support::dev_wallet_public_key_hash(0x22),
          crypto::bytes(approval_digest.begin(), approval_digest.end()), end_block};
}

void expect_error(const std::optional<signer_approval_error>& e, signer_approval_error_kind kind,
                  const std::string& message) {
  ASSERT_TRUE(e) << "expected: " << message;
  EXPECT_EQ(e->kind, kind);
  EXPECT_EQ(e->message, message);
}

template <class T>
void expect_error(const std::variant<T, signer_approval_error>& r, signer_approval_error_kind kind,
                  const std::string& message) {
  ASSERT_TRUE(std::holds_alternative<signer_approval_error>(r)) << "expected: " << message;
  expect_error(std::optional<signer_approval_error>{std::get<signer_approval_error>(r)}, kind,
               message);
}

using kind = signer_approval_error_kind;

} // namespace

TEST(CertificateIssuance, RequestChecks) {
  crypto::hash32 digest{};
  digest.fill(0x42);
  auto req = request_for(digest);
  EXPECT_FALSE(check_issuance_request(req, std::span<const std::uint8_t>(signer_key)));
  auto short_digest = req;
  short_digest.approval_digest.pop_back();
  expect_error(check_issuance_request(short_digest, std::span<const std::uint8_t>(signer_key)),
               kind::input, "approvalDigest must be exactly 32 bytes");
  expect_error(check_issuance_request(req, std::nullopt), kind::input,
               "walletPublicKeyHash does not resolve to a wallet controlled by this node");
  auto other = req;
  other.wallet_public_key_hash = test_support::dev_wallet_public_key_hash(0x33);
  expect_error(check_issuance_request(other, std::span<const std::uint8_t>(signer_key)),
               kind::input, "walletPublicKeyHash does not resolve to a wallet controlled by this node");
}

TEST(CertificateIssuance, ChainChecks) {
  crypto::hash32 digest{};
  digest.fill(0x42);
  auto req = request_for(digest);
  auto plan = [&](const wallet_lookup& w, std::optional<std::uint64_t> height = 1000) {
    return plan_certificate_issuance(req, signer_key, w, height, "chain_head: stale");
  };
  wallet_lookup missing;
  missing.result = wallet_lookup::outcome::not_found;
  expect_error(plan(missing), kind::input, "walletPublicKeyHash must resolve to a registered on-chain wallet");
  wallet_lookup down;
  down.cause = "Bridge: breaker open";
  expect_error(plan(down), kind::bridge_unavailable,
               "cannot resolve on-chain wallet for signer approval certificate: Bridge: breaker open");
  auto degraded = live_wallet();
  degraded.wallet.members_ids_hash.reset();
  degraded.wallet.registry_unavailable_cause = "registry: timeout";
  expect_error(plan(degraded), kind::registry_unavailable,
               "wallet registry data unavailable for wallet 0x" +
                 crypto::to_hex(test_support::dev_wallet_id()) + ": registry: timeout");
  auto closing = live_wallet();
  closing.wallet.state = wallet_state::closing;
  auto r = plan(closing);
  ASSERT_TRUE(std::holds_alternative<signer_approval_error>(r));
  EXPECT_EQ(std::get<signer_approval_error>(r).kind, kind::input);
  EXPECT_EQ(std::get<signer_approval_error>(r).message,
            "walletPublicKeyHash resolves to a wallet in state [" +
              std::string(wallet_state_name(wallet_state::closing)) +
              "] that is not eligible for covenant signing");
  expect_error(plan(live_wallet(), std::nullopt), kind::internal,
               "cannot get current host-chain block for signer approval certificate: chain_head: stale");
  expect_error(plan(live_wallet(), 2000), kind::input,
               "endBlock [2000] must be greater than the current host-chain block [2000]");
  EXPECT_TRUE(std::holds_alternative<issuance_plan>(plan(live_wallet(), 1999)));
}

TEST(CertificateIssuance, TheIssuedCertificateVerifiesOnASubmit) {
  auto request = test_support::signed_vector_request("self_v1");
  auto decoded = std::get<route_submit_request>(
    decode_route_submit_request(boost::json::serialize(request)));
  auto approval = std::get<crypto::hash32>(
    artifact_approval_digest(decoded.artifact_approvals->payload, eip712_domain{}));
  auto req = request_for(approval, 2000);
  ASSERT_FALSE(check_issuance_request(req, std::span<const std::uint8_t>(signer_key)));
  auto planned = plan_certificate_issuance(req, signer_key, live_wallet(), 1000, "");
  ASSERT_TRUE(std::holds_alternative<issuance_plan>(planned));
  const auto& plan = std::get<issuance_plan>(planned);
  EXPECT_EQ(plan.signing_digest, certificate_signing_digest_v2(approval, 2000));
  // The signer (the dev key, as the local_key backend) signs the digest.
  auto der = crypto::to_0x_hex(crypto::sign_der(test_support::dev_key(0x22), plan.signing_digest));
  expect_error(finish_certificate(plan, der, 2001), kind::internal,
               "signing completed at block 2001, after the requested certificate expiration block 2000");
  auto wrong = crypto::to_0x_hex(crypto::sign_der(test_support::dev_key(0x33), plan.signing_digest));
  expect_error(finish_certificate(plan, wrong, 1001), kind::internal,
               "the signer's signature does not verify under the wallet key");
  auto issued = finish_certificate(plan, der, 2000); // completing at endBlock is still valid
  ASSERT_TRUE(std::holds_alternative<signer_approval_certificate>(issued));
  const auto& cert = std::get<signer_approval_certificate>(issued);
  EXPECT_EQ(cert.certificate_version, 2u);
  EXPECT_EQ(cert.signature_algorithm, "tecdsa-secp256k1");
  EXPECT_EQ(cert.end_block, std::optional<std::uint64_t>{2000});
  EXPECT_EQ(cert.approval_digest, crypto::to_0x_hex(approval));

  // Carried by the request, the node's verifier accepts it.
  decoded.signer_approval = cert;
  auto subject = resolve_signer_approval_subject(decoded, eip712_domain{});
  ASSERT_TRUE(std::holds_alternative<signer_approval_subject>(subject))
    << std::get<signer_approval_error>(subject).message;
  auto verdict = verify_signer_approval(decoded, std::get<signer_approval_subject>(subject),
                                        live_wallet().wallet);
  EXPECT_FALSE(verdict) << verdict->message;
  // And the same one the test support builds by hand.
  test_support::add_signer_approval(request, eip712_domain{});
  EXPECT_EQ(request.at("signerApproval").at("signature").as_string(), cert.signature);
  EXPECT_EQ(request.at("signerApproval").at("signerSetHash").as_string(), cert.signer_set_hash);
}
