// Published secp256k1 vectors shared by the crypto tests.
#pragma once

#include "crypto/secp256k1.hpp"
#include "test_hex.hpp"

#include <stdexcept>
#include <string>

namespace covsigner::crypto::test {

// web3.js 1.x documentation: web3.eth.accounts.privateKeyToAccount(key) and
// web3.eth.accounts.sign('Some data', key) (an EIP-191 personal message):
// messageHash and signature r || s || v with v = 0x1c (recovery id 1).
inline constexpr const char* kWeb3Key =
    "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
inline constexpr const char* kWeb3Address = "2c7536e3605d9c16a7a3d7b1898e529396a65c23";
inline constexpr const char* kWeb3MessageHash =
    "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655";
inline constexpr const char* kWeb3R =
    "b91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd";
inline constexpr const char* kWeb3S =
    "6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a029";
// n - kWeb3S: the same signature in high-S form.
inline constexpr const char* kWeb3HighS =
    "9ff818b327d1fc847ffe79bdd03d25e83e3a5df66962ceb160751b8bd754a118";
// kWeb3R/kWeb3S in strict DER (R needs a 0x00 pad: its top bit is set).
inline constexpr const char* kWeb3Der =
    "3045"
    "022100b91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd"
    "02206007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a029";

// EIP-155 "Example": private key 0x4646...46 and its address, the signing
// hash of the example transaction, and the signature v = 37 (chain id 1,
// recovery id 0), r, s (decimal in the EIP, hex here). The reference pins
// the same address as its wallet vector.
inline constexpr const char* kEip155Key =
    "4646464646464646464646464646464646464646464646464646464646464646";
inline constexpr const char* kEip155Address = "9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f";
inline constexpr const char* kEip155Hash =
    "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53";
inline constexpr const char* kEip155R =
    "28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276";
inline constexpr const char* kEip155S =
    "67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";

// Bitcoin wiki, "Technical background of version 1 Bitcoin addresses".
inline constexpr const char* kWikiKey =
    "18e14a7b6a307f426a94f8114701e7c8e774e7f9a47e2c2035db29a206321725";
inline constexpr const char* kWikiCompressed =
    "0250863ad64a87ae8a2fe83c1af1a8403cb53f53e486d8511dad8a04887e5b2352";
inline constexpr const char* kWikiUncompressed =
    "0450863ad64a87ae8a2fe83c1af1a8403cb53f53e486d8511dad8a04887e5b2352"
    "2cd470243453a299fa9e77237716103abc11a1df38855ed6f2ee187e9c582ba6";

// The group order n (SEC 2 v2, §2.4.1) and floor(n / 2), the largest low S.
inline constexpr const char* kOrder =
    "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
inline constexpr const char* kHalfOrder =
    "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0";

inline private_key key_of(const char* hex) {
  auto key = parse_private_key(unhex(hex));
  if (!key)
    throw std::invalid_argument("test key rejected");
  return *key;
}

inline hash32 digest_of(const char* hex) {
  return unhex_array<32>(hex);
}

inline std::array<std::uint8_t, 64> rs_of(const char* r, const char* s) {
  return unhex_array<64>(std::string(r) + s);
}

} // namespace covsigner::crypto::test
