#include "crypto/secp256k1.hpp"

#include "crypto/keccak256.hpp"
#include "crypto/random.hpp"

#include <openssl/crypto.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace covsigner::crypto {

namespace {

// The shared context. Randomization blinds the signing and key-generation
// multiplications; it happens once, before any other thread can see the
// context (static initialization is serialized), so afterwards the context
// is read-only and safe to share.
const secp256k1_context* context() {
  static const secp256k1_context* const ctx = [] {
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    bytes seed = random_bytes(32);
    // Randomization only fails on secp256k1_context_static; a context we
    // cannot blind is not one to sign with.
    if (c == nullptr || !secp256k1_context_randomize(c, seed.data()))
      std::abort();
    OPENSSL_cleanse(seed.data(), seed.size());
    return c;
  }();
  return ctx;
}

secp256k1_pubkey to_lib(const public_key& key) {
  secp256k1_pubkey out;
  static_assert(sizeof out.data == 64);
  std::memcpy(out.data, key.internal.data(), 64);
  return out;
}

public_key from_lib(const secp256k1_pubkey& key) {
  public_key out;
  std::memcpy(out.internal.data(), key.data, 64);
  return out;
}

bytes serialize(const public_key& key, unsigned int flags, std::size_t size) {
  secp256k1_pubkey lib = to_lib(key);
  bytes out(size);
  std::size_t len = size;
  secp256k1_ec_pubkey_serialize(context(), out.data(), &len, &lib, flags);
  return out;
}

bool is_zero(const std::uint8_t* p, std::size_t n) {
  return std::all_of(p, p + n, [](std::uint8_t b) { return b == 0; });
}

// Takes a compact r || s: rejects r or s equal to 0 or >= n (libsecp256k1's
// compact parser rejects only >= n) and then a high S. The range check
// comes first so that an out-of-range S is an encoding error, not "high".
signature_parse_result from_compact(const std::uint8_t* rs64) {
  secp256k1_ecdsa_signature sig;
  if (is_zero(rs64, 32) || is_zero(rs64 + 32, 32) ||
      !secp256k1_ecdsa_signature_parse_compact(context(), &sig, rs64))
    return signature_parse_error::invalid_encoding;
  // normalize() returns 1 exactly when it had to lower S.
  if (secp256k1_ecdsa_signature_normalize(context(), nullptr, &sig))
    return signature_parse_error::high_s;
  ecdsa_signature out;
  std::memcpy(out.compact.data(), rs64, 64);
  return out;
}

// Copies one DER INTEGER body into a 32-byte big-endian slot. The body is
// already known to be minimal and positive, so at most one leading zero
// precedes a 32-byte value.
bool der_integer_to_32(const std::uint8_t* body, std::size_t len, std::uint8_t* out32) {
  if (len > 0 && body[0] == 0) {
    ++body;
    --len;
  }
  if (len > 32)
    return false;
  std::memset(out32, 0, 32 - len);
  std::memcpy(out32 + (32 - len), body, len);
  return true;
}

} // namespace

bool operator==(const public_key& a, const public_key& b) {
  secp256k1_pubkey la = to_lib(a);
  secp256k1_pubkey lb = to_lib(b);
  return secp256k1_ec_pubkey_cmp(context(), &la, &lb) == 0;
}

std::optional<public_key> parse_public_key(const std::uint8_t* data, std::size_t size) {
  // libsecp256k1 also accepts hybrid (06/07) 65-byte keys; SEC1 callers here
  // never mean those.
  if (size == 33) {
    if (data[0] != 0x02 && data[0] != 0x03)
      return std::nullopt;
  } else if (size == 65) {
    if (data[0] != 0x04)
      return std::nullopt;
  } else {
    return std::nullopt;
  }
  secp256k1_pubkey key;
  if (!secp256k1_ec_pubkey_parse(context(), &key, data, size))
    return std::nullopt;
  return from_lib(key);
}

std::optional<public_key> parse_public_key(const bytes& sec1) {
  return parse_public_key(sec1.data(), sec1.size());
}

std::optional<public_key> parse_compressed_public_key(const bytes& sec1) {
  if (sec1.size() != 33)
    return std::nullopt;
  return parse_public_key(sec1);
}

