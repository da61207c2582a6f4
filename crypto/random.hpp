// Bytes from the operating system's CSPRNG (OpenSSL RAND_bytes).
#pragma once

#include "crypto/bytes.hpp"

#include <cstddef>

namespace covsigner::crypto {

/// `n` random bytes. Throws std::runtime_error only if the CSPRNG itself
/// fails: nothing that needs unpredictable bytes may continue then.
bytes random_bytes(std::size_t n);

} // namespace covsigner::crypto
