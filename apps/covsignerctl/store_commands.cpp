// covsignerctl store and quarantine commands: operator tools over a data
// dir. They take the store's exclusive lock, so they refuse while a node
// runs on that data dir (and a node refuses to start while they run).
#include "apps/covsignerctl/arguments.hpp"
#include "apps/covsignerctl/command.hpp"

#include "persistence/prune.hpp"
#include "persistence/quarantine.hpp"
#include "persistence/store_loader.hpp"

#include <array>
#include <charconv>
#include <functional>
#include <map>
#include <ostream>

namespace covsigner::ctl {

namespace {

using namespace persistence;

// The store opened the way the node opens it (lock, legacy migration, load
// with its repairs), or a one-line error that says a running node may hold it.
std::variant<opened_store, std::string> open_for_tool(file_system& fs, const store_layout& layout) {
  auto opened = open_store(fs, layout);
  if (auto* err = std::get_if<io_error>(&opened))
    return err->message + " (is covsignerd running on this data dir?)";
  return std::move(std::get<opened_store>(opened));
}

// Runs `body` over the store of --data-dir, opened as the node opens it;
// prints why it cannot be opened.
int with_store(const parsed_arguments& a, std::ostream& err,
               const std::function<int(file_system&, const store_layout&, const loaded_store&)>& body) {
  posix_file_system fs;
  auto layout = store_layout::for_data_dir(*a.option("data-dir"));
  auto opened = open_for_tool(fs, layout);
  if (auto* e = std::get_if<std::string>(&opened)) {
    err << "covsignerctl: " << *e << "\n";
    return exit_failed;
  }
  return body(fs, layout, std::get<opened_store>(opened).loaded);
}

// "30d", "12h", "90m", "45s" -> nanoseconds; nullopt otherwise.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view s) {
  if (s.size() < 2)
    return std::nullopt;
  std::uint64_t n = 0;
  auto digits = s.substr(0, s.size() - 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc{} || end != digits.data() + digits.size())
    return std::nullopt;
  switch (s.back()) {
    case 'd':
      return std::chrono::hours(24 * n);
    case 'h':
      return std::chrono::hours(n);
    case 'm':
      return std::chrono::minutes(n);
    case 's':
      return std::chrono::seconds(n);
    default:
      return std::nullopt;
  }
}

// Parses `args` with `allowed` options plus the required --data-dir.
std::variant<parsed_arguments, int> parse_store_args(const std::vector<std::string>& args,
                                                     std::vector<std::string_view> allowed,
                                                     std::ostream& err) {
  allowed.push_back("data-dir");
  auto parsed = parse_arguments(args, allowed);
  if (auto* e = std::get_if<std::string>(&parsed)) {
    err << "covsignerctl: " << *e << "\n";
    return exit_usage;
  }
  auto& a = std::get<parsed_arguments>(parsed);
  if (!a.option("data-dir") || !a.positional.empty()) {
    err << "covsignerctl: --data-dir is required and no other arguments are taken\n";
    return exit_usage;
  }
  return std::move(a);
}

int run_inspect(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto parsed = parse_store_args(args, {}, err);
  if (auto* code = std::get_if<int>(&parsed))
    return *code;
  return with_store(std::get<parsed_arguments>(parsed), err,
                    [&](file_system&, const store_layout&, const loaded_store& loaded) {
                      out << loaded.summary_line << "\n";
                      std::map<std::string_view, std::size_t> by_state;
                      for (const auto& job : loaded.jobs)
                        ++by_state[covenant::to_string(job.state)];
                      for (const auto& [state, n] : by_state)
                        out << "  " << state << ": " << n << "\n";
                      out << "tombstones: " << loaded.tombstones.size() << "\n";
                      for (const auto& [key, reason] : loaded.poisoned)
                        out << "poisoned: " << key << " (" << reason << ")\n";
                      if (loaded.unattributable_corruption)
                        out << "unattributable corruption: new submits are refused until resolved\n";
                      return exit_ok;
                    });
}

int run_prune(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto parsed = parse_store_args(args, {"older-than"}, err);
  if (auto* code = std::get_if<int>(&parsed))
    return *code;
  auto& a = std::get<parsed_arguments>(parsed);
  auto older_than = a.option("older-than") ? parse_duration(*a.option("older-than")) : std::nullopt;
  if (!older_than) {
    err << "covsignerctl: --older-than D is required (e.g. 30d, 12h, 90m, 45s)\n";
    return exit_usage;
  }
  return with_store(a, err, [&](file_system& fs, const store_layout& layout, const loaded_store& loaded) {
    auto ops = plan_prune(loaded.jobs,
                          std::chrono::time_point_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now()),
                          *older_than);
    auto pruned = prune_jobs(fs, layout, ops);
    if (auto* e = std::get_if<io_error>(&pruned)) {
      err << "covsignerctl: prune failed: " << e->message << "\n";
      return exit_failed;
    }
    out << "pruned " << std::get<std::vector<tombstone>>(pruned).size()
        << " terminal jobs (tombstones keep their route keys closed)\n";
    return exit_ok;
  });
}

