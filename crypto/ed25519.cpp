#include "crypto/ed25519.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>

#include <climits>
#include <cstdlib>
#include <memory>

namespace covsigner::crypto {

namespace {

// sodium_init() picks implementations and seeds its RNG; it is idempotent
// and thread-safe, but we still call it once.
void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready)
    std::abort(); // libsodium cannot run on this machine at all
}

struct bio_free {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct openssl_free {
  void operator()(void* p) const { OPENSSL_free(p); }
};
struct pkey_free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

} // namespace

bool ed25519_verify(const ed25519_public_key& pub, const std::uint8_t* msg, std::size_t n,
                    const ed25519_signature& sig) {
  ensure_sodium();
  return crypto_sign_verify_detached(sig.data(), msg, n, pub.data()) == 0;
}

bool ed25519_verify(const ed25519_public_key& pub, const bytes& msg, const ed25519_signature& sig) {
  return ed25519_verify(pub, msg.data(), msg.size(), sig);
}

std::optional<ed25519_public_key> parse_ed25519_spki_pem(std::string_view pem) {
  if (pem.size() > static_cast<std::size_t>(INT_MAX))
    return std::nullopt;
  std::unique_ptr<BIO, bio_free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio)
    return std::nullopt;
  // Like Go's pem.Decode + x509.ParsePKIXPublicKey (the reference): only the
  // FIRST PEM block counts and it must be "PUBLIC KEY"; its DER must be one
  // SubjectPublicKeyInfo with nothing after it. (PEM_read_bio_PUBKEY would
  // instead skip over blocks of other types.)
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* der = nullptr;
  long der_len = 0;
  if (PEM_read_bio(bio.get(), &name, &header, &der, &der_len) != 1)
    return std::nullopt;
  std::unique_ptr<char, openssl_free> name_owner(name);
  std::unique_ptr<char, openssl_free> header_owner(header);
  std::unique_ptr<unsigned char, openssl_free> der_owner(der);
  if (std::string_view(name) != "PUBLIC KEY")
    return std::nullopt;
  const unsigned char* cursor = der;
  std::unique_ptr<EVP_PKEY, pkey_free> key(d2i_PUBKEY(nullptr, &cursor, der_len));
  if (!key || cursor != der + der_len)
    return std::nullopt;
  // The algorithm OID decides the type: 1.3.101.112 is Ed25519.
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519)
    return std::nullopt;
  ed25519_public_key raw{};
  std::size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), raw.data(), &len) != 1 || len != raw.size())
    return std::nullopt;
  return raw;
}

ed25519_public_key ed25519_public_key_from_seed(const ed25519_seed& seed) {
  ensure_sodium();
  ed25519_public_key pk{};
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk.data(), sk, seed.data());
  sodium_memzero(sk, sizeof sk);
  return pk;
}

ed25519_signature ed25519_sign(const ed25519_seed& seed, const std::uint8_t* msg, std::size_t n) {
  ensure_sodium();
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, seed.data());
  ed25519_signature sig{};
  crypto_sign_detached(sig.data(), nullptr, msg, n, sk);
  sodium_memzero(sk, sizeof sk);
  return sig;
}

ed25519_signature ed25519_sign(const ed25519_seed& seed, const bytes& msg) {
  return ed25519_sign(seed, msg.data(), msg.size());
}

} // namespace covsigner::crypto
