// The certificate_issuer actor over a fixture chain with the dev wallet and
// the local_key signer: a certificate the node's verifier accepts, and the
// reference's refusals.
#include "tests/support/signing_node.hpp"

#include "covenant/approval_digest.hpp"
#include "covenant/signer_approval.hpp"

using namespace covsigner;
using namespace covsigner::messages;
using namespace std::chrono_literals;

namespace {

class CertificateIssuer : public test_support::signing_node_fixture {
protected:
  // The fixture chain with the dev signer's wallet (Live, registry data).
  void start_with_wallet(int state = 1) {
    auto options = signing_options();
    auto chain = boost::json::parse(test_support::fixture_chain_json({})).as_object();
    chain["wallets"] = boost::json::array{boost::json::object{
      {"walletPubKeyHash", crypto::to_0x_hex(test_support::dev_wallet_public_key_hash(0x22))},
      {"ecdsaWalletID", crypto::to_0x_hex(test_support::dev_wallet_id())},
      {"createdAt", 1700000000},
      {"state", state},
      {"membersIdsHash", crypto::to_0x_hex(test_support::dev_members_ids_hash())}}};
    std::ofstream(options.chain->fixture_file) << boost::json::serialize(chain);
    options.head.refresh_interval = 20ms;
    start(options);
    // The head's first refresh.
    for (int i = 0; i < 200; ++i) {
      bool fresh = false;
      caf::scoped_actor self{system};
      self->request(node.chain_head, 5s, height_atom::value)
        .receive([&](chain_height& h) { fresh = h.fresh; }, [&](caf::error&) {});
      if (fresh)
        break;
      std::this_thread::sleep_for(10ms);
    }
  }

  certificate_issue_reply issue(const std::string& pkh, const std::string& digest,
                                std::uint64_t end_block) {
    certificate_issue_reply out;
    caf::scoped_actor self{system};
    self->request(node.certificate_issuer, 10s, certificate_issue{pkh, digest, end_block})
      .receive([&](certificate_issue_reply& r) { out = std::move(r); },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
    return out;
  }

  std::string own_pkh() {
    return crypto::to_0x_hex(test_support::dev_wallet_public_key_hash(0x22));
  }
};

} // namespace

TEST_F(CertificateIssuer, IssuesACertificateTheVerifierAccepts) {
  start_with_wallet();
  auto request = test_support::signed_vector_request("qc_v1");
  auto decoded = std::get<covenant::route_submit_request>(
    covenant::decode_route_submit_request(boost::json::serialize(request)));
  auto approval = std::get<crypto::hash32>(
    covenant::artifact_approval_digest(decoded.artifact_approvals->payload, covenant::eip712_domain{}));
  auto reply = issue(own_pkh(), crypto::to_0x_hex(approval), 5000);
  ASSERT_EQ(reply.code, issue_code::ok) << reply.message;
  request["signerApproval"] = boost::json::parse(reply.certificate_json);
  auto with_cert = std::get<covenant::route_submit_request>(
    covenant::decode_route_submit_request(boost::json::serialize(request)));
  auto subject = covenant::resolve_signer_approval_subject(with_cert, covenant::eip712_domain{});
  ASSERT_TRUE(std::holds_alternative<covenant::signer_approval_subject>(subject))
    << std::get<covenant::signer_approval_error>(subject).message;
  covenant::wallet_chain_data wallet;
  wallet.ecdsa_wallet_id = test_support::dev_wallet_id();
  wallet.members_ids_hash = test_support::dev_members_ids_hash();
  wallet.state = covenant::wallet_state::live;
  auto verdict = covenant::verify_signer_approval(
    with_cert, std::get<covenant::signer_approval_subject>(subject), wallet);
  EXPECT_FALSE(verdict) << verdict->message;
  EXPECT_EQ(request.at("signerApproval").at("endBlock").to_number<std::uint64_t>(), 5000u);
}

TEST_F(CertificateIssuer, Refusals) {
  start_with_wallet();
  const std::string digest = "0x" + std::string(64, '4');
  auto r = issue(own_pkh(), digest, 1000); // the head is at 1000
  EXPECT_EQ(r.code, issue_code::bad_request);
  EXPECT_EQ(r.message, "endBlock [1000] must be greater than the current host-chain block [1000]");
  r = issue(own_pkh(), digest, 0);
  EXPECT_EQ(r.code, issue_code::bad_request);
  EXPECT_EQ(r.message, "endBlock is required");
  r = issue(own_pkh(), "0x1234", 5000);
  EXPECT_EQ(r.code, issue_code::bad_request);
  EXPECT_EQ(r.message, "approvalDigest must be exactly 32 bytes");
  r = issue(crypto::to_0x_hex(test_support::dev_wallet_public_key_hash(0x33)), digest, 5000);
  EXPECT_EQ(r.code, issue_code::bad_request);
  EXPECT_EQ(r.message, "walletPublicKeyHash does not resolve to a wallet controlled by this node");
}

TEST_F(CertificateIssuer, OnlyLiveWallets) {
  start_with_wallet(3); // Closing
  auto r = issue(own_pkh(), "0x" + std::string(64, '4'), 5000);
  EXPECT_EQ(r.code, issue_code::bad_request);
  EXPECT_EQ(r.message, "walletPublicKeyHash resolves to a wallet in state [" +
                         std::string(covenant::wallet_state_name(covenant::wallet_state::closing)) +
                         "] that is not eligible for covenant signing");
}
