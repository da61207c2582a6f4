// secp256k1 keys, signing, verification, recovery and Ethereum addresses
// against published vectors.
#include "crypto/keccak256.hpp"
#include "crypto/secp256k1.hpp"
#include "secp256k1_vectors.hpp"
#include "test_hex.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace covsigner::crypto {
namespace {

using namespace test;

// --- Private keys -------------------------------------------------------------

TEST(Secp256k1PrivateKey, AcceptsScalarsInRange) {
  auto k = parse_private_key(unhex(kWeb3Key));
  ASSERT_TRUE(k);
  EXPECT_EQ(to_hex(k->secret()), kWeb3Key);
  // n - 1 is the largest valid scalar, 1 the smallest.
  bytes max = unhex(kOrder);
  max[31] -= 1;
  EXPECT_TRUE(parse_private_key(max));
  std::array<std::uint8_t, 32> one{};
  one[31] = 1;
  EXPECT_TRUE(parse_private_key(one));
  EXPECT_TRUE(parse_private_key(one.data(), one.size()));
}

TEST(Secp256k1PrivateKey, RejectsZeroOrderAndWrongLength) {
  EXPECT_FALSE(parse_private_key(bytes(32, 0)));
  EXPECT_FALSE(parse_private_key(unhex(kOrder)));
  EXPECT_FALSE(parse_private_key(bytes(32, 0xff)));
  EXPECT_FALSE(parse_private_key(bytes(31, 0x11)));
  EXPECT_FALSE(parse_private_key(bytes(33, 0x11)));
  EXPECT_FALSE(parse_private_key(bytes{}));
}

TEST(Secp256k1PrivateKey, CopyAndAssign) {
  private_key a = key_of(kWeb3Key);
  private_key b = a;
  EXPECT_EQ(b.secret(), a.secret());
  private_key c = key_of(kWikiKey);
  c = a;
  EXPECT_EQ(to_hex(c.secret()), kWeb3Key);
}

// --- Public keys ----------------------------------------------------------------

TEST(Secp256k1PublicKey, DeriveAndSerializeBitcoinWikiKey) {
  public_key pub = derive_public_key(key_of(kWikiKey));
  EXPECT_EQ(to_hex(serialize_compressed(pub)), kWikiCompressed);
  EXPECT_EQ(to_hex(serialize_uncompressed(pub)), kWikiUncompressed);
}

TEST(Secp256k1PublicKey, ParseBothFormsToTheSamePoint) {
  auto c = parse_public_key(unhex(kWikiCompressed));
  auto u = parse_public_key(unhex(kWikiUncompressed));
  ASSERT_TRUE(c && u);
  EXPECT_TRUE(*c == *u);
  EXPECT_EQ(to_hex(serialize_uncompressed(*c)), kWikiUncompressed);
  EXPECT_EQ(to_hex(serialize_compressed(*u)), kWikiCompressed);
  bytes raw = unhex(kWikiCompressed);
  EXPECT_TRUE(parse_public_key(raw.data(), raw.size()));
  EXPECT_FALSE(*c == derive_public_key(key_of(kWeb3Key)));
}

TEST(Secp256k1PublicKey, RejectsBadEncodings) {
  bytes compressed = unhex(kWikiCompressed);
  bytes uncompressed = unhex(kWikiUncompressed);
  EXPECT_FALSE(parse_public_key(bytes{}));
  EXPECT_FALSE(parse_public_key(bytes(compressed.begin() + 1, compressed.end())));     // 32 bytes
  EXPECT_FALSE(parse_public_key(bytes(uncompressed.begin() + 1, uncompressed.end()))); // 64 bytes
  bytes c04 = compressed;
  c04[0] = 0x04;
  EXPECT_FALSE(parse_public_key(c04));
  bytes u02 = uncompressed;
  u02[0] = 0x02;
  EXPECT_FALSE(parse_public_key(u02));
  // Hybrid encodings (X9.62 06/07) are accepted by libsecp256k1 but are not
  // keys the reference takes. This Y is even, so 06 is the matching prefix.
  bytes hybrid = uncompressed;
  hybrid[0] = 0x06;
  EXPECT_FALSE(parse_public_key(hybrid));
  // Not on the curve: Y changed.
  bytes off_curve = uncompressed;
  off_curve[64] ^= 0x01;
  EXPECT_FALSE(parse_public_key(off_curve));
  // X = p is not a field element.
  EXPECT_FALSE(parse_public_key(
      unhex("02fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")));
}

TEST(Secp256k1PublicKey, CompressedOnlyParser) {
  EXPECT_TRUE(parse_compressed_public_key(unhex(kWikiCompressed)));
  EXPECT_FALSE(parse_compressed_public_key(unhex(kWikiUncompressed)));
  bytes bad = unhex(kWikiCompressed);
  bad[0] = 0x05;
  EXPECT_FALSE(parse_compressed_public_key(bad));
}

// --- Ethereum addresses ------------------------------------------------------------

TEST(EthAddress, Web3Key) {
  EXPECT_EQ(to_hex(eth_address(derive_public_key(key_of(kWeb3Key)))), kWeb3Address);
}

TEST(EthAddress, ReferenceWalletVectorIsTheEip155Key) {
  // The reference's wallet vector: 0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F
  // derives from the private key 0x46 repeated 32 times.
  public_key pub = derive_public_key(key_of(kEip155Key));
  EXPECT_EQ(to_hex(eth_address(pub)), kEip155Address);
  // Same as hashing the uncompressed key by hand.
  bytes u = serialize_uncompressed(pub);
  hash32 h = keccak256(u.data() + 1, 64);
  EXPECT_EQ(to_hex(h.data() + 12, 20), kEip155Address);
}

// --- Signing (RFC 6979) --------------------------------------------------------------

TEST(Secp256k1Sign, Eip191MessageHashIsKeccakOfPrefixedMessage) {
  // EIP-191 version 0x45: "\x19Ethereum Signed Message:\n" + len + message.
  EXPECT_EQ(to_hex(keccak256(std::string_view("\x19" "Ethereum Signed Message:\n9Some data"))),
            kWeb3MessageHash);
}

TEST(Secp256k1Sign, RecoverableReproducesWeb3Signature) {
  auto sig = sign_recoverable(key_of(kWeb3Key), digest_of(kWeb3MessageHash));
  EXPECT_EQ(to_hex(sig.data(), 64), std::string(kWeb3R) + kWeb3S);
  EXPECT_EQ(sig[64] + 27, 0x1c); // web3's v
}

TEST(Secp256k1Sign, RecoverableReproducesEip155Signature) {
  auto sig = sign_recoverable(key_of(kEip155Key), digest_of(kEip155Hash));
  EXPECT_EQ(to_hex(sig.data(), 64), std::string(kEip155R) + kEip155S);
  EXPECT_EQ(sig[64] + 35 + 2 * 1, 37); // v = recid + 35 + 2 * chainId
}

TEST(Secp256k1Sign, CompactAndDerAgreeWithRecoverable) {
  private_key key = key_of(kWeb3Key);
  hash32 digest = digest_of(kWeb3MessageHash);
  ecdsa_signature sig = sign(key, digest);
  EXPECT_EQ(to_hex(sig.compact), std::string(kWeb3R) + kWeb3S);
  EXPECT_EQ(to_hex(sign_der(key, digest)), kWeb3Der);
  EXPECT_TRUE(is_low_s(sig));
  EXPECT_TRUE(verify(derive_public_key(key), digest, sig));
}

TEST(Secp256k1Sign, DeterministicAndAlwaysLowS) {
  private_key key = key_of(kWikiKey);
  public_key pub = derive_public_key(key);
  for (std::uint8_t i = 0; i < 32; ++i) {
    hash32 digest{};
    digest.fill(i);
    digest[0] = 0xa5;
    bytes der = sign_der(key, digest);
    EXPECT_EQ(der, sign_der(key, digest));
    EXPECT_TRUE(is_strict_der_low_s(der)) << to_hex(der);
    auto parsed = parse_der_signature(der);
    ASSERT_TRUE(std::holds_alternative<ecdsa_signature>(parsed));
    EXPECT_TRUE(verify(pub, digest, std::get<ecdsa_signature>(parsed)));
  }
}

// --- Verification -----------------------------------------------------------------

TEST(Secp256k1Verify, AcceptsOnlyTheRightKeyDigestAndLowS) {
  public_key pub = derive_public_key(key_of(kWeb3Key));
  hash32 digest = digest_of(kWeb3MessageHash);
  ecdsa_signature sig{rs_of(kWeb3R, kWeb3S)};
  EXPECT_TRUE(verify(pub, digest, sig));

  hash32 other = digest;
  other[31] ^= 0x01;
  EXPECT_FALSE(verify(pub, other, sig));
  EXPECT_FALSE(verify(derive_public_key(key_of(kWikiKey)), digest, sig));

  ecdsa_signature tampered = sig;
  tampered.compact[10] ^= 0x01;
  EXPECT_FALSE(verify(pub, digest, tampered));

  // (r, n - s) is mathematically valid too; the low-S policy refuses it.
  ecdsa_signature high{rs_of(kWeb3R, kWeb3HighS)};
  EXPECT_FALSE(is_low_s(high));
  EXPECT_FALSE(verify(pub, digest, high));

  // r >= n cannot be parsed at all.
  ecdsa_signature overflow{rs_of(kOrder, kWeb3S)};
  EXPECT_FALSE(verify(pub, digest, overflow));
  EXPECT_FALSE(is_low_s(overflow));
}

// --- Recovery (ecrecover) -------------------------------------------------------------

TEST(Secp256k1Recover, Web3SignatureRecoversTheSigner) {
  auto pub = recover(digest_of(kWeb3MessageHash), rs_of(kWeb3R, kWeb3S), 1);
  ASSERT_TRUE(pub);
  EXPECT_EQ(to_hex(eth_address(*pub)), kWeb3Address);
  EXPECT_TRUE(*pub == derive_public_key(key_of(kWeb3Key)));
  // The other parity gives another key (or none), never the signer.
  auto wrong = recover(digest_of(kWeb3MessageHash), rs_of(kWeb3R, kWeb3S), 0);
  EXPECT_FALSE(wrong && to_hex(eth_address(*wrong)) == kWeb3Address);
}

TEST(Secp256k1Recover, Eip155SignatureRecoversTheReferenceWalletAddress) {
  auto pub = recover(digest_of(kEip155Hash), rs_of(kEip155R, kEip155S), 0);
  ASSERT_TRUE(pub);
  EXPECT_EQ(to_hex(eth_address(*pub)), kEip155Address);
}

TEST(Secp256k1Recover, RejectsBadInputs) {
  hash32 digest = digest_of(kWeb3MessageHash);
  auto rs = rs_of(kWeb3R, kWeb3S);
  EXPECT_FALSE(recover(digest, rs, -1));
  EXPECT_FALSE(recover(digest, rs, 4));
  EXPECT_FALSE(recover(digest, rs_of(kOrder, kWeb3S), 1)); // r >= n
  std::array<std::uint8_t, 64> zero{};
  EXPECT_FALSE(recover(digest, zero, 0));
}

TEST(Secp256k1Recover, DoesNotItselfEnforceLowS) {
  // Documented: recover() accepts (r, n - s) with the flipped parity and
  // returns the same key; callers enforce low S by parsing first.
  auto pub = recover(digest_of(kWeb3MessageHash), rs_of(kWeb3R, kWeb3HighS), 0);
  ASSERT_TRUE(pub);
  EXPECT_EQ(to_hex(eth_address(*pub)), kWeb3Address);
}

// --- The shared context --------------------------------------------------------------

TEST(Secp256k1Context, ConcurrentSignVerifyRecover) {
  // The context is shared by all threads (documented thread-safe); every
  // thread must get the same deterministic answers as a single thread.
  const private_key key = key_of(kWeb3Key);
  const public_key pub = derive_public_key(key);
  const auto expected = sign_recoverable(key, digest_of(kWeb3MessageHash));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        hash32 digest = digest_of(kWeb3MessageHash);
        auto sig = sign_recoverable(key, digest);
        std::array<std::uint8_t, 64> rs{};
        std::copy(sig.begin(), sig.begin() + 64, rs.begin());
        auto recovered = recover(digest, rs, sig[64]);
        if (sig != expected || !verify(pub, digest, ecdsa_signature{rs}) || !recovered ||
            !(*recovered == pub))
          ++failures;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(failures.load(), 0);
}

} // namespace
} // namespace covsigner::crypto
