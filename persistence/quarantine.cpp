#include "persistence/quarantine.hpp"

#include "covenant/canonical_json.hpp"
#include "persistence/audit_log.hpp"
#include "persistence/job_file.hpp"
#include "persistence/timestamp.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <set>

namespace covsigner::persistence {

namespace json = boost::json;

namespace {

constexpr std::string_view reason_suffix = ".reason";

io_error refuse(std::string message) {
  return io_error{EINVAL, std::move(message)};
}

std::filesystem::path resolved_dir(const store_layout& layout) {
  return layout.quarantine_dir() / "resolved";
}

// A plain file name of quarantine/: no separators, no hidden names.
bool is_entry_name(std::string_view name) {
  return !name.empty() && name.front() != '.' && name.find('/') == std::string_view::npos &&
         name != "resolved";
}

maybe_error write_resolution(file_system& fs, const store_layout& layout, std::string_view entry,
                             quarantine_action action, std::string_view note, std::string_view now) {
  json::object o;
  o["entry"] = entry;
  o["action"] = action == quarantine_action::restore ? "restore" : "release";
  o["note"] = note;
  o["resolvedAt"] = now;
  auto target = resolved_dir(layout) / (std::string{entry} + ".resolution");
  if (auto err = write_file_atomic(fs, target, covenant::to_go_json(o, {.escape_html = true}), true))
    return err;
  return fs.fsync_dir(resolved_dir(layout));
}

} // namespace

std::string encode_quarantine_record(const quarantine_record& r) {
  json::object o;
  o["file"] = r.file;
  o["reason"] = r.reason;
  o["detail"] = r.detail;
  json::array keys;
  for (const auto& k : r.route_keys)
    keys.emplace_back(k);
  o["routeKeys"] = std::move(keys);
  o["poisons"] = r.poisons;
  o["unattributable"] = r.unattributable;
  o["quarantinedAt"] = r.quarantined_at;
  return covenant::to_go_json(o, {.escape_html = true});
}

std::optional<quarantine_record> decode_quarantine_record(std::string_view bytes) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view{bytes.data(), bytes.size()}, ec);
  if (ec || !v.is_object())
    return std::nullopt;
  const auto& o = v.get_object();
  auto str = [&](const char* key, std::string& out) {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_string())
      return false;
    out = std::string{it->value().get_string()};
    return true;
  };
  auto boolean = [&](const char* key, bool& out) {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_bool())
      return false;
    out = it->value().get_bool();
    return true;
  };
  quarantine_record r;
  if (!str("file", r.file) || !str("reason", r.reason) || !boolean("poisons", r.poisons) ||
      !boolean("unattributable", r.unattributable))
    return std::nullopt;
  str("detail", r.detail);
  str("quarantinedAt", r.quarantined_at);
  auto keys = o.find("routeKeys");
  if (keys == o.end() || !keys->value().is_array())
    return std::nullopt;
  for (const auto& k : keys->value().get_array()) {
    if (!k.is_string())
      return std::nullopt;
    r.route_keys.emplace_back(k.get_string());
  }
  return r;
}

