#include "transport/request_body.hpp"

#include <strings.h>

#include <limits>
#include <optional>

namespace covsigner::transport {

namespace {

bool equals_ignoring_case(const std::string& a, const char* b) {
  return strcasecmp(a.c_str(), b) == 0;
}

// Content-Length as Go's net/http accepts it: one or more ASCII digits.
std::optional<std::size_t> parse_length(const std::string& text) {
  if (text.empty())
    return std::nullopt;
  std::size_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    auto digit = static_cast<std::size_t>(c - '0');
    if (value > (std::numeric_limits<std::size_t>::max() - digit) / 10)
      return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

} // namespace

const char* describe(body_refusal refusal) {
  switch (refusal) {
    case body_refusal::encoded: return "compressed request body";
    case body_refusal::too_large: return "request body over the cap";
    case body_refusal::bad_content_length: return "invalid Content-Length";
    case body_refusal::unsupported_transfer_coding: return "unsupported Transfer-Encoding";
    case body_refusal::ambiguous_framing: return "both Content-Length and Transfer-Encoding";
    case body_refusal::unreadable: return "request body could not be read";
  }
  return "request body refused";
}

std::variant<body_plan, body_refusal> plan_body(const httplib::Headers& headers,
                                                std::size_t max_bytes) {
  for (auto [it, end] = headers.equal_range("Content-Encoding"); it != end; ++it)
    if (!equals_ignoring_case(it->second, "identity"))
      return body_refusal::encoded;
  auto lengths = headers.count("Content-Length");
  auto codings = headers.count("Transfer-Encoding");
  if (lengths > 0 && codings > 0)
    return body_refusal::ambiguous_framing;
  if (codings > 0) {
    if (codings > 1 || !equals_ignoring_case(headers.find("Transfer-Encoding")->second, "chunked"))
      return body_refusal::unsupported_transfer_coding;
    return body_plan{body_framing::chunked, 0};
  }
  if (lengths == 0)
    return body_plan{};
  if (lengths > 1)
    return body_refusal::bad_content_length;
  auto length = parse_length(headers.find("Content-Length")->second);
  if (!length)
    return body_refusal::bad_content_length;
  if (*length > max_bytes)
    return body_refusal::too_large;
  return body_plan{body_framing::length, *length};
}

std::variant<std::string, body_refusal> read_body(const body_plan& plan,
                                                  const httplib::ContentReader& reader,
                                                  std::size_t max_bytes) {
  std::string body;
  if (plan.framing == body_framing::none)
    return body;
  // One allocation, never a regrowth: a doubling copy would hold the old
  // and the new buffer at once (3 MiB for a 2 MiB body). A chunked body's
  // size is unknown; reserving the cap costs address space, not memory,
  // until its pages are written.
  body.reserve(plan.framing == body_framing::length ? plan.length : max_bytes);
  bool over = false;
  bool read = reader([&](const char* data, std::size_t size) {
    if (size > max_bytes - body.size()) {
      over = true;
      return false;
    }
    body.append(data, size);
    return true;
  });
  if (over)
    return body_refusal::too_large;
  if (!read)
    return body_refusal::unreadable;
  return body;
}

std::size_t wire_allowance(std::size_t max_bytes) {
  return max_bytes + max_bytes / 8 + 8192;
}

} // namespace covsigner::transport
