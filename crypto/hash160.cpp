#include "crypto/hash160.hpp"

#include "crypto/sha256.hpp"

#include <cryptopp/ripemd.h>

namespace covsigner::crypto {

hash20 ripemd160(const std::uint8_t* data, std::size_t size) {
  CryptoPP::RIPEMD160 hasher;
  hasher.Update(data, size);
  hash20 out{};
  hasher.Final(out.data());
  return out;
}

hash20 ripemd160(std::string_view data) {
  return ripemd160(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
}

hash20 ripemd160(const bytes& data) {
  return ripemd160(data.data(), data.size());
}

hash20 hash160(const std::uint8_t* data, std::size_t size) {
  hash32 inner = sha256(data, size);
  return ripemd160(inner.data(), inner.size());
}

hash20 hash160(const bytes& data) {
  return hash160(data.data(), data.size());
}

} // namespace covsigner::crypto