std::variant<std::vector<quarantine_entry>, io_error> list_quarantine(file_system& fs,
                                                                      const store_layout& layout) {
  auto listed = fs.list_dir(layout.quarantine_dir());
  if (auto* err = std::get_if<io_error>(&listed))
    return *err;
  std::vector<quarantine_entry> out;
  for (const auto& e : std::get<std::vector<dir_entry>>(listed)) {
    if (!e.name.ends_with(reason_suffix) || is_temp_name(e.name))
      continue;
    quarantine_entry entry;
    entry.name = e.name.substr(0, e.name.size() - reason_suffix.size());
    if (auto bytes = fs.read_file(layout.quarantine_dir() / e.name);
        auto* b = std::get_if<std::string>(&bytes))
      entry.record = decode_quarantine_record(*b);
    out.push_back(std::move(entry));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

namespace {

// What a restore will do, decided before anything is written.
struct restore_plan {
  std::string stem; // the request id
  // Keys the entry poisons that are not the restored job's own: they stay
  // poisoned under a new entry (name, record).
  std::string residual_name;
  std::optional<quarantine_record> residual;
};

// Job files of other request ids that hold `key` (decoded, or by their
// readable prefix): restoring would make a second copy of that key.
std::variant<std::optional<std::string>, io_error> job_holding(file_system& fs, const store_layout& layout,
                                                              const std::string& stem,
                                                              const std::string& key) {
  auto listed = fs.list_dir(layout.jobs_dir());
  if (auto* err = std::get_if<io_error>(&listed))
    return *err;
  for (const auto& e : std::get<std::vector<dir_entry>>(listed)) {
    if (e.type != dir_entry::kind::regular || is_temp_name(e.name) || !e.name.ends_with(".json") ||
        e.name == stem + ".json")
      continue;
    auto bytes = fs.read_file(layout.jobs_dir() / e.name);
    if (auto* err = std::get_if<io_error>(&bytes))
      return *err; // cannot tell whether it holds the key: fail closed
    auto decoded = decode_job_file(std::get<std::string>(bytes));
    if (auto* j = std::get_if<covenant::job>(&decoded)) {
      if (j->route_key() == key)
        return "job " + j->request_id + " (state " + std::string{covenant::to_string(j->state)} + ")";
    } else if (recover_route_key(std::get<std::string>(bytes)) == key) {
      return "job file " + e.name + " (damaged; its readable prefix names the key)";
    }
  }
  return std::optional<std::string>{};
}

// A tombstone that holds `key` (a pruned key never reopens), or the
// tombstone of `stem` itself (the next load would complete that prune and
// delete the restored file).
std::variant<std::optional<std::string>, io_error> tombstone_holding(file_system& fs, const store_layout& layout,
                                                                    const std::string& stem,
                                                                    const std::string& key) {
  auto listed = fs.list_dir(layout.tombstones_dir());
  if (auto* err = std::get_if<io_error>(&listed))
    return *err;
  for (const auto& e : std::get<std::vector<dir_entry>>(listed)) {
    if (is_temp_name(e.name) || !e.name.ends_with(".tombstone"))
      continue;
    auto bytes = fs.read_file(layout.tombstones_dir() / e.name);
    if (auto* err = std::get_if<io_error>(&bytes))
      return *err;
    auto decoded = decode_tombstone(std::get<std::string>(bytes));
    if (auto* t = std::get_if<tombstone>(&decoded)) {
      if (t->request_id == stem || t->route_key() == key)
        return "the tombstone of " + t->request_id + " (pruned, final state " +
               std::string{covenant::to_string(t->final_state)} + ")";
    } else if (recover_route_key(std::get<std::string>(bytes)) == key) {
      return "tombstone file " + e.name + " (damaged; its readable prefix names the key)";
    }
  }
  return std::optional<std::string>{};
}

// Refuses a restore that would reopen the job's key: another job or a
// tombstone holds it.
maybe_error check_key_free(file_system& fs, const store_layout& layout, const std::string& entry,
                           const covenant::job& job) {
  const auto key = job.route_key();
  for (auto* holding : {&job_holding, &tombstone_holding}) {
    auto held = holding(fs, layout, job.request_id, key);
    if (auto* err = std::get_if<io_error>(&held))
      return io_error{err->code, "cannot check whether route key " + key + " is free: " + err->message};
    if (auto& by = std::get<std::optional<std::string>>(held))
      return refuse("route key " + key + " is held by " + *by + "; restoring " + entry +
                    " would reopen it as a second copy (nothing was changed; if " + entry +
                    " must not count, release it)");
  }
  return std::nullopt;
}

// Refuses to restore, as not yet signed, a job the audit log says a
// signature was asked for: the node would resume it and sign it again.
maybe_error check_audit_log(file_system& fs, const store_layout& layout, const std::string& entry,
                            const covenant::job& job) {
  using covenant::job_state;
  if (job.state != job_state::submitted && job.state != job_state::validating &&
      job.state != job_state::pending)
    return std::nullopt; // SIGNING is failed as interrupted on load; terminal never changes
  auto path = audit_log_path(layout.data_dir);
  auto ids = read_audited_request_ids(fs, path);
  if (auto* err = std::get_if<io_error>(&ids))
    return *err;
  if (!std::get<std::set<std::string>>(ids).count(job.request_id))
    return std::nullopt;
  return refuse(entry + " says " + std::string{covenant::to_string(job.state)} +
                " (not yet signed), but the audit log " + path.string() +
                " records a signature request for " + job.request_id +
                ": restored like this it could be signed again. Set its state to FAILED, or to "
                "SIGNING (the next load fails it as interrupted), then restore (nothing was changed)");
}

// A free entry name in quarantine/ for the keys a restore leaves poisoned.
std::variant<std::string, io_error> free_entry_name(file_system& fs, const store_layout& layout,
                                                    const std::string& base) {
  std::string name = base;
  for (int i = 1;; ++i) {
    bool taken = false;
    for (const auto& n : {name, name + std::string{reason_suffix}}) {
      auto kind = fs.entry_kind(layout.quarantine_dir() / n);
      if (auto* err = std::get_if<io_error>(&kind); err && err->code != ENOENT)
        return *err;
      taken = taken || std::holds_alternative<dir_entry::kind>(kind);
    }
    if (!taken)
      return name;
    name = base + "." + std::to_string(i);
  }
}

// Every check of a restore, with nothing written: the file must decode as
// the job its name says, its reason file must say which keys it poisons,
// its key must be free and the audit log must not contradict it.
std::variant<restore_plan, io_error> plan_restore(file_system& fs, const store_layout& layout,
                                                  const std::string& name, std::string_view reason_bytes,
                                                  std::string_view stamp) {
  if (!name.ends_with(".json"))
    return refuse("only a job file (<requestId>.json) can be restored: " + name);
  auto bytes = fs.read_file(layout.quarantine_dir() / name);
  if (auto* err = std::get_if<io_error>(&bytes))
    return *err;
  auto decoded = decode_job_file(std::get<std::string>(bytes));
  if (auto* d = std::get_if<decode_error>(&decoded))
    return refuse(name + " still does not decode as a job (" + std::string{to_string(d->kind)} + ": " +
                  d->message + "); repair it first");
  const auto& job = std::get<covenant::job>(decoded);
  restore_plan plan{name.substr(0, name.size() - 5), {}, {}};
  if (job.request_id != plan.stem)
    return refuse(name + " holds request id " + job.request_id);
  auto record = decode_quarantine_record(reason_bytes);
  if (!record)
    return refuse("the reason file of " + name +
                  " cannot be read, so the route keys it poisons are unknown and a restore could "
                  "release them; repair the reason file or release the entry deliberately");
  if (auto kind = fs.entry_kind(layout.job_file(plan.stem)); !std::holds_alternative<io_error>(kind) ||
                                                              std::get<io_error>(kind).code != ENOENT)
    return io_error{EEXIST, "the jobs dir already holds " + name + " (it already exists); nothing was changed"};
  if (auto err = check_key_free(fs, layout, name, job))
    return *err;
  if (auto err = check_audit_log(fs, layout, name, job))
    return *err;
  std::vector<std::string> others;
  if (record->poisons)
    for (const auto& k : record->route_keys)
      if (k != job.route_key())
        others.push_back(k);
  if (others.empty())
    return plan;
  auto free = free_entry_name(fs, layout, name + ".unrestored-keys");
  if (auto* err = std::get_if<io_error>(&free))
    return *err;
  plan.residual_name = std::get<std::string>(free);
  std::string listed;
  for (const auto& k : others)
    listed += (listed.empty() ? "" : ", ") + k;
  plan.residual = quarantine_record{
    record->file, record->reason,
    "route keys " + listed + " of " + name + " are not the restored job's own (" + job.route_key() +
      "), so its restore at " + std::string{stamp} + " does not release them; " + record->detail,
    others, true, false, record->quarantined_at};
  return plan;
}

// Moves a planned restore's job back, after its residual poison (if any) is
// durable, so no key is unpoisoned even for a moment.
maybe_error apply_restore(file_system& fs, const store_layout& layout, const std::string& name,
                          const restore_plan& plan) {
  auto qdir = layout.quarantine_dir();
  if (plan.residual) {
    auto target = qdir / (plan.residual_name + std::string{reason_suffix});
    if (auto err = write_file_atomic(fs, target, encode_quarantine_record(*plan.residual), false))
      return err;
    if (auto err = fs.fsync_dir(qdir))
      return err;
  }
  // The job is back (durably) before its route key stops being poisoned.
  if (auto err = fs.rename_noreplace(qdir / name, layout.job_file(plan.stem)))
    return err;
  return fs.fsync_dir(layout.jobs_dir());
}

} // namespace

maybe_error resolve_quarantine(file_system& fs, const store_layout& layout, std::string_view entry,
                               quarantine_action action, std::string_view note,
                               std::string_view now) {
  if (!is_entry_name(entry))
    return refuse("not a quarantine entry name: " + std::string{entry});
  const std::string name{entry};
  std::string stamp = now.empty() ? now_rfc3339nano() : std::string{now};
  auto qdir = layout.quarantine_dir();
  auto file = qdir / name;
  auto reason = qdir / (name + std::string{reason_suffix});
  auto reason_bytes = fs.read_file(reason);
  if (std::holds_alternative<io_error>(reason_bytes))
    return refuse("no quarantine entry " + name + " (no reason file " + reason.string() + ")");
  std::optional<restore_plan> plan;
  if (action == quarantine_action::restore) {
    auto planned = plan_restore(fs, layout, name, std::get<std::string>(reason_bytes), stamp);
    if (auto* err = std::get_if<io_error>(&planned))
      return *err;
    plan = std::move(std::get<restore_plan>(planned));
  }
  // Every refusal is above: from here on the data dir changes.
  if (auto err = ensure_dir_durable(fs, resolved_dir(layout)))
    return err;
  if (auto err = write_resolution(fs, layout, entry, action, note, stamp))
    return err;
  if (plan) {
    if (auto err = apply_restore(fs, layout, name, *plan))
      return err;
  } else if (auto bytes = fs.read_file(file); std::holds_alternative<std::string>(bytes)) {
    if (auto err = fs.rename_noreplace(file, resolved_dir(layout) / name))
      return err;
  }
  if (auto err = fs.rename_noreplace(reason, resolved_dir(layout) / (name + std::string{reason_suffix})))
    return err;
  if (auto err = fs.fsync_dir(resolved_dir(layout)))
    return err;
  return fs.fsync_dir(qdir);
}

} // namespace covsigner::persistence
