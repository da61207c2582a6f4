// covsignerctl: offline tools for covsigner operators and client developers.
// Dispatches `covsignerctl <command> [args]` through the command groups'
// tables (command.hpp).
#include "apps/covsignerctl/command.hpp"

#include <iostream>
#include <span>
#include <string>
#include <vector>

namespace {

using covsigner::ctl::command;

// One entry per command group; add new groups here.
constexpr std::span<const command> (*command_groups[])() = {
    covsigner::ctl::request_commands,
    covsigner::ctl::store_commands,
};

void print_usage(std::ostream& out) {
  out << "usage: covsignerctl <command> [arguments]\n"
         "       covsignerctl <command> --help\n\ncommands:\n";
  for (auto group : command_groups)
    for (const auto& c : group())
      out << "  " << c.name << std::string(c.name.size() < 20 ? 20 - c.name.size() : 1, ' ')
          << c.summary << '\n';
}

bool wants_help(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h")
      return true;
  return false;
}

} // namespace

int main(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  if (!words.empty() && words[0] == "--version") {
    std::cout << "covsignerctl " << COVSIGNER_VERSION << "\n";
    return covsigner::ctl::exit_ok;
  }
  if (words.empty() || words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
    print_usage(words.empty() ? std::cerr : std::cout);
    return words.empty() ? covsigner::ctl::exit_usage : covsigner::ctl::exit_ok;
  }
  // The longest command name matching the leading words wins, so nested
  // names ("store list") and flat ones coexist.
  const command* best = nullptr;
  std::size_t best_words = 0;
  for (auto group : command_groups) {
    for (const auto& c : group()) {
      std::size_t n = 0;
      std::string joined;
      while (n < words.size()) {
        joined += (n ? " " : "") + words[n];
        ++n;
        if (joined == c.name && n > best_words) {
          best = &c;
          best_words = n;
        }
        if (joined.size() >= c.name.size())
          break;
      }
    }
  }
  if (best == nullptr) {
    std::cerr << "covsignerctl: unknown command '" << words[0] << "'\n";
    print_usage(std::cerr);
    return covsigner::ctl::exit_usage;
  }
  std::vector<std::string> args(words.begin() + static_cast<std::ptrdiff_t>(best_words), words.end());
  if (wants_help(args)) {
    std::cout << best->help;
    return covsigner::ctl::exit_ok;
  }
  return best->run(args, std::cout, std::cerr);
}
