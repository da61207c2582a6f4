#include "crypto/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace covsigner::crypto {

namespace {

// Fetching the implementation once avoids OpenSSL 3's per-call provider
// lookup that EVP_sha256() implies.
const EVP_MD* sha256_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr)
    throw std::runtime_error("OpenSSL provides no SHA-256");
  return md;
}

[[noreturn]] void fail() {
  throw std::runtime_error("OpenSSL SHA-256 failed");
}

} // namespace

struct sha256_stream::context {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ~context() { EVP_MD_CTX_free(md); }
};

sha256_stream::sha256_stream() : ctx_(std::make_unique<context>()) {
  if (!ctx_->md || EVP_DigestInit_ex(ctx_->md, sha256_md(), nullptr) != 1)
    fail();
}

sha256_stream::~sha256_stream() = default;

sha256_stream& sha256_stream::update(const std::uint8_t* data, std::size_t size) {
  if (size > 0 && EVP_DigestUpdate(ctx_->md, data, size) != 1)
    fail();
  return *this;
}

sha256_stream& sha256_stream::update(std::string_view data) {
  return update(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
}

sha256_stream& sha256_stream::update(const bytes& data) {
  return update(data.data(), data.size());
}

hash32 sha256_stream::finish() {
  hash32 out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_->md, out.data(), &len) != 1 || len != out.size() ||
      EVP_DigestInit_ex(ctx_->md, sha256_md(), nullptr) != 1)
    fail();
  return out;
}

hash32 sha256(const std::uint8_t* data, std::size_t size) {
  hash32 out{};
  unsigned int len = 0;
  if (EVP_Digest(data, size, out.data(), &len, sha256_md(), nullptr) != 1 || len != out.size())
    fail();
  return out;
}

hash32 sha256(std::string_view data) {
  return sha256(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
}

hash32 sha256(const bytes& data) {
  return sha256(data.data(), data.size());
}

hash32 double_sha256(const std::uint8_t* data, std::size_t size) {
  hash32 first = sha256(data, size);
  return sha256(first.data(), first.size());
}

hash32 double_sha256(const bytes& data) {
  return double_sha256(data.data(), data.size());
}

} // namespace covsigner::crypto
