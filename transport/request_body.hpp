// A request body, bounded before a byte of it is read.
//
// cpp-httplib 0.11.4 reads a body whole before any handler runs, caps only
// bodies that declare a Content-Length, and decompresses gzip, deflate and
// br bodies whole (the Debian library is built with zlib and brotli): a
// chunked, length-less or compressed body could make the node allocate
// gigabytes before anyone checked its token. The server therefore takes
// every body through a content reader, after authentication, as planned
// here from the headers alone:
//
//   * no Content-Length and no Transfer-Encoding: the body is empty
//     (RFC 9112 §6.3: a request without either has no body), nothing read;
//   * Content-Length: digits only, one value, at most the cap; read exactly;
//   * Transfer-Encoding: exactly `chunked`, without a Content-Length (both
//     at once is the request-smuggling ambiguity); read until the cap;
//   * any Content-Encoding but `identity`: refused. The reference (Go's
//     net/http) never decompresses a request body either: a compressed
//     body fails its JSON decoder, so the answer is the same 400
//     `malformed request body` a Go node gives.
//
// A refused body is never read: the server answers and closes the
// connection (its unread bytes must not be parsed as the next request).
#pragma once

#include <httplib.h>

#include <cstddef>
#include <string>
#include <variant>

namespace covsigner::transport {

/// Why a body is not taken. Every refusal answers 400 `malformed request
/// body` and closes the connection.
enum class body_refusal {
  encoded,                  // Content-Encoding other than identity
  too_large,                // declared or read beyond the cap
  bad_content_length,       // not digits, or several values
  unsupported_transfer_coding, // Transfer-Encoding other than chunked
  ambiguous_framing,        // both Content-Length and Transfer-Encoding
  unreadable,               // the connection failed or broke the framing
};

/// A short text for logs.
const char* describe(body_refusal refusal);

enum class body_framing { none, length, chunked };

struct body_plan {
  body_framing framing = body_framing::none;
  std::size_t length = 0; // body_framing::length only
};

/// Plans the body of a request with `headers` under a cap of `max_bytes`
/// (pure). Returns the plan, or the refusal (see the list above). Header
/// names are matched case-insensitively (httplib's Headers does), values
/// exactly except for the case of `chunked` and `identity`.
std::variant<body_plan, body_refusal> plan_body(const httplib::Headers& headers,
                                                std::size_t max_bytes);

/// Reads the planned body through `reader`, keeping at most `max_bytes`:
/// the read stops at the first byte beyond them (too_large). framing none
/// reads nothing and returns "". A failed read is `unreadable`.
std::variant<std::string, body_refusal> read_body(const body_plan& plan,
                                                  const httplib::ContentReader& reader,
                                                  std::size_t max_bytes);

/// Bytes a body of at most `max_bytes` may take on the wire, framing
/// included: chunk-size lines of clients that write in small pieces cost a
/// few bytes per chunk; one eighth of the cap more, plus 8 KiB, is more
/// than any ordinary client spends (curl's and Go's chunks are ≥ 4 KiB).
std::size_t wire_allowance(std::size_t max_bytes);

} // namespace covsigner::transport