bytes serialize_compressed(const public_key& key) {
  return serialize(key, SECP256K1_EC_COMPRESSED, 33);
}

bytes serialize_uncompressed(const public_key& key) {
  return serialize(key, SECP256K1_EC_UNCOMPRESSED, 65);
}

hash20 eth_address(const public_key& key) {
  bytes uncompressed = serialize_uncompressed(key);
  hash32 digest = keccak256(uncompressed.data() + 1, 64);
  hash20 out{};
  std::memcpy(out.data(), digest.data() + 12, 20);
  return out;
}

bool is_strict_der(const bytes& sig) {
  // BIP66 IsValidSignatureEncoding, for a signature without the sighash
  // byte: 0x30 [total] 0x02 [lenR] [R] 0x02 [lenS] [S].
  const std::size_t n = sig.size();
  if (n < 8 || n > 72)
    return false;
  if (sig[0] != 0x30 || sig[1] != n - 2)
    return false;
  const std::size_t len_r = sig[3];
  // R's length must leave room for S's tag and length byte.
  if (5 + len_r >= n)
    return false;
  const std::size_t len_s = sig[5 + len_r];
  if (len_r + len_s + 6 != n)
    return false;
  if (sig[2] != 0x02 || len_r == 0)
    return false;
  if (sig[4] & 0x80) // negative R
    return false;
  if (len_r > 1 && sig[4] == 0x00 && !(sig[5] & 0x80)) // superfluous zero
    return false;
  const std::size_t s_at = 6 + len_r;
  if (sig[s_at - 2] != 0x02 || len_s == 0)
    return false;
  if (sig[s_at] & 0x80)
    return false;
  if (len_s > 1 && sig[s_at] == 0x00 && !(sig[s_at + 1] & 0x80))
    return false;
  return true;
}

signature_parse_result parse_der_signature(const bytes& der) {
  if (!is_strict_der(der))
    return signature_parse_error::invalid_encoding;
  // libsecp256k1's DER parser maps an overflowing r/s to zero and still
  // succeeds, so the integers are taken out here and go through the compact
  // parser's range checks instead.
  std::array<std::uint8_t, 64> rs{};
  const std::size_t len_r = der[3];
  const std::size_t len_s = der[5 + len_r];
  if (!der_integer_to_32(der.data() + 4, len_r, rs.data()) ||
      !der_integer_to_32(der.data() + 6 + len_r, len_s, rs.data() + 32))
    return signature_parse_error::invalid_encoding;
  return from_compact(rs.data());
}

signature_parse_result parse_compact_or_der(const bytes& sig) {
  if (sig.size() == 64)
    return from_compact(sig.data());
  if (sig.size() == 65) {
    auto parsed = parse_recoverable_signature(sig);
    if (auto* e = std::get_if<signature_parse_error>(&parsed))
      return *e;
    return std::get<recoverable_signature>(parsed).rs;
  }
  return parse_der_signature(sig);
}

recoverable_parse_result parse_recoverable_signature(const bytes& sig) {
  if (sig.size() != 65)
    return signature_parse_error::invalid_encoding;
  int recovery_id = 0;
  switch (sig[64]) {
  case 0:
  case 27:
    recovery_id = 0;
    break;
  case 1:
  case 28:
    recovery_id = 1;
    break;
  default:
    return signature_parse_error::invalid_encoding;
  }
  auto rs = from_compact(sig.data());
  if (auto* e = std::get_if<signature_parse_error>(&rs))
    return *e;
  return recoverable_signature{std::get<ecdsa_signature>(rs), recovery_id};
}

bytes serialize_der(const ecdsa_signature& sig) {
  secp256k1_ecdsa_signature lib;
  bytes der(72);
  std::size_t len = der.size();
  if (!secp256k1_ecdsa_signature_parse_compact(context(), &lib, sig.compact.data()) ||
      !secp256k1_ecdsa_signature_serialize_der(context(), der.data(), &len, &lib))
    return {};
  der.resize(len);
  return der;
}

bool is_low_s(const ecdsa_signature& sig) {
  secp256k1_ecdsa_signature lib;
  if (!secp256k1_ecdsa_signature_parse_compact(context(), &lib, sig.compact.data()))
    return false;
  return secp256k1_ecdsa_signature_normalize(context(), nullptr, &lib) == 0;
}

