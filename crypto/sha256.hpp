// SHA-256 (FIPS 180-4) through OpenSSL's EVP interface.
//
// Errors: these functions only fail if OpenSSL itself cannot compute a
// SHA-256 (a broken installation or out of memory); that is reported as a
// std::runtime_error, the one exception this header lets through, because
// no caller could carry on without its hash.
#pragma once

#include "crypto/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace covsigner::crypto {

/// SHA-256 of `data[0..size)`. `data` may be null when `size` is 0.
hash32 sha256(const std::uint8_t* data, std::size_t size);
/// SHA-256 of the bytes of `data` (no terminator, no encoding change).
hash32 sha256(std::string_view data);
hash32 sha256(const bytes& data);

/// SHA-256(SHA-256(x)), Bitcoin's hash for txids and sighashes.
hash32 double_sha256(const std::uint8_t* data, std::size_t size);
hash32 double_sha256(const bytes& data);

/// Incremental SHA-256 for data that arrives in pieces:
///   sha256_stream s; s.update(a).update(b); hash32 h = s.finish();
/// equals sha256(a || b). Not thread-safe; one stream per thread.
class sha256_stream {
public:
  sha256_stream();
  ~sha256_stream();
  sha256_stream(const sha256_stream&) = delete;
  sha256_stream& operator=(const sha256_stream&) = delete;

  sha256_stream& update(const std::uint8_t* data, std::size_t size);
  sha256_stream& update(std::string_view data);
  sha256_stream& update(const bytes& data);
  /// The digest of everything given since construction or the previous
  /// finish(). The stream then starts over empty, ready for a new message.
  hash32 finish();

private:
  struct context;
  std::unique_ptr<context> ctx_;
};

} // namespace covsigner::crypto
