#include "covenant/signature_primitives.hpp"

#include "covenant/hashing.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <cstring>
#include <memory>

namespace covsigner::covenant {

namespace {

const secp256k1_context* secp() {
  static const secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_VERIFY);
  return ctx;
}

// n/2 for secp256k1, big-endian.
constexpr std::uint8_t half_order[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

struct bio_free {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct pkey_free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

} // namespace

bool is_low_s(const std::uint8_t* s32) { return std::memcmp(s32, half_order, 32) <= 0; }

std::variant<std::array<std::uint8_t, 32>, pem_key_error> ed25519_public_key_from_pem(
    std::string_view pem) {
  std::unique_ptr<BIO, bio_free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  if (!bio || PEM_read_bio(bio.get(), &name, &header, &data, &length) != 1)
    return pem_key_error::not_pem;
  const unsigned char* cursor = data;
  std::unique_ptr<EVP_PKEY, pkey_free> key(d2i_PUBKEY(nullptr, &cursor, length));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519)
    return pem_key_error::not_ed25519;
  std::array<std::uint8_t, 32> raw{};
  std::size_t size = raw.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), raw.data(), &size) != 1 || size != 32)
    return pem_key_error::not_ed25519;
  return raw;
}

bool ed25519_verify_signature(const std::array<std::uint8_t, 32>& public_key,
                              const std::uint8_t* message, std::size_t size,
                              const crypto::bytes& signature) {
  if (signature.size() != 64)
    return false;
  std::unique_ptr<EVP_PKEY, pkey_free> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), 32));
  if (!key)
    return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key.get()) == 1 &&
            EVP_DigestVerify(ctx, signature.data(), signature.size(), message, size) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

bool is_compressed_secp256k1_key(const crypto::bytes& key) {
  if (key.size() != 33 || (key[0] != 0x02 && key[0] != 0x03))
    return false;
  secp256k1_pubkey parsed;
  return secp256k1_ec_pubkey_parse(secp(), &parsed, key.data(), key.size()) == 1;
}

ecdsa_check verify_ecdsa_any_form(const crypto::bytes& compressed_key,
                                  const crypto::hash32& digest, const crypto::bytes& signature) {
  secp256k1_pubkey key;
  if (secp256k1_ec_pubkey_parse(secp(), &key, compressed_key.data(), compressed_key.size()) != 1)
    return ecdsa_check::mismatch;
  secp256k1_ecdsa_signature sig;
  bool compact = signature.size() == 64 ||
                 (signature.size() == 65 && (signature[64] == 0 || signature[64] == 1 ||
                                             signature[64] == 27 || signature[64] == 28));
  if (compact) {
    if (!is_low_s(signature.data() + 32))
      return ecdsa_check::high_s;
    // r or s >= n cannot verify (Go's ecdsa.Verify rejects them too).
    if (secp256k1_ecdsa_signature_parse_compact(secp(), &sig, signature.data()) != 1)
      return ecdsa_check::mismatch;
  } else {
    if (secp256k1_ecdsa_signature_parse_der(secp(), &sig, signature.data(), signature.size()) != 1)
      return ecdsa_check::unparseable;
    std::uint8_t rs[64];
    secp256k1_ecdsa_signature_serialize_compact(secp(), rs, &sig);
    if (!is_low_s(rs + 32))
      return ecdsa_check::high_s;
  }
  return secp256k1_ecdsa_verify(secp(), &sig, digest.data(), &key) == 1 ? ecdsa_check::valid
                                                                        : ecdsa_check::mismatch;
}

std::optional<crypto::hash20> recover_eth_address(const crypto::hash32& digest,
                                                  const std::uint8_t* rs64, int recovery_id) {
  secp256k1_ecdsa_recoverable_signature sig;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(secp(), &sig, rs64, recovery_id) != 1)
    return std::nullopt;
  secp256k1_pubkey key;
  if (secp256k1_ecdsa_recover(secp(), &key, &sig, digest.data()) != 1)
    return std::nullopt;
  std::uint8_t uncompressed[65];
  std::size_t size = sizeof uncompressed;
  secp256k1_ec_pubkey_serialize(secp(), uncompressed, &size, &key, SECP256K1_EC_UNCOMPRESSED);
  auto hash = keccak256_of(uncompressed + 1, 64);
  crypto::hash20 address{};
  std::memcpy(address.data(), hash.data() + 12, 20);
  return address;
}

} // namespace covsigner::covenant