int run_quarantine_list(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto parsed = parse_store_args(args, {}, err);
  if (auto* code = std::get_if<int>(&parsed))
    return *code;
  return with_store(std::get<parsed_arguments>(parsed), err,
                    [&](file_system& fs, const store_layout& layout, const loaded_store&) {
                      auto listed = list_quarantine(fs, layout);
                      if (auto* e = std::get_if<io_error>(&listed)) {
                        err << "covsignerctl: " << e->message << "\n";
                        return exit_failed;
                      }
                      for (const auto& entry : std::get<std::vector<quarantine_entry>>(listed)) {
                        out << entry.name;
                        if (!entry.record) {
                          out << "  (reason file unreadable: all new submits refused)\n";
                          continue;
                        }
                        const auto& r = *entry.record;
                        out << "  reason=" << r.reason << " poisons=" << (r.poisons ? "yes" : "no");
                        for (const auto& key : r.route_keys)
                          out << " key=" << key;
                        if (r.unattributable)
                          out << " unattributable";
                        out << " at=" << r.quarantined_at << "\n    " << r.detail << "\n";
                      }
                      return exit_ok;
                    });
}

int run_quarantine_resolve(const std::vector<std::string>& args, std::ostream& out,
                           std::ostream& err) {
  auto parsed = parse_store_args(args, {"entry", "action", "note"}, err);
  if (auto* code = std::get_if<int>(&parsed))
    return *code;
  auto& a = std::get<parsed_arguments>(parsed);
  auto action = a.option("action");
  if (!a.option("entry") || !action || (*action != "restore" && *action != "release") ||
      !a.option("note")) {
    err << "covsignerctl: --entry E, --action restore|release and --note TEXT are required\n";
    return exit_usage;
  }
  posix_file_system fs;
  auto layout = store_layout::for_data_dir(*a.option("data-dir"));
  auto lock = store_lock::open(*a.option("data-dir"));
  if (auto* e = std::get_if<io_error>(&lock)) {
    err << "covsignerctl: " << e->message << " (is covsignerd running on this data dir?)\n";
    return exit_failed;
  }
  auto kind = *action == "restore" ? quarantine_action::restore : quarantine_action::release;
  if (auto e = resolve_quarantine(fs, layout, *a.option("entry"), kind, *a.option("note"))) {
    err << "covsignerctl: " << e->message << "\n";
    return exit_failed;
  }
  // Logged for the record: resolving changes which route keys may be used.
  out << *action << "d " << *a.option("entry") << " (note: " << *a.option("note")
      << "); evidence kept in quarantine/resolved/\n";
  return exit_ok;
}

constexpr std::array<command, 4> commands{{
  {"store inspect", "summarise a data dir's jobs, poisoned keys and quarantine",
   "usage: covsignerctl store inspect --data-dir D\n"
   "\n"
   "Loads the store the way covsignerd does at startup (taking its lock, with the same\n"
   "repairs: quarantine, marker backfill, interrupted SIGNING jobs failed) and prints the\n"
   "load summary, jobs by state, tombstones and poisoned route keys.\n",
   run_inspect},
  {"store prune", "remove old terminal jobs, leaving tombstones",
   "usage: covsignerctl store prune --data-dir D --older-than DURATION\n"
   "\n"
   "Removes READY and FAILED jobs whose last update is older than DURATION (30d, 12h,\n"
   "90m, 45s). Each leaves a tombstone (route key, digest, request id, final state), so\n"
   "a pruned routeRequestId never opens again. Takes the store lock.\n",
   run_prune},
  {"quarantine list", "list quarantined files and the route keys they poison",
   "usage: covsignerctl quarantine list --data-dir D\n"
   "\n"
   "Prints every unresolved quarantine entry with its reason, the route keys it poisons\n"
   "and when it was quarantined. Takes the store lock.\n",
   run_quarantine_list},
  {"quarantine resolve", "restore a repaired file or release its route keys",
   "usage: covsignerctl quarantine resolve --data-dir D --entry NAME\n"
   "                                       --action restore|release --note TEXT\n"
   "\n"
   "restore: NAME (a <requestId>.json repaired in place under quarantine/) must now\n"
   "decode as that job; it moves back into the jobs dir and its key stops being\n"
   "poisoned. Refused, changing nothing, when another job or a tombstone holds its\n"
   "route key, or when it is SUBMITTED/VALIDATING/PENDING but the audit log names it\n"
   "(set it to FAILED or SIGNING first). Other keys NAME poisons stay poisoned (as\n"
   "NAME.unrestored-keys). release: gives up NAME's route keys deliberately (a submit on them may\n"
   "then create a new job: only when you know the request was never signed). Nothing is\n"
   "deleted: the entry, its reason and a resolution record go to quarantine/resolved/.\n"
   "Takes the store lock, so it refuses while covsignerd runs.\n",
   run_quarantine_resolve},
}};

} // namespace

std::span<const command> store_commands() {
  return commands;
}

} // namespace covsigner::ctl
