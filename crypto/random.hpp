// Bytes from the operating system's CSPRNG (OpenSSL RAND_bytes).
#pragma once

#include "crypto/bytes.hpp"

#include <cstddef>

namespace covsigner::crypto {

/// `n` unpredictable bytes, suitable for keys, nonces and identifiers.
/// Thread-safe. Throws std::runtime_error only if the CSPRNG itself fails
/// (e.g. it cannot be seeded): nothing that needs unpredictable bytes may
/// continue then, so this is deliberately not an error value.
bytes random_bytes(std::size_t n);

} // namespace covsigner::crypto
