// Port of keep-core pkg/covenantsigner/eip712_wallet_vector_test.go
// (reference §8, §9): a wallet-produced signature over a v2 domain-wrapped
// artifact approval digest under a REAL domain (Sepolia, chainId 11155111,
// default salt), unlike the pinned vector files whose domain is all zero.
//
// Inputs are the Go test's realWalletVector verbatim: private key 0x46 x 32,
// address 0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F, a self_v1 payload with
// approvalVersion 2 and the two commitment hashes below. Upstream, the
// digest was computed independently with eth_account 0.13.7's EIP-712
// encoder (eth_signTypedData_v4), so matching it proves our domain wrap is
// wallet-correct; the signature locks the v-byte (27/28 and 0/1) and low-S
// handling of the ecrecover path.
#include "covenant/approval_digest.hpp"
#include "covenant/validation.hpp"
#include "crypto/bytes.hpp"
#include "crypto/secp256k1.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace cv = covsigner::covenant;
namespace cr = covsigner::crypto;

namespace {

constexpr char wallet_private_key[] =
    "0x4646464646464646464646464646464646464646464646464646464646464646";
constexpr char wallet_address[] = "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F";
constexpr std::uint64_t sepolia_chain_id = 11155111;
constexpr char expected_digest[] =
    "0x8561df74bc316a8838316fcbb477b693fc17a8f7ba9c3f40520d461c43cb2705";
constexpr char wallet_signature[] =
    "0xccfd9522f1e5c6db9add5808b9338d9bed3badb4d790204ded545250fdadd48525ec39ec4eb46433c2681b8c"
    "ca583e56cf3ad91082270364d74cf4afef79da7e1b";

cv::approval_payload wallet_payload() {
  cv::approval_payload p;
  p.approval_version = 2;
  p.route = "self_v1";
  p.script_template_id = "self_v1";
  p.destination_commitment_hash =
      "0x913b832b3736a29966fd53f8a733a7587b150d3dfacb1c2d54994c1d3e56cdf9";
  p.plan_commitment_hash = "0xc14b6b7c58211ceaee8f57a39c07481d9835ef959dbd6a02908312db4cf3c969";
  return p;
}

cv::eip712_domain sepolia_domain() { return {sepolia_chain_id, cv::default_approval_salt()}; }

// The D approval as a one-approval envelope, checked through the public
// verifier with the depositor ETH identity pinned (Go: verifyEthSignature).
std::optional<cv::input_error> verify_wallet_signature(const std::string& signature_hex,
                                                       const std::string& address) {
  cv::approval_envelope envelope;
  envelope.payload = wallet_payload();
  envelope.approvals.emplace();
  envelope.approvals->push_back(cv::role_approval{"D", signature_hex});
  return cv::verify_approval_signatures(envelope, {}, sepolia_domain(), address);
}

cr::bytes wallet_signature_bytes() { return *cr::from_0x_hex(wallet_signature); }

std::string hex(const cr::bytes& b) { return cr::to_0x_hex(b); }

constexpr char name[] = "request.artifactApprovals.approvals[0].signature";

} // namespace

// TestArtifactApprovalRealWalletSignatureVector: the digest keep-core
// computes must equal the wallet-signed digest.
TEST(Eip712WalletVector, DigestMatchesWalletEncoder) {
  auto digest = cv::artifact_approval_digest(wallet_payload(), sepolia_domain());
  ASSERT_TRUE(std::holds_alternative<cr::hash32>(digest));
  EXPECT_EQ(cr::to_0x_hex(std::get<cr::hash32>(digest)), expected_digest);
}

// TestArtifactApprovalRealWalletSignatureVector: the pinned signature
// recovers to the pinned address in both recovery-id forms (v = 27/28 as
// wallets emit, and 0/1).
TEST(Eip712WalletVector, WalletSignatureVerifiesInBothRecoveryIdForms) {
  EXPECT_EQ(verify_wallet_signature(wallet_signature, wallet_address), std::nullopt);

  auto legacy = wallet_signature_bytes();
  ASSERT_EQ(legacy[64], 27); // the vector's v
  legacy[64] -= 27;
  EXPECT_EQ(verify_wallet_signature(hex(legacy), wallet_address), std::nullopt);

  // The key behind the vector is the one the Go test names.
  auto key = cr::parse_private_key(*cr::from_0x_hex(wallet_private_key));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(cr::to_0x_hex(cr::eth_address(cr::derive_public_key(*key))),
            "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f");
}

// TestArtifactApprovalRealWalletSignatureVector: ecrecover-and-compare
// rejects a different pinned address.
TEST(Eip712WalletVector, WrongAddressIsRejected) {
  auto e = verify_wallet_signature(wallet_signature, "0x000000000000000000000000000000000000dead");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->message,
            std::string(name) + " does not verify against the required depositor ETH address");
}

// TestArtifactApprovalRealWalletSignatureVector: the high-S twin (n - s) of
// the wallet signature is rejected per EIP-2.
TEST(Eip712WalletVector, HighSTwinIsRejected) {
  // secp256k1 group order n (SEC 2), big-endian.
  auto n = *cr::from_hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  auto sig = wallet_signature_bytes();
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = n[i] - sig[32 + i] - borrow;
    borrow = d < 0;
    sig[32 + i] = static_cast<std::uint8_t>(d + (borrow ? 256 : 0));
  }
  auto e = verify_wallet_signature(hex(sig), wallet_address);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->message, std::string(name) + " must be a low-S secp256k1 signature");
}

// Go verifyEthSignature's remaining rejections, in its order (length,
// low-S, recovery id, recovery), with its texts.
TEST(Eip712WalletVector, EthSignatureFormErrors) {
  auto sig = wallet_signature_bytes();

  auto short_sig = sig;
  short_sig.pop_back();
  auto e = verify_wallet_signature(hex(short_sig), wallet_address);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->message, std::string(name) + " must be a 65-byte secp256k1 signature");

  auto bad_v = sig;
  bad_v[64] = 29;
  e = verify_wallet_signature(hex(bad_v), wallet_address);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->message, std::string(name) + " has an invalid recovery id");

  // Low-S is checked before the recovery id.
  auto high_s_bad_v = sig;
  high_s_bad_v[32] = 0xff;
  high_s_bad_v[64] = 29;
  e = verify_wallet_signature(hex(high_s_bad_v), wallet_address);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->message, std::string(name) + " must be a low-S secp256k1 signature");

  // r = 0 passes the shape checks but no key recovers from it.
  auto zero_r = sig;
  std::fill(zero_r.begin(), zero_r.begin() + 32, 0);
  e = verify_wallet_signature(hex(zero_r), wallet_address);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->message, std::string(name) + " does not recover to a valid public key");
}