bool verify(const public_key& key, const hash32& digest, const ecdsa_signature& sig) {
  secp256k1_ecdsa_signature lib;
  if (!secp256k1_ecdsa_signature_parse_compact(context(), &lib, sig.compact.data()))
    return false;
  secp256k1_pubkey pub = to_lib(key);
  // secp256k1_ecdsa_verify itself refuses high-S signatures: our policy.
  return secp256k1_ecdsa_verify(context(), &lib, digest.data(), &pub) == 1;
}

std::optional<public_key> recover(const hash32& digest, const std::array<std::uint8_t, 64>& rs,
                                  int recovery_id) {
  if (recovery_id < 0 || recovery_id > 3)
    return std::nullopt;
  secp256k1_ecdsa_recoverable_signature sig;
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &sig, rs.data(),
                                                           recovery_id))
    return std::nullopt;
  secp256k1_pubkey key;
  if (!secp256k1_ecdsa_recover(context(), &key, &sig, digest.data()))
    return std::nullopt;
  return from_lib(key);
}

private_key::private_key(const std::uint8_t* scalar32) {
  std::memcpy(secret_.data(), scalar32, secret_.size());
}

private_key::private_key(const private_key& other) : secret_(other.secret_) {}

private_key& private_key::operator=(const private_key& other) {
  secret_ = other.secret_;
  return *this;
}

private_key::~private_key() {
  OPENSSL_cleanse(secret_.data(), secret_.size());
}

std::optional<private_key> parse_private_key(const std::uint8_t* data, std::size_t size) {
  if (size != 32 || !secp256k1_ec_seckey_verify(context(), data))
    return std::nullopt;
  return private_key(data);
}

std::optional<private_key> parse_private_key(const bytes& scalar) {
  return parse_private_key(scalar.data(), scalar.size());
}

std::optional<private_key> parse_private_key(const std::array<std::uint8_t, 32>& scalar) {
  return parse_private_key(scalar.data(), scalar.size());
}

public_key derive_public_key(const private_key& key) {
  secp256k1_pubkey pub;
  // Cannot fail: the scalar was validated when the private_key was made.
  if (!secp256k1_ec_pubkey_create(context(), &pub, key.secret().data()))
    std::abort();
  return from_lib(pub);
}

ecdsa_signature sign(const private_key& key, const hash32& digest) {
  secp256k1_ecdsa_signature lib;
  // A null nonce function selects RFC 6979; the result is always low-S.
  // Signing fails only for an invalid secret key, which private_key rules out.
  if (!secp256k1_ecdsa_sign(context(), &lib, digest.data(), key.secret().data(), nullptr,
                            nullptr))
    std::abort();
  ecdsa_signature out;
  secp256k1_ecdsa_signature_serialize_compact(context(), out.compact.data(), &lib);
  return out;
}

bytes sign_der(const private_key& key, const hash32& digest) {
  return serialize_der(sign(key, digest));
}

std::array<std::uint8_t, 65> sign_recoverable(const private_key& key, const hash32& digest) {
  secp256k1_ecdsa_recoverable_signature lib;
  if (!secp256k1_ecdsa_sign_recoverable(context(), &lib, digest.data(), key.secret().data(),
                                        nullptr, nullptr))
    std::abort();
  std::array<std::uint8_t, 65> out{};
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), out.data(), &recid, &lib);
  out[64] = static_cast<std::uint8_t>(recid);
  return out;
}

bool is_strict_der_low_s(const bytes& der) {
  if (!is_strict_der(der))
    return false;
  // Core's lax parser replaces the WHOLE signature by zero when r or s does
  // not fit below n, and zero counts as low; mirror that exactly.
  std::array<std::uint8_t, 64> rs{};
  const std::size_t len_r = der[3];
  const std::size_t len_s = der[5 + len_r];
  secp256k1_ecdsa_signature sig;
  if (!der_integer_to_32(der.data() + 4, len_r, rs.data()) ||
      !der_integer_to_32(der.data() + 6 + len_r, len_s, rs.data() + 32) ||
      !secp256k1_ecdsa_signature_parse_compact(context(), &sig, rs.data()))
    return true;
  return secp256k1_ecdsa_signature_normalize(context(), nullptr, &sig) == 0;
}

} // namespace covsigner::crypto
