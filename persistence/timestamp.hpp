// Go time.RFC3339Nano timestamps (reference §2.2): the job file's
// createdAt/updatedAt/completedAt/failedAt.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace covsigner::persistence {

/// An instant with nanosecond resolution (UTC, leap seconds not counted).
/// On Linux this is exactly std::chrono::system_clock::time_point.
using timestamp = std::chrono::sys_time<std::chrono::nanoseconds>;
static_assert(std::is_same_v<timestamp, std::chrono::system_clock::time_point>,
              "system_clock must count nanoseconds (libstdc++ on Linux)");

/// "YYYY-MM-DDTHH:MM:SS[.fraction]Z" in UTC; the fraction has up to 9 digits,
/// trailing zeros trimmed, and is omitted when zero (Go's RFC3339Nano).
/// Precondition: year in 0000..9999.
std::string format_rfc3339nano(timestamp t);

/// Parses RFC 3339 as Go's time.Parse(time.RFC3339Nano, s) does: 4-digit
/// year, exact field widths, upper-case 'T', seconds 00..59, day valid for
/// its month, optional fraction of 1..9 digits (more are truncated to 9, as
/// Go does), then 'Z' or a "+hh:mm"/"-hh:mm" offset (hh < 24, mm < 60).
/// nullopt for anything else. The result is the instant (offset applied).
std::optional<timestamp> parse_rfc3339nano(std::string_view s);

/// format_rfc3339nano(system_clock::now()).
std::string now_rfc3339nano();

} // namespace covsigner::persistence
