// SHA-256 (FIPS 180-4) through OpenSSL's EVP interface.
#pragma once

#include "crypto/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace covsigner::crypto {

hash32 sha256(const std::uint8_t* data, std::size_t size);
hash32 sha256(std::string_view data);
hash32 sha256(const bytes& data);

/// SHA-256(SHA-256(x)), Bitcoin's hash for txids and sighashes.
hash32 double_sha256(const std::uint8_t* data, std::size_t size);
hash32 double_sha256(const bytes& data);

/// Incremental SHA-256 for data that arrives in pieces.
class sha256_stream {
public:
  sha256_stream();
  ~sha256_stream();
  sha256_stream(const sha256_stream&) = delete;
  sha256_stream& operator=(const sha256_stream&) = delete;

  sha256_stream& update(const std::uint8_t* data, std::size_t size);
  sha256_stream& update(std::string_view data);
  sha256_stream& update(const bytes& data);
  /// The digest of everything given so far; the stream is then spent.
  hash32 finish();

private:
  struct context;
  std::unique_ptr<context> ctx_;
};

} // namespace covsigner::crypto
