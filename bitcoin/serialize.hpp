// Bitcoin's wire encoding primitives: little-endian integers and CompactSize
// lengths, written to a byte vector or read from a bounded span.
#pragma once

#include "crypto/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace covsigner::bitcoin {

/// Appends the low `width` bytes of `value`, least significant first.
inline void write_le(crypto::bytes& out, std::uint64_t value, int width) {
  for (int i = 0; i < width; ++i)
    out.push_back(static_cast<std::uint8_t>((value >> (8 * i)) & 0xff));
}

/// Appends a CompactSize (1, 3, 5 or 9 bytes; always the shortest form).
inline void write_compact_size(crypto::bytes& out, std::uint64_t n) {
  if (n < 0xfd) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else if (n <= 0xffff) {
    out.push_back(0xfd);
    write_le(out, n, 2);
  } else if (n <= 0xffffffff) {
    out.push_back(0xfe);
    write_le(out, n, 4);
  } else {
    out.push_back(0xff);
    write_le(out, n, 8);
  }
}

/// Appends CompactSize(data.size()) followed by `data`.
inline void write_var_bytes(crypto::bytes& out, std::span<const std::uint8_t> data) {
  write_compact_size(out, data.size());
  out.insert(out.end(), data.begin(), data.end());
}

/// Reads from a span; every read is bounds-checked and returns nullopt on
/// truncation, so a parser can stop at the first failure.
class byte_reader {
public:
  explicit byte_reader(std::span<const std::uint8_t> data) : data_(data) {}

  std::size_t remaining() const { return data_.size() - pos_; }

  std::optional<std::uint64_t> read_le(int width) {
    if (remaining() < static_cast<std::size_t>(width))
      return std::nullopt;
    std::uint64_t value = 0;
    for (int i = 0; i < width; ++i)
      value |= static_cast<std::uint64_t>(data_[pos_ + i]) << (8 * i);
    pos_ += width;
    return value;
  }

  std::optional<std::uint8_t> peek() const {
    if (remaining() == 0)
      return std::nullopt;
    return data_[pos_];
  }

  /// A CompactSize; nullopt when truncated or not in its shortest form
  /// (Bitcoin Core rejects non-canonical sizes).
  std::optional<std::uint64_t> read_compact_size() {
    auto first = read_le(1);
    if (!first)
      return std::nullopt;
    if (*first < 0xfd)
      return *first;
    const int width = *first == 0xfd ? 2 : *first == 0xfe ? 4 : 8;
    const std::uint64_t minimum = *first == 0xfd ? 0xfd : *first == 0xfe ? 0x10000 : 0x100000000;
    auto value = read_le(width);
    if (!value || *value < minimum)
      return std::nullopt;
    return value;
  }

  std::optional<crypto::bytes> read_bytes(std::size_t n) {
    if (remaining() < n)
      return std::nullopt;
    crypto::bytes out(data_.begin() + static_cast<std::ptrdiff_t>(pos_),
                      data_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return out;
  }

  /// CompactSize length followed by that many bytes.
  std::optional<crypto::bytes> read_var_bytes() {
    auto n = read_compact_size();
    if (!n || *n > remaining())
      return std::nullopt;
    return read_bytes(static_cast<std::size_t>(*n));
  }

private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

} // namespace covsigner::bitcoin
