#include "covenant/hashing.hpp"

#include <crypto++/keccak.h>
#include <openssl/evp.h>

namespace covsigner::covenant {

crypto::hash32 sha256_of(const std::uint8_t* data, std::size_t size) {
  crypto::hash32 out{};
  unsigned int len = 0;
  EVP_Digest(data, size, out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

crypto::hash32 sha256_of(std::string_view data) {
  return sha256_of(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
}

crypto::hash32 keccak256_of(const std::uint8_t* data, std::size_t size) {
  crypto::hash32 out{};
  CryptoPP::Keccak_256 h;
  h.Update(data, size);
  h.Final(out.data());
  return out;
}

crypto::hash32 keccak256_of(std::string_view data) {
  return keccak256_of(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
}

} // namespace covsigner::covenant
