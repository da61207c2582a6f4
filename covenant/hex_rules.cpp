#include "covenant/hex_rules.hpp"

namespace covsigner::covenant {

namespace {

input_error err(std::string_view name, std::string_view suffix) {
  return input_error{std::string(name) + std::string(suffix)};
}

// Byte length of a Unicode White_Space character encoded at the start (or
// end) of `s`, or 0. The set is Go's unicode.IsSpace.
std::size_t leading_space(std::string_view s) {
  if (s.empty())
    return 0;
  unsigned char c = static_cast<unsigned char>(s[0]);
  if (c == ' ' || (c >= '\t' && c <= '\r'))
    return 1;
  static constexpr std::string_view multi[] = {
      "\xc2\x85", "\xc2\xa0", "\xe1\x9a\x80", "\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82",
      "\xe2\x80\x83", "\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86", "\xe2\x80\x87",
      "\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a", "\xe2\x80\xa8", "\xe2\x80\xa9",
      "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80"};
  for (auto m : multi)
    if (s.substr(0, m.size()) == m)
      return m.size();
  return 0;
}

std::size_t trailing_space(std::string_view s) {
  if (s.empty())
    return 0;
  unsigned char c = static_cast<unsigned char>(s.back());
  if (c == ' ' || (c >= '\t' && c <= '\r'))
    return 1;
  for (std::size_t len : {2u, 3u})
    if (s.size() >= len && leading_space(s.substr(s.size() - len)) == len)
      return len;
  return 0;
}

} // namespace

std::string lower_hex(std::string_view value) {
  std::string out(value);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string trim_space(std::string_view value) {
  while (std::size_t n = leading_space(value))
    value.remove_prefix(n);
  while (std::size_t n = trailing_space(value))
    value.remove_suffix(n);
  return std::string(value);
}

std::optional<input_error> check_hex(std::string_view name, std::string_view value) {
  if (value.substr(0, 2) != "0x" || value.size() <= 2 || value.size() % 2 != 0)
    return err(name, " must be a 0x-prefixed even-length hex string");
  if (!crypto::from_hex(value.substr(2)))
    return err(name, " must be valid hex");
  return std::nullopt;
}

std::optional<input_error> check_address(std::string_view name, std::string_view value) {
  if (auto e = check_hex(name, value))
    return e;
  if (value.size() != 42)
    return err(name, " must be a 20-byte 0x-prefixed hex address");
  return std::nullopt;
}

std::optional<input_error> check_bytes32(std::string_view name, std::string_view value) {
  if (auto e = check_hex(name, value))
    return e;
  if (value.size() != 66)
    return err(name, " must be a 32-byte 0x-prefixed hex string");
  return std::nullopt;
}

std::optional<input_error> check_request_identifier(std::string_view name,
                                                    std::string_view value) {
  bool ok = !value.empty() && value.size() <= 255;
  for (char c : value)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-');
  if (!ok)
    return err(name, " must match [a-zA-Z0-9_-] and be at most 255 chars");
  return std::nullopt;
}

crypto::bytes decode_checked_hex(std::string_view value) {
  auto decoded = crypto::from_hex(value.substr(value.substr(0, 2) == "0x" ? 2 : 0));
  return decoded ? *decoded : crypto::bytes{};
}

} // namespace covsigner::covenant
