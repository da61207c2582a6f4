// SHA-256, double SHA-256, Keccak-256, RIPEMD-160 and HASH160 against
// published vectors.
#include "crypto/hash160.hpp"
#include "crypto/keccak256.hpp"
#include "crypto/sha256.hpp"
#include "test_hex.hpp"

#include <gtest/gtest.h>

#include <string>

namespace covsigner::crypto {
namespace {

using test::ascii;
using test::unhex;

// FIPS 180-2, Appendix B (and the NIST "Example Algorithms" SHA256.pdf):
// one-block "abc", two-block 448-bit message, one million 'a'. The empty
// message digest is the well-known SHA-256("") from the NIST CAVP
// SHA256ShortMsg.rsp (Len = 0).
constexpr const char* kAbc = "abc";
constexpr const char* k448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

TEST(Sha256, Fips180Vectors) {
  EXPECT_EQ(to_hex(sha256(std::string_view(kAbc))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(sha256(std::string_view(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(sha256(std::string_view(k448))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(to_hex(sha256(std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, OverloadsAgree) {
  bytes b = ascii(kAbc);
  EXPECT_EQ(sha256(b), sha256(std::string_view(kAbc)));
  EXPECT_EQ(sha256(b.data(), b.size()), sha256(b));
  EXPECT_EQ(sha256(nullptr, 0), sha256(bytes{}));
}

TEST(Sha256Stream, PiecesEqualOneShotAndStreamRestarts) {
  sha256_stream s;
  std::string_view msg(k448);
  s.update(msg.substr(0, 5)).update(ascii(msg.substr(5, 50))).update(
      reinterpret_cast<const std::uint8_t*>(msg.data()) + 55, msg.size() - 55);
  EXPECT_EQ(to_hex(s.finish()),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // finish() starts a new message.
  EXPECT_EQ(to_hex(s.finish()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  s.update(std::string_view(kAbc));
  EXPECT_EQ(to_hex(s.finish()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// Bitcoin's genesis block: the 80-byte header double-SHA-256'd gives the
// block hash 000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f
// (displayed byte-reversed). Source: Bitcoin Core chainparams.cpp
// (consensus.hashGenesisBlock) and any block explorer.
TEST(DoubleSha256, BitcoinGenesisBlockHash) {
  bytes header = unhex(
      "01000000"
      "0000000000000000000000000000000000000000000000000000000000000000"
      "3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a"
      "29ab5f49"
      "ffff001d"
      "1dac2b7c");
  hash32 h = double_sha256(header);
  bytes reversed(h.rbegin(), h.rend());
  EXPECT_EQ(to_hex(reversed), "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
  EXPECT_EQ(double_sha256(header.data(), header.size()), h);
  hash32 once = sha256(header);
  EXPECT_EQ(sha256(once.data(), once.size()), h);
}

// Keccak-256 with the original padding. "" and "abc": the Keccak team's
// reference values as used throughout Ethereum (e.g. KECCAK_EMPTY in
// go-ethereum's crypto package is c5d24601...); "hello world": the
// Ethereum-documented keccak256("hello world"). Function selectors: the ERC-20
// transfer(address,uint256) = 0xa9059cbb and balanceOf(address) = 0x70a08231
// (EIP-20, 4byte.directory).
TEST(Keccak256, EthereumVectors) {
  EXPECT_EQ(to_hex(keccak256(std::string_view(""))),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(to_hex(keccak256(std::string_view("abc"))),
            "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  EXPECT_EQ(to_hex(keccak256(std::string_view("hello world"))),
            "47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad");
  hash32 transfer = keccak256(std::string_view("transfer(address,uint256)"));
  EXPECT_EQ(to_hex(transfer.data(), 4), "a9059cbb");
  hash32 balance = keccak256(std::string_view("balanceOf(address)"));
  EXPECT_EQ(to_hex(balance.data(), 4), "70a08231");
}

// Not SHA3-256: NIST SHA3-256("") is a7ffc6f8...; Keccak must differ.
TEST(Keccak256, IsNotNistSha3) {
  EXPECT_NE(to_hex(keccak256(std::string_view(""))),
            "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
}

// Around the 136-byte rate: 135 bytes (padding 0x01 and 0x80 share one
// byte), exactly one block (a whole padding block follows), one byte over,
// and several blocks. Expected values were computed with two independent
// JavaScript implementations that agree: @noble/hashes 1.8.0 keccak_256 and
// bcrypto (bcoin) keccak.digest(x, 256).
TEST(Keccak256, RateBoundariesAndMultiBlock) {
  EXPECT_EQ(to_hex(keccak256(std::string(135, 'a'))),
            "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446");
  EXPECT_EQ(to_hex(keccak256(std::string(136, 'a'))),
            "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e");
  EXPECT_EQ(to_hex(keccak256(std::string(137, 'a'))),
            "d869f639c7046b4929fc92a4d988a8b22c55fbadb802c0c66ebcd484f1915f39");
  bytes many = ascii(std::string(300, 'a'));
  EXPECT_EQ(to_hex(keccak256(many)),
            "5b7e0e47a96f32a88b4f14ca177982790807c40e1a105742ba0fc1babe1ef826");
  EXPECT_EQ(keccak256(many.data(), many.size()), keccak256(many));
}

// RIPEMD-160 test vectors from the algorithm's authors (Dobbertin,
// Bosselaers, Preneel: "RIPEMD-160: A Strengthened Version of RIPEMD",
// homes.esat.kuleuven.be/~bosselae/ripemd160.html).
TEST(Ripemd160, AuthorsVectors) {
  EXPECT_EQ(to_hex(ripemd160(std::string_view(""))), "9c1185a5c5e9fc54612808977ee8f548b2258d31");
  EXPECT_EQ(to_hex(ripemd160(std::string_view("abc"))), "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
  EXPECT_EQ(to_hex(ripemd160(std::string_view("message digest"))),
            "5d0689ef49d2fae572b881b123a85ffa21595f36");
  EXPECT_EQ(to_hex(ripemd160(ascii(k448))), "12a053384a9c0c88e405a06c27dcf49ada62eb2b");
  std::string digits;
  for (int i = 0; i < 8; ++i)
    digits += "1234567890";
  bytes d = ascii(digits);
  EXPECT_EQ(to_hex(ripemd160(d.data(), d.size())), "9b752e45573d4b39f4dbd3323cab82bf63326bfb");
  EXPECT_EQ(to_hex(ripemd160(std::string(1000000, 'a'))),
            "52783243c1697bdbe16d37f97f68f08325dc1528");
}

// Bitcoin wiki, "Technical background of version 1 Bitcoin addresses":
// public key 0250863a...2352 -> SHA-256 0b7c28c9... -> RIPEMD-160 f54a5851...
TEST(Hash160, BitcoinWikiAddressExample) {
  bytes pub = unhex("0250863ad64a87ae8a2fe83c1af1a8403cb53f53e486d8511dad8a04887e5b2352");
  EXPECT_EQ(to_hex(sha256(pub)), "0b7c28c9b7290c98d7438e70b3d3f7c848fbd7d1dc194ff83f4f7cc9b1378e98");
  EXPECT_EQ(to_hex(hash160(pub)), "f54a5851e9372b87810a8e60cdd2e7cfd80b6e31");
  EXPECT_EQ(hash160(pub.data(), pub.size()), hash160(pub));
}

} // namespace
} // namespace covsigner::crypto
