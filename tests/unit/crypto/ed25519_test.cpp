// Ed25519 against RFC 8032, SPKI PEM parsing, and the reference's pinned
// migration plan quote signatures.
#include "crypto/ed25519.hpp"
#include "crypto/sha256.hpp"
#include "test_hex.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace covsigner::crypto {
namespace {

using test::ascii;
using test::unhex;
using test::unhex_array;

// RFC 8032 §7.1, "Test Vectors for Ed25519", TEST 1 (empty message),
// TEST 2 (one byte) and TEST 3 (two bytes).
struct rfc8032_vector {
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};

const rfc8032_vector kRfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

TEST(Ed25519, Rfc8032VectorsVerify) {
  for (const auto& v : kRfc8032) {
    auto pub = unhex_array<32>(v.public_key);
    auto sig = unhex_array<64>(v.signature);
    bytes msg = unhex(v.message);
    EXPECT_TRUE(ed25519_verify(pub, msg, sig)) << v.public_key;
    EXPECT_TRUE(ed25519_verify(pub, msg.data(), msg.size(), sig)) << v.public_key;
  }
}

TEST(Ed25519, Rfc8032VectorsSignAndDerive) {
  for (const auto& v : kRfc8032) {
    auto seed = unhex_array<32>(v.secret);
    bytes msg = unhex(v.message);
    EXPECT_EQ(to_hex(ed25519_public_key_from_seed(seed)), v.public_key);
    EXPECT_EQ(to_hex(ed25519_sign(seed, msg)), v.signature);
    EXPECT_EQ(to_hex(ed25519_sign(seed, msg.data(), msg.size())), v.signature);
  }
}

TEST(Ed25519, TamperingFails) {
  const auto& t2 = kRfc8032[1];
  auto pub = unhex_array<32>(t2.public_key);
  auto sig = unhex_array<64>(t2.signature);
  EXPECT_FALSE(ed25519_verify(pub, unhex("73"), sig));     // other message
  EXPECT_FALSE(ed25519_verify(pub, bytes{}, sig));         // truncated message
  EXPECT_FALSE(ed25519_verify(pub, unhex("7200"), sig));   // extended message
  auto bad_sig = sig;
  bad_sig[0] ^= 0x01; // R
  EXPECT_FALSE(ed25519_verify(pub, unhex("72"), bad_sig));
  bad_sig = sig;
  bad_sig[40] ^= 0x01; // S
  EXPECT_FALSE(ed25519_verify(pub, unhex("72"), bad_sig));
  // Another key (TEST 1's) does not verify TEST 2's signature.
  EXPECT_FALSE(ed25519_verify(unhex_array<32>(kRfc8032[0].public_key), unhex("72"), sig));
}

TEST(Ed25519, NonCanonicalSIsRejected) {
  // S + L (L = the group order, RFC 8032 §5.1) verifies the same equation
  // but RFC 8032 §5.1.7 requires S < L; TEST 1's S is small enough that
  // adding L still fits in 32 bytes.
  const auto& t1 = kRfc8032[0];
  auto sig = unhex_array<64>(t1.signature);
  // L little-endian.
  auto order = unhex_array<32>("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  unsigned carry = 0;
  for (int i = 0; i < 32; ++i) {
    unsigned sum = sig[32 + i] + order[i] + carry;
    sig[32 + i] = static_cast<std::uint8_t>(sum);
    carry = sum >> 8;
  }
  ASSERT_EQ(carry, 0u);
  EXPECT_FALSE(ed25519_verify(unhex_array<32>(t1.public_key), bytes{}, sig));
}

// --- SPKI PEM -------------------------------------------------------------------------

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot open " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

boost::json::value quote_vectors() {
  return boost::json::parse(
      read_file(COVSIGNER_VECTORS_DIR "/migration_plan_quote_signing_vectors_v1.json"));
}

std::string pinned_trust_root_pem() {
  return std::string(quote_vectors().at("trustRoot").at("publicKeyPem").as_string());
}

// The trust root's SPKI: 302a300506032b6570032100 || key.
constexpr const char* kTrustRootKey =
    "6e9e81e04cacfbcd25bc690eb11f29d9040f69d9bea1ca80e3f57b6e14011c17";

TEST(Ed25519SpkiPem, PinnedTrustRootParses) {
  auto key = parse_ed25519_spki_pem(pinned_trust_root_pem());
  ASSERT_TRUE(key);
  EXPECT_EQ(to_hex(*key), kTrustRootKey);
}

TEST(Ed25519SpkiPem, TextBeforeTheBlockIsSkipped) {
  auto key = parse_ed25519_spki_pem("key for quotes:\n" + pinned_trust_root_pem());
  ASSERT_TRUE(key);
  EXPECT_EQ(to_hex(*key), kTrustRootKey);
}

// Generated with:
//   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 | openssl pkey -pubout
constexpr const char* kP256Pem = "-----BEGIN PUBLIC KEY-----\n"
                                 "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE5uxOKo+rWWd3jE1eNlSXLLlrE5yI\n"
                                 "86eQXQkKyp7p+5FW5qPdU6rs3SvvEZI8VY3niHryhRYsv8NpYXPFwRiMTQ==\n"
                                 "-----END PUBLIC KEY-----\n";
// openssl genpkey -algorithm X25519 | openssl pkey -pubout  (also 32 bytes,
// but OID 1.3.101.110, not Ed25519's 1.3.101.112).
constexpr const char* kX25519Pem = "-----BEGIN PUBLIC KEY-----\n"
                                   "MCowBQYDK2VuAyEAaqOqPc30FrQdUVIER3DWjMO78tvUwSc7MO9LW7gVWRw=\n"
                                   "-----END PUBLIC KEY-----\n";
// openssl genpkey -algorithm ED25519  (a PKCS#8 private key, not an SPKI).
constexpr const char* kEd25519PrivatePem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIB6ETH4wGnUDrJBxL5ibiUhg/8aDoEU/lF4jkHLWeSOI\n"
    "-----END PRIVATE KEY-----\n";

TEST(Ed25519SpkiPem, OtherKeyTypesAreRejected) {
  EXPECT_FALSE(parse_ed25519_spki_pem(kP256Pem));
  EXPECT_FALSE(parse_ed25519_spki_pem(kX25519Pem));
}

TEST(Ed25519SpkiPem, OnlyTheFirstBlockCounts) {
  EXPECT_FALSE(parse_ed25519_spki_pem(kEd25519PrivatePem));
  // Go's pem.Decode looks at the first block only; so do we.
  EXPECT_FALSE(parse_ed25519_spki_pem(std::string(kEd25519PrivatePem) + pinned_trust_root_pem()));
  // A following block of another kind does not matter.
  EXPECT_TRUE(parse_ed25519_spki_pem(pinned_trust_root_pem() + kP256Pem));
}

TEST(Ed25519SpkiPem, MalformedInputIsRejected) {
  EXPECT_FALSE(parse_ed25519_spki_pem(""));
  EXPECT_FALSE(parse_ed25519_spki_pem("not a pem"));
  // The SPKI DER followed by one extra byte (x509.ParsePKIXPublicKey refuses
  // trailing data).
  EXPECT_FALSE(parse_ed25519_spki_pem(
      "-----BEGIN PUBLIC KEY-----\n"
      "MCowBQYDK2VwAyEAbp6B4Eys+80lvGkOsR8p2QQPadm+ocqA4/V7bhQBHBcA\n"
      "-----END PUBLIC KEY-----\n"));
  // Truncated DER (last 3 bytes of the key missing).
  EXPECT_FALSE(parse_ed25519_spki_pem("-----BEGIN PUBLIC KEY-----\n"
                                      "MCowBQYDK2VwAyEAbp6B4Eys+80lvGkOsR8p2QQPadm+ocqA4/V7bhQB\n"
                                      "-----END PUBLIC KEY-----\n"));
  // Not base64.
  EXPECT_FALSE(parse_ed25519_spki_pem("-----BEGIN PUBLIC KEY-----\n"
                                      "!!!!\n"
                                      "-----END PUBLIC KEY-----\n"));
  // Missing END line.
  std::string pem = pinned_trust_root_pem();
  EXPECT_FALSE(parse_ed25519_spki_pem(pem.substr(0, pem.find("-----END"))));
  // Literal backslash-n sequences are the caller's to unescape (reference §5.4).
  std::string escaped;
  for (char c : pem)
    escaped += (c == '\n') ? std::string("\\n") : std::string(1, c);
  EXPECT_FALSE(parse_ed25519_spki_pem(escaped));
}

// --- The reference's migration plan quote signatures ---------------------------------

TEST(Ed25519, PinnedQuoteSignaturesVerifyOverSha256OfThePreimage) {
  auto vectors = quote_vectors();
  auto key = parse_ed25519_spki_pem(pinned_trust_root_pem());
  ASSERT_TRUE(key);
  const auto& cases = vectors.at("vectors").as_object();
  ASSERT_EQ(cases.size(), 2u);
  for (const auto& [name, v] : cases) {
    std::string preimage(v.at("expectedPreimage").as_string());
    auto expected_hash = fixed_from_0x_hex<32>(v.at("expectedHash").as_string());
    auto signature = fixed_from_0x_hex<64>(v.at("expectedSignature").as_string());
    ASSERT_TRUE(expected_hash && signature) << name;
    hash32 digest = sha256(preimage);
    EXPECT_EQ(digest, *expected_hash) << name;
    EXPECT_TRUE(ed25519_verify(*key, digest.data(), digest.size(), *signature)) << name;
    // The signature is over the hash, not over the preimage itself.
    bytes raw = ascii(preimage);
    EXPECT_FALSE(ed25519_verify(*key, raw, *signature)) << name;
    // One changed preimage byte breaks it.
    preimage.back() = preimage.back() == '}' ? ']' : '}';
    hash32 other = sha256(preimage);
    EXPECT_FALSE(ed25519_verify(*key, other.data(), other.size(), *signature)) << name;
  }
}

} // namespace
} // namespace covsigner::crypto
