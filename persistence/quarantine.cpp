#include "persistence/quarantine.hpp"

#include "covenant/canonical_json.hpp"
#include "persistence/job_file.hpp"
#include "persistence/timestamp.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>

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

maybe_error resolve_quarantine(file_system& fs, const store_layout& layout, std::string_view entry,
                               quarantine_action action, std::string_view note,
                               std::string_view now) {
  if (!is_entry_name(entry))
    return refuse("not a quarantine entry name: " + std::string{entry});
  std::string stamp = now.empty() ? now_rfc3339nano() : std::string{now};
  auto qdir = layout.quarantine_dir();
  auto file = qdir / std::string{entry};
  auto reason = qdir / (std::string{entry} + std::string{reason_suffix});
  if (auto bytes = fs.read_file(reason); std::holds_alternative<io_error>(bytes))
    return refuse("no quarantine entry " + std::string{entry} + " (no reason file " +
                  reason.string() + ")");
  if (auto err = ensure_dir_durable(fs, resolved_dir(layout)))
    return err;

  if (action == quarantine_action::restore) {
    std::string name{entry};
    if (!name.ends_with(".json"))
      return refuse("only a job file (<requestId>.json) can be restored: " + name);
    auto bytes = fs.read_file(file);
    if (auto* err = std::get_if<io_error>(&bytes))
      return *err;
    auto decoded = decode_job_file(std::get<std::string>(bytes));
    if (auto* d = std::get_if<decode_error>(&decoded))
      return refuse(name + " still does not decode as a job (" + std::string{to_string(d->kind)} +
                    ": " + d->message + "); repair it first");
    auto stem = name.substr(0, name.size() - 5);
    if (std::get<covenant::job>(decoded).request_id != stem)
      return refuse(name + " holds request id " + std::get<covenant::job>(decoded).request_id);
    if (auto err = write_resolution(fs, layout, entry, action, note, stamp))
      return err;
    // The job is back (durably) before its route key stops being poisoned.
    if (auto err = fs.rename_noreplace(file, layout.job_file(stem)))
      return err;
    if (auto err = fs.fsync_dir(layout.jobs_dir()))
      return err;
  } else {
    if (auto err = write_resolution(fs, layout, entry, action, note, stamp))
      return err;
    if (auto bytes = fs.read_file(file); std::holds_alternative<std::string>(bytes))
      if (auto err = fs.rename_noreplace(file, resolved_dir(layout) / std::string{entry}))
        return err;
  }
  if (auto err = fs.rename_noreplace(reason, resolved_dir(layout) /
                                               (std::string{entry} + std::string{reason_suffix})))
    return err;
  if (auto err = fs.fsync_dir(resolved_dir(layout)))
    return err;
  return fs.fsync_dir(qdir);
}

} // namespace covsigner::persistence
