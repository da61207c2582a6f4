// Comparison whose duration does not depend on where two secrets differ
// (bearer tokens, reference §1.3), through OpenSSL's CRYPTO_memcmp.
#pragma once

#include <string_view>

namespace covsigner::crypto {

/// True when `a` and `b` hold the same bytes. The time taken depends only on
/// the lengths: differing lengths return false at once, so the LENGTH of the
/// expected secret can leak through timing, never its content. This is the
/// same trade-off as Go's subtle.ConstantTimeCompare, which the reference
/// node uses.
bool constant_time_equal(std::string_view a, std::string_view b);

} // namespace covsigner::crypto
