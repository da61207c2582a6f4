// The reference's field-shape rules (§5.1): 0x-hex strings, addresses,
// bytes32 values, request identifiers, and the normalisations applied to
// them (lowercasing, Go's strings.TrimSpace). Messages are the exact 400
// texts of the Go node.
#pragma once

#include "covenant/request.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace covsigner::covenant {

/// Go strings.ToLower as used on hex-shaped values. Only ASCII letters are
/// mapped (every validated hex field is ASCII; Go would also lowercase
/// non-ASCII letters inside unvalidated artifact records).
std::string lower_hex(std::string_view value);

/// Go strings.TrimSpace: strips leading/trailing Unicode White_Space.
std::string trim_space(std::string_view value);

/// `<name> must be a 0x-prefixed even-length hex string` /
/// `<name> must be valid hex`.
std::optional<input_error> check_hex(std::string_view name, std::string_view value);

/// check_hex, then 42 characters: `<name> must be a 20-byte 0x-prefixed hex address`.
std::optional<input_error> check_address(std::string_view name, std::string_view value);

/// check_hex, then 66 characters: `<name> must be a 32-byte 0x-prefixed hex string`.
std::optional<input_error> check_bytes32(std::string_view name, std::string_view value);

/// `^[a-zA-Z0-9_-]{1,255}$`, else `<name> must match [a-zA-Z0-9_-] and be at most 255 chars`.
std::optional<input_error> check_request_identifier(std::string_view name, std::string_view value);

/// Decodes the body of an already checked 0x-hex string.
crypto::bytes decode_checked_hex(std::string_view value);

} // namespace covsigner::covenant
