// Command-line parsing shared by covsignerctl commands: positional
// arguments and `--name value` / `--name=value` options, plus the options
// several commands take (EIP-712 domain) and reading an input file.
#pragma once

#include "covenant/approval_digest.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace covsigner::ctl {

struct parsed_arguments {
  std::vector<std::string> positional;
  std::map<std::string, std::string, std::less<>> options; // name without "--"

  /// The option's value, or nullopt when it was not given.
  std::optional<std::string> option(std::string_view name) const;
};

/// Splits `args`. Every option takes a value; `allowed` lists the option
/// names (without "--"). Errors (one line, for stderr): an unknown option,
/// an option without a value, an option given twice.
std::variant<parsed_arguments, std::string> parse_arguments(
    const std::vector<std::string>& args, const std::vector<std::string_view>& allowed);

/// The option names of eip712_domain_from: eip712-chain-id, eip712-salt.
inline constexpr std::string_view option_chain_id = "eip712-chain-id";
inline constexpr std::string_view option_salt = "eip712-salt";

/// The EIP-712 approval domain from --eip712-chain-id (decimal uint64,
/// default 0) and --eip712-salt (0x + 64 hex; default or empty: the
/// default salt), exactly as covsignerd resolves its options of the same
/// names. Error: a one-line message.
std::variant<covenant::eip712_domain, std::string> eip712_domain_from(
    const parsed_arguments& args);

/// The whole content of `path` ("-" = standard input), or why it could not
/// be read.
struct input_file {
  std::string content;
  std::string error; // empty on success
};
input_file read_input(const std::string& path);

} // namespace covsigner::ctl
