#include "apps/covsignerctl/arguments.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace covsigner::ctl {

std::optional<std::string> parsed_arguments::option(std::string_view name) const {
  auto it = options.find(name);
  if (it == options.end())
    return std::nullopt;
  return it->second;
}

std::variant<parsed_arguments, std::string> parse_arguments(
    const std::vector<std::string>& args, const std::vector<std::string_view>& allowed) {
  parsed_arguments out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 3 || a.rfind("--", 0) != 0) {
      out.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
      return "unknown option --" + name;
    if (!value) {
      if (i + 1 >= args.size())
        return "option --" + name + " needs a value";
      value = args[++i];
    }
    if (!out.options.emplace(name, *value).second)
      return "option --" + name + " given twice";
  }
  return out;
}

std::variant<covenant::eip712_domain, std::string> eip712_domain_from(
    const parsed_arguments& args) {
  covenant::eip712_domain domain;
  if (auto text = args.option(option_chain_id)) {
    const char* end = text->data() + text->size();
    auto [ptr, ec] = std::from_chars(text->data(), end, domain.chain_id);
    if (text->empty() || ec != std::errc{} || ptr != end)
      return "invalid --eip712-chain-id [" + *text + "]: expected a decimal uint64";
  }
  auto salt = covenant::resolve_approval_salt(args.option(option_salt).value_or(""));
  if (!salt)
    return "invalid --eip712-salt [" + *args.option(option_salt) + "]: expected 0x + 64 hex";
  domain.salt = *salt;
  return domain;
}

input_file read_input(const std::string& path) {
  std::ostringstream content;
  if (path == "-") {
    content << std::cin.rdbuf();
    return {content.str(), {}};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return {{}, "cannot read " + path};
  content << in.rdbuf();
  return {content.str(), {}};
}

} // namespace covsigner::ctl
