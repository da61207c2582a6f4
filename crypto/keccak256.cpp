#include "crypto/keccak256.hpp"

#include <cryptopp/keccak.h>

namespace covsigner::crypto {

hash32 keccak256(const std::uint8_t* data, std::size_t size) {
  CryptoPP::Keccak_256 hasher;
  hasher.Update(data, size);
  hash32 out{};
  hasher.Final(out.data());
  return out;
}

hash32 keccak256(std::string_view data) {
  return keccak256(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
}

hash32 keccak256(const bytes& data) {
  return keccak256(data.data(), data.size());
}

} // namespace covsigner::crypto
