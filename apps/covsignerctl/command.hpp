// covsignerctl's subcommand table. Each command group lives in its own .cpp
// and exposes its commands through one function declared here; main.cpp
// lists the groups. To add a group (e.g. `store ...`): write store_commands.cpp
// defining `std::span<const command> store_commands()`, declare it below and
// add it to `command_groups` in main.cpp.
#pragma once

#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace covsigner::ctl {

/// Exit codes shared by all commands.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1; // the command ran and the answer is "no" (invalid input...)
inline constexpr int exit_usage = 2;  // bad command line, unreadable file
inline constexpr int exit_internal = 3;

struct command {
  /// What the user types after `covsignerctl` (may contain a space for
  /// nested groups, e.g. "store list").
  std::string_view name;
  /// One line for `covsignerctl --help`.
  std::string_view summary;
  /// Full text for `covsignerctl <name> --help` (usage line first).
  std::string_view help;
  /// Runs the command on the arguments after its name. Writes results to
  /// `out`, diagnostics to `err`; returns an exit code above.
  int (*run)(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
};

/// example, example-chain, digest, validate, spend-key (request_commands.cpp).
std::span<const command> request_commands();

/// store inspect, store prune, quarantine list, quarantine resolve
/// (store_commands.cpp).
std::span<const command> store_commands();

} // namespace covsigner::ctl
