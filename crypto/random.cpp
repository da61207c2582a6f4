#include "crypto/random.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <stdexcept>

namespace covsigner::crypto {

bytes random_bytes(std::size_t n) {
  bytes out(n);
  // RAND_bytes takes an int length: fill in chunks so huge requests cannot
  // overflow it.
  for (std::size_t done = 0; done < n;) {
    const std::size_t chunk = std::min<std::size_t>(n - done, INT_MAX);
    if (RAND_bytes(out.data() + done, static_cast<int>(chunk)) != 1)
      throw std::runtime_error("the CSPRNG failed (OpenSSL RAND_bytes)");
    done += chunk;
  }
  return out;
}

} // namespace covsigner::crypto
