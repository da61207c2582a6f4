// qc_v1 handoff payload hash (reference §5.10) and certificate v2 digest /
// signer-set hash (§6.3). The reference has no pinned vectors for these, so
// the tests pin the exact preimage bytes the reference describes and check
// the hash is SHA-256 of exactly that (computed independently with OpenSSL).
#include "covenant/certificate.hpp"
#include "covenant/handoff.hpp"

#include <gtest/gtest.h>
#include <openssl/sha.h>

namespace cv = covsigner::covenant;
namespace cr = covsigner::crypto;

namespace {

std::string openssl_sha256_hex(const std::string& data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return "0x" + cr::to_hex(out, sizeof out);
}

} // namespace

TEST(Handoff, PayloadJsonHasSortedKeysAndFixedSelectors) {
  cv::handoff_payload p{"0xabcd", "0x3044aa01", "0x0100", "0x63ac<&>"};
  EXPECT_EQ(cv::handoff_payload_json(p),
            R"({"destinationCommitmentHash":"0xabcd","kind":"qc_v1_signer_handoff_v1",)"
            R"("requiresDummy":true,"selectorWitnessItems":["0x01","0x"],"sighashType":1,)"
            R"("signerSignature":"0x3044aa01","unsignedTransactionHex":"0x0100",)"
            R"("witnessScript":"0x63ac<&>"})");
  EXPECT_EQ(cv::handoff_payload_hash(p), openssl_sha256_hex(cv::handoff_payload_json(p)));
}

TEST(Certificate, SigningDigestV2Preimage) {
  cr::hash32 approval{};
  for (std::size_t i = 0; i < approval.size(); ++i)
    approval[i] = static_cast<std::uint8_t>(i);
  std::string preimage = "covenant-signer-approval-certificate-v2:";
  preimage.append(reinterpret_cast<const char*>(approval.data()), approval.size());
  preimage += std::string("\x00\x00\x00\x01\x00\x00\x00\x7b", 8); // 2^32 + 123, big-endian
  EXPECT_EQ(cr::to_0x_hex(cv::certificate_signing_digest_v2(approval, (1ull << 32) + 123)),
            openssl_sha256_hex(preimage));
  EXPECT_NE(cv::certificate_signing_digest_v2(approval, 123),
            cv::certificate_signing_digest_v2(approval, 124));
}

TEST(Certificate, SignerSetHashPreimage) {
  cr::hash32 wallet_id{};
  wallet_id.fill(0xab);
  cr::hash32 members{};
  members.fill(0x01);
  cr::bytes key(65, 0x22);
  key[0] = 0x04;
  std::string json = R"({"walletId":"0x)" + cr::to_hex(wallet_id) +
                     R"(","walletPublicKey":")" + cr::to_0x_hex(key) + R"(","membersIdsHash":")" +
                     cr::to_0x_hex(members) + R"(","honestThreshold":51})";
  EXPECT_EQ(cv::signer_set_hash(wallet_id, key, members, 51),
            openssl_sha256_hex("covenant-signer-set-v1:" + json));
}

TEST(Certificate, ExpiryIsInclusiveOfEndBlock) {
  EXPECT_FALSE(cv::certificate_expired(100, 100));
  EXPECT_TRUE(cv::certificate_expired(101, 100));
  EXPECT_FALSE(cv::certificate_expired(0, 0));
  EXPECT_FALSE(cv::certificate_expired(UINT64_MAX, UINT64_MAX));
}
