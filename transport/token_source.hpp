// Where bearer tokens come from: the environment or a token file, never the
// command line (argv is readable by every local user in /proc/<pid>/cmdline).
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace covsigner::transport {

/// The tokens of one kind: `env_value` (the variable's value, or empty when
/// unset) holds one token; `file` (a path, or empty) holds one per line
/// (see parse_token_lines). Setting both is an error, so one source is
/// never silently ignored. Neither: an empty list (no auth).
/// Errors name the variable or the file, never a token.
std::variant<std::vector<std::string>, std::string>
load_tokens(const std::string& env_name, const std::string& env_value, const std::string& file);

} // namespace covsigner::transport
