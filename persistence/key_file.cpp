#include "persistence/key_file.hpp"

#include "crypto/bytes.hpp"

#include <openssl/crypto.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace covsigner::persistence {

namespace {

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0%03o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Wipes a buffer that held key material, in a way the optimizer keeps.
struct wiped_buffer {
  std::string text;
  ~wiped_buffer() { OPENSSL_cleanse(text.data(), text.size()); }
};

} // namespace

std::variant<crypto::private_key, std::string> parse_key_file_text(std::string_view text) {
  if (text.empty())
    return std::string{"is empty"};
  if (text.ends_with("\r\n"))
    text.remove_suffix(2);
  else if (text.ends_with('\n'))
    text.remove_suffix(1);
  if (text.starts_with("0x") || text.starts_with("0X"))
    text.remove_prefix(2);
  if (text.size() != 64)
    return std::string{"is not 64 hex digits"};
  // Decoded here rather than through crypto::from_hex so the scalar never
  // lives in a heap buffer that is not wiped.
  std::array<std::uint8_t, 32> scalar{};
  bool ok = true;
  for (std::size_t i = 0; i < 32; ++i) {
    int hi = crypto::hex_digit_value(text[2 * i]);
    int lo = crypto::hex_digit_value(text[2 * i + 1]);
    ok = ok && hi >= 0 && lo >= 0;
    scalar[i] = static_cast<std::uint8_t>(((hi < 0 ? 0 : hi) << 4) | (lo < 0 ? 0 : lo));
  }
  std::variant<crypto::private_key, std::string> result{std::string{"is not 64 hex digits"}};
  if (ok) {
    if (auto key = crypto::parse_private_key(scalar))
      result = *key;
    else
      result = std::string{"is not a valid secp256k1 secret key"};
  }
  OPENSSL_cleanse(scalar.data(), scalar.size());
  return result;
}

std::variant<std::monostate, std::string> check_key_file_mode(mode_t mode) {
  const bool others = (mode & 077) != 0;
  const bool special = (mode & 07000) != 0;
  const bool readable = (mode & 0400) != 0;
  const bool executable = (mode & 0100) != 0;
  if (others || special || !readable || executable)
    return "has mode " + octal_mode(mode) + "; it must be 0600 (owner read/write only)";
  return std::monostate{};
}

std::optional<std::string> check_secret_file(int fd, const std::string& name) {
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    return name + ": cannot stat: " + std::strerror(errno);
  if (!S_ISREG(st.st_mode))
    return name + " is not a regular file";
  if (st.st_uid != ::geteuid())
    return name + " is owned by uid " + std::to_string(st.st_uid) +
           ", not by this process's user (uid " + std::to_string(::geteuid()) + ")";
  auto mode_check = check_key_file_mode(st.st_mode);
  if (auto* err = std::get_if<std::string>(&mode_check))
    return name + " " + *err;
  return std::nullopt;
}

std::optional<std::string> check_secret_file_at(const std::filesystem::path& path,
                                                const std::string& name) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return name + ": cannot open: " + std::strerror(errno);
  auto failure = check_secret_file(fd, name);
  ::close(fd);
  return failure;
}

std::variant<crypto::private_key, std::string> read_key_file(const std::filesystem::path& path) {
  const std::string name = "signer key file " + path.string();
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return name + ": cannot open: " + std::strerror(errno);
  if (auto failure = check_secret_file(fd, name)) {
    ::close(fd);
    return *failure;
  }
  // A key file is 64..70 bytes; anything much larger is not a key file.
  wiped_buffer buffer;
  buffer.text.resize(128);
  std::size_t used = 0;
  while (used < buffer.text.size()) {
    ssize_t n = ::read(fd, buffer.text.data() + used, buffer.text.size() - used);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return name + ": cannot read: " + std::strerror(err);
    }
    if (n == 0)
      break;
    used += static_cast<std::size_t>(n);
  }
  ::close(fd);
  auto parsed = parse_key_file_text(std::string_view(buffer.text.data(), used));
  if (auto* err = std::get_if<std::string>(&parsed))
    return name + " " + *err;
  return parsed;
}

} // namespace covsigner::persistence
