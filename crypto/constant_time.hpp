// Comparison whose duration does not depend on where inputs differ (for
// bearer tokens). The length itself is not hidden: tokens are compared only
// after both are known, and a length mismatch returns early.
#pragma once

#include <string_view>

namespace covsigner::crypto {

bool constant_time_equal(std::string_view a, std::string_view b);

} // namespace covsigner::crypto
