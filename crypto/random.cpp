#include "crypto/random.hpp"

#include <openssl/rand.h>

#include <stdexcept>

namespace covsigner::crypto {

bytes random_bytes(std::size_t n) {
  bytes out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1)
    throw std::runtime_error("the CSPRNG failed (OpenSSL RAND_bytes)");
  return out;
}

} // namespace covsigner::crypto
