#include "covenant/signature_primitives.hpp"

#include "crypto/ed25519.hpp"
#include "crypto/secp256k1.hpp"

#include <cstring>

namespace covsigner::covenant {

namespace {

// n/2 for secp256k1, big-endian (SEC 2 curve order halved).
constexpr std::uint8_t half_order[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

// Go's pem.Decode finds a block only between "-----BEGIN <type>-----" and a
// matching END line; without any BEGIN line there is no block at all.
bool has_pem_block(std::string_view pem) {
  auto begin = pem.find("-----BEGIN ");
  return begin != std::string_view::npos &&
         pem.find("-----END ", begin) != std::string_view::npos;
}

} // namespace

bool is_low_s(const std::uint8_t* s32) { return std::memcmp(s32, half_order, 32) <= 0; }

std::variant<std::array<std::uint8_t, 32>, pem_key_error> ed25519_public_key_from_pem(
    std::string_view pem) {
  if (!has_pem_block(pem))
    return pem_key_error::not_pem;
  auto key = crypto::parse_ed25519_spki_pem(pem);
  if (!key)
    return pem_key_error::not_ed25519;
  return *key;
}

bool ed25519_verify_signature(const std::array<std::uint8_t, 32>& public_key,
                              const std::uint8_t* message, std::size_t size,
                              const crypto::bytes& signature) {
  // Go's ed25519.Verify answers false for any other length.
  if (signature.size() != 64)
    return false;
  crypto::ed25519_signature sig{};
  std::memcpy(sig.data(), signature.data(), 64);
  return crypto::ed25519_verify(public_key, message, size, sig);
}

bool is_compressed_secp256k1_key(const crypto::bytes& key) {
  return key.size() == 33 && (key[0] == 0x02 || key[0] == 0x03) &&
         crypto::parse_compressed_public_key(key).has_value();
}

ecdsa_check verify_ecdsa_any_form(const crypto::bytes& compressed_key,
                                  const crypto::hash32& digest, const crypto::bytes& signature) {
  auto key = crypto::parse_compressed_public_key(compressed_key);
  if (!key)
    return ecdsa_check::mismatch;
  crypto::ecdsa_signature sig;
  bool compact = signature.size() == 64 ||
                 (signature.size() == 65 && (signature[64] == 0 || signature[64] == 1 ||
                                             signature[64] == 27 || signature[64] == 28));
  if (compact) {
    // The reference checks S on the raw bytes, then lets ecdsa.Verify
    // reject out-of-range r/s as a plain mismatch.
    if (!is_low_s(signature.data() + 32))
      return ecdsa_check::high_s;
    std::memcpy(sig.compact.data(), signature.data(), 64);
  } else {
    // btcec v1's ParseDERSignature (the reference's parser) reads only the
    // 2 + declared-length bytes and ignores anything after them.
    crypto::bytes der = signature;
    if (der.size() >= 2 && der[0] == 0x30 && std::size_t{der[1]} + 2 < der.size())
      der.resize(std::size_t{der[1]} + 2);
    auto parsed = crypto::parse_der_signature(der);
    if (auto* e = std::get_if<crypto::signature_parse_error>(&parsed))
      return *e == crypto::signature_parse_error::high_s ? ecdsa_check::high_s
                                                        : ecdsa_check::unparseable;
    sig = std::get<crypto::ecdsa_signature>(parsed);
  }
  return crypto::verify(*key, digest, sig) ? ecdsa_check::valid : ecdsa_check::mismatch;
}

std::optional<crypto::hash20> recover_eth_address(const crypto::hash32& digest,
                                                  const std::uint8_t* rs64, int recovery_id) {
  std::array<std::uint8_t, 64> rs{};
  std::memcpy(rs.data(), rs64, 64);
  auto key = crypto::recover(digest, rs, recovery_id);
  if (!key)
    return std::nullopt;
  return crypto::eth_address(*key);
}

} // namespace covsigner::covenant
