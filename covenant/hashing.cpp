#include "covenant/hashing.hpp"

#include "crypto/keccak256.hpp"
#include "crypto/sha256.hpp"

namespace covsigner::covenant {

crypto::hash32 sha256_of(const std::uint8_t* data, std::size_t size) {
  return crypto::sha256(data, size);
}

crypto::hash32 sha256_of(std::string_view data) { return crypto::sha256(data); }

crypto::hash32 keccak256_of(const std::uint8_t* data, std::size_t size) {
  return crypto::keccak256(data, size);
}

crypto::hash32 keccak256_of(std::string_view data) { return crypto::keccak256(data); }

} // namespace covsigner::covenant
