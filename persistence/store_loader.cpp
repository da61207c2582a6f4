#include "persistence/store_loader.hpp"

#include "covenant/canonical_json.hpp"
#include "persistence/audit_log.hpp"
#include "persistence/parallel_pass.hpp"
#include "persistence/quarantine.hpp"
#include "persistence/timestamp.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <set>
#include <unordered_map>

namespace covsigner::persistence {

namespace json = boost::json;

namespace {

// The loader's name for a quarantine record (persistence/quarantine.hpp).
using reason_record = quarantine_record;

std::string strip_suffix(std::string_view name, std::string_view suffix) {
  return std::string{name.substr(0, name.size() - suffix.size())};
}

// What the parallel pass learned about one job file: everything the rules
// need, computed without touching shared state, so the rules themselves can
// run in sorted-name order on one thread.
struct job_read {
  std::optional<std::string> unreadable;     // why, when it could not be read
  std::optional<decode_error> decode_failed; // when it is not a job
  std::optional<covenant::job> job;          // when it is
  std::optional<std::string> recovered_key;  // readable-prefix key, when not a job
  std::string checksum;                      // SHA-256 of the bytes, when no valid marker vouches for it
};

// Files handled per parallel pass: bounds the decoded-but-not-yet-applied
// results held at once.
constexpr std::size_t load_chunk = 4096;

template <class T>
std::vector<dir_entry> sorted(std::vector<T> entries) {
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return entries;
}

// A route marker file found in routes/.
struct marker_entry {
  std::filesystem::path file;
  std::string bytes;                  // kept only when damaged (prefix recovery)
  std::optional<route_marker> marker; // nullopt = unreadable or damaged
  std::string problem;                // why, when damaged
  bool used = false;                  // consumed by its job file
};

struct candidate {
  covenant::job job;
  // SHA-256 of the file, for a marker backfill; only computed when the job
  // has no valid marker (keeping every file's bytes would double the RSS).
  std::string checksum;
  std::filesystem::path file;
  marker_entry* marker = nullptr; // valid marker of this job, if any
};

// True when `a` wins over `b` for the same route key: a valid updatedAt beats
// an invalid one, the newer valid one wins, and the smaller request id breaks
// every remaining tie. A strict total order, so the winner does not depend on
// the order the directory lists files in.
bool wins_over(const covenant::job& a, const covenant::job& b) {
  auto ta = parse_rfc3339nano(a.updated_at);
  auto tb = parse_rfc3339nano(b.updated_at);
  if (ta.has_value() != tb.has_value())
    return ta.has_value();
  if (ta && *ta != *tb)
    return *ta > *tb;
  return a.request_id < b.request_id;
}

// Why `j` may already carry a signature, or nullopt when it cannot: it is
// SIGNING or READY, or FAILED for a reason a job can have after SIGNING, or
// the audit log names it (a signature was asked for, whatever the file
// says). POLICY_REJECTED and INVALID_INPUT are only given before a
// signature is asked for (here and in the Go node); every other FAILED
// counts, so an unknown reason fails closed.
std::optional<std::string> signing_evidence(const covenant::job& j, const std::set<std::string>& audited) {
  using covenant::job_state;
  if (audited.count(j.request_id))
    return "named by the audit log";
  std::string state{covenant::to_string(j.state)};
  switch (j.state) {
    case job_state::signing:
    case job_state::artifact_ready:
    case job_state::handoff_ready:
      return "state " + state;
    case job_state::failed:
      if (j.reason == covenant::failure_reason::policy_rejected ||
          j.reason == covenant::failure_reason::invalid_input)
        return std::nullopt;
      return "state " + state + "/" + j.reason;
    default:
      return std::nullopt;
  }
}

class loader {
public:
  loader(file_system& fs, const store_layout& layout, std::string now)
    : fs_(fs), layout_(layout), now_(std::move(now)) {}

  std::variant<loaded_store, io_error> run() {
    // First, so a log that cannot be read fails the load before it changes
    // anything.
    if (auto err = read_audit_log())
      return *err;
    if (auto err = scan_quarantine())
      return *err;
    if (auto err = scan_markers())
      return *err;
    if (auto err = scan_tombstones())
      return *err;
    if (auto err = scan_jobs())
      return *err;
    if (auto err = resolve_duplicates())
      return *err;
    if (auto err = orphan_markers())
      return *err;
    if (auto err = finish_winners())
      return *err;
    finish_summary();
    return std::move(out_);
  }

private:
  maybe_error remove_temp(const std::filesystem::path& p) {
    if (auto err = fs_.remove(p); err && err->code != ENOENT)
      return err;
    ++out_.summary.temp_files_removed;
    return std::nullopt;
  }

  void record(const reason_record& r) {
    ++out_.summary.quarantined_by_reason[r.reason];
    ++out_.summary.quarantined_total;
    if (r.poisons)
      for (const auto& k : r.route_keys)
        out_.poisoned.emplace(k, r.reason);
    if (r.unattributable)
      out_.unattributable_corruption = true;
  }

  std::string free_quarantine_name(const std::string& base) {
    auto taken = [&](const std::string& n) {
      return quarantine_names_.count(n) || quarantine_names_.count(n + ".reason") ||
             quarantine_names_.count(n + ".marker");
    };
    std::string name = base;
    for (int i = 1; taken(name); ++i)
      name = base + "." + std::to_string(i);
    quarantine_names_.insert(name);
    quarantine_names_.insert(name + ".reason");
    quarantine_names_.insert(name + ".marker");
    return name;
  }

  // Moves `primary` (and `marker`, if given) into quarantine/ after a durable
  // reason file, then records what the reason means.
  maybe_error quarantine(const std::filesystem::path& primary, const std::filesystem::path* marker,
                         reason_record r) {
    std::string name = free_quarantine_name(primary.filename().string());
    auto qdir = layout_.quarantine_dir();
    r.file = primary.filename().string();
    r.quarantined_at = now_;
    r.unattributable = r.route_keys.empty() && r.poisons;
    if (r.unattributable)
      r.poisons = false;
    if (auto err = write_file_atomic(fs_, qdir / (name + ".reason"), encode_quarantine_record(r), false))
      return err;
    // The reason must be durable before the file leaves its directory, so
    // a crash never loses the poison that the file stood for.
    if (auto err = fs_.fsync_dir(qdir))
      return err;
    if (auto err = fs_.rename_noreplace(primary, qdir / name))
      return err;
    dirty_.insert(primary.parent_path());
    if (marker) {
      if (auto err = fs_.rename_noreplace(*marker, qdir / (name + ".marker")))
        return err;
      dirty_.insert(marker->parent_path());
    }
    quarantine_dirty_ = true;
    ++out_.summary.quarantined_now;
    record(r);
    return std::nullopt;
  }

  maybe_error read_audit_log() {
    auto ids = read_audited_request_ids(fs_, audit_log_path(layout_.data_dir));
    if (auto* err = std::get_if<io_error>(&ids))
      return *err;
    audited_ = std::move(std::get<std::set<std::string>>(ids));
    return std::nullopt;
  }

  maybe_error scan_quarantine() {
    auto qdir = layout_.quarantine_dir();
    auto listed = fs_.list_dir(qdir);
    if (auto* err = std::get_if<io_error>(&listed))
      return *err;
    for (const auto& e : sorted(std::get<std::vector<dir_entry>>(listed))) {
      if (is_temp_name(e.name)) {
        if (auto err = remove_temp(qdir / e.name))
          return err;
        continue;
      }
      quarantine_names_.insert(e.name);
      if (!e.name.ends_with(".reason"))
        continue;
      auto bytes = fs_.read_file(qdir / e.name);
      std::optional<reason_record> r;
      if (auto* b = std::get_if<std::string>(&bytes))
        r = decode_quarantine_record(*b);
      if (!r) {
        // Our own record, unreadable: we no longer know which key it
        // protected, so nothing may be created until an operator looks.
        r = reason_record{e.name, "unknown", "reason file cannot be read", {}, false, true, {}};
      }
      record(*r);
    }
    return std::nullopt;
  }

  maybe_error scan_markers() {
    auto dir = layout_.routes_dir();
    auto listed = fs_.list_dir(dir);
    if (auto* err = std::get_if<io_error>(&listed))
      return *err;
    std::vector<dir_entry> names;
    for (auto& e : sorted(std::move(std::get<std::vector<dir_entry>>(listed)))) {
      if (is_temp_name(e.name)) {
        if (auto err = remove_temp(dir / e.name))
          return err;
        continue;
      }
      if (e.name.ends_with(".route"))
        names.push_back(std::move(e));
    }
    // Read and decode in parallel (no shared state), then index.
    std::vector<marker_entry> entries(names.size());
    parallel_for_index(names.size(), load_pass_threads(), [&](std::size_t i) {
      const dir_entry& e = names[i];
      marker_entry& m = entries[i];
      m.file = dir / e.name;
      auto bytes = e.type == dir_entry::kind::regular
                     ? fs_.read_file(m.file)
                     : std::variant<std::string, io_error>{io_error{EINVAL, "not a regular file"}};
      if (auto* err = std::get_if<io_error>(&bytes)) {
        m.problem = "unreadable: " + err->message;
        return;
      }
      auto decoded = decode_route_marker(std::get<std::string>(bytes));
      std::string_view stem = std::string_view{e.name}.substr(0, e.name.size() - 6);
      if (auto* d = std::get_if<decode_error>(&decoded))
        m.problem = std::string{to_string(d->kind)} + ": " + d->message;
      else if (std::get<route_marker>(decoded).request_id != stem)
        m.problem = "marker names request id " + std::get<route_marker>(decoded).request_id;
      else
        m.marker = std::move(std::get<route_marker>(decoded));
      if (!m.marker)
        m.bytes = std::move(std::get<std::string>(bytes));
    });
    markers_.reserve(names.size());
    for (std::size_t i = 0; i < names.size(); ++i)
      markers_.emplace(strip_suffix(names[i].name, ".route"), std::move(entries[i]));
    return std::nullopt;
  }

  maybe_error scan_tombstones() {
    auto dir = layout_.tombstones_dir();
    auto listed = fs_.list_dir(dir);
    if (auto* err = std::get_if<io_error>(&listed))
      return *err;
    for (const auto& e : sorted(std::get<std::vector<dir_entry>>(listed))) {
      auto p = dir / e.name;
      if (is_temp_name(e.name)) {
        if (auto err = remove_temp(p))
          return err;
        continue;
      }
      if (!e.name.ends_with(".tombstone"))
        continue;
      std::string stem = strip_suffix(e.name, ".tombstone");
      auto bytes = e.type == dir_entry::kind::regular
                     ? fs_.read_file(p)
                     : std::variant<std::string, io_error>{io_error{EINVAL, "not a regular file"}};
      std::string problem;
      std::optional<std::string> key;
      if (auto* err = std::get_if<io_error>(&bytes)) {
        problem = "unreadable: " + err->message;
      } else {
        auto decoded = decode_tombstone(std::get<std::string>(bytes));
        if (auto* d = std::get_if<decode_error>(&decoded)) {
          problem = std::string{to_string(d->kind)} + ": " + d->message;
          key = recover_route_key(std::get<std::string>(bytes));
        } else if (std::get<tombstone>(decoded).request_id != stem) {
          problem = "tombstone names request id " + std::get<tombstone>(decoded).request_id;
          key = std::get<tombstone>(decoded).route_key();
        } else {
          auto& t = tombstones_.emplace(stem, std::get<tombstone>(decoded)).first->second;
          // Name order: the smallest request id names the key's tombstone.
          tombstone_keys_.emplace(t.route_key(), &t);
          continue;
        }
      }
      reason_record r;
      r.reason = quarantine_reason::damaged_tombstone;
      r.detail = problem;
      if (key)
        r.route_keys.push_back(*key);
      r.poisons = true;
      if (auto err = quarantine(p, nullptr, r))
        return err;
    }
    return std::nullopt;
  }

  maybe_error scan_jobs() {
    auto dir = layout_.jobs_dir();
    auto listed = fs_.list_dir(dir);
    if (auto* err = std::get_if<io_error>(&listed))
      return *err;
    std::vector<dir_entry> names;
    for (auto& e : sorted(std::move(std::get<std::vector<dir_entry>>(listed)))) {
      if (is_temp_name(e.name)) {
        if (e.type == dir_entry::kind::regular) {
          if (auto err = remove_temp(dir / e.name))
            return err;
        }
        continue;
      }
      if (!e.name.ends_with(".json"))
        continue; // .lock, our sub-directories, foreign files (as Go does)
      names.push_back(std::move(e));
    }
    // Chunks: read and decode a chunk in parallel, then apply the rules to
    // it in name order on this thread (the only one that changes anything).
    std::vector<job_read> reads;
    for (std::size_t begin = 0; begin < names.size(); begin += load_chunk) {
      std::size_t n = std::min(load_chunk, names.size() - begin);
      reads.assign(n, job_read{});
      parallel_for_index(n, load_pass_threads(),
                         [&](std::size_t i) { read_job_file(dir, names[begin + i], reads[i]); });
      for (std::size_t i = 0; i < n; ++i) {
        const dir_entry& e = names[begin + i];
        if (auto err = load_job_file(dir / e.name, e, reads[i]))
          return err;
      }
    }
    return std::nullopt;
  }

  // The parallel part of a job file's load: read, decode, and whatever
  // derived value the rules may need. Reads markers_ only (no writer runs
  // during the pass).
  void read_job_file(const std::filesystem::path& dir, const dir_entry& e, job_read& r) const {
    if (e.type != dir_entry::kind::regular) {
      r.unreadable = "not a regular file";
      return;
    }
    auto read = fs_.read_file(dir / e.name);
    if (auto* err = std::get_if<io_error>(&read)) {
      r.unreadable = err->message;
      return;
    }
    const std::string& bytes = std::get<std::string>(read);
    auto decoded = decode_job_file(bytes);
    if (auto* d = std::get_if<decode_error>(&decoded)) {
      r.decode_failed = std::move(*d);
      r.recovered_key = recover_route_key(bytes);
      return;
    }
    r.job = std::move(std::get<covenant::job>(decoded));
    auto m = markers_.find(strip_suffix(e.name, ".json"));
    if (m == markers_.end() || !m->second.marker)
      r.checksum = sha256_hex(bytes); // a marker will be backfilled from it
  }

  maybe_error load_job_file(const std::filesystem::path& p, const dir_entry& e, job_read& read) {
    std::string stem = strip_suffix(e.name, ".json");
    auto m = markers_.find(stem);
    marker_entry* entry = m != markers_.end() ? &m->second : nullptr;
    const route_marker* marker = entry && entry->marker ? &*entry->marker : nullptr;

    reason_record r;
    r.poisons = true;
    std::optional<covenant::job>& job = read.job;
    if (read.unreadable) {
      r.reason = quarantine_reason::unreadable;
      r.detail = *read.unreadable;
    } else if (read.decode_failed) {
      r.reason = std::string{to_string(read.decode_failed->kind)};
      r.detail = read.decode_failed->message;
    } else if (job->request_id != stem) {
      r.reason = quarantine_reason::name_mismatch;
      r.detail = "file holds request id " + job->request_id;
    } else if (marker && (marker->route_key() != job->route_key() ||
                          marker->request_digest != job->request_digest)) {
      r.reason = quarantine_reason::marker_mismatch;
      r.detail = "marker says " + marker->route_key() + " " + marker->request_digest + ", file says " +
                 job->route_key() + " " + job->request_digest;
    } else {
      auto t = tombstones_.find(stem);
      if (t != tombstones_.end())
        return complete_prune(p, entry);
      if (entry && !marker) {
        // A damaged marker beside a valid job file: the file attributes
        // itself; keep the marker as evidence and backfill a new one.
        reason_record mr{{}, std::string{quarantine_reason::damaged_marker}, entry->problem, {}, false, false, {}};
        if (auto err = quarantine(entry->file, nullptr, mr))
          return err;
        entry->used = true;
        entry = nullptr;
      }
      if (entry)
        entry->used = true;
      // Here `entry` is set only when its marker is valid; otherwise the
      // pass computed the checksum the backfilled marker needs.
      auto key = job->route_key();
      candidates_[std::move(key)].push_back(
        candidate{std::move(*job), entry ? std::string{} : std::move(read.checksum), p, entry});
      return std::nullopt;
    }
    // The file is quarantined; find every key it may stand for.
    if (marker)
      r.route_keys.push_back(marker->route_key());
    if (job) {
      if (!marker || marker->route_key() != job->route_key())
        r.route_keys.push_back(job->route_key());
    } else if (!marker && read.recovered_key) {
      r.route_keys.push_back(*read.recovered_key);
    }
    std::filesystem::path marker_file;
    if (entry) {
      entry->used = true;
      marker_file = entry->file;
    }
    return quarantine(p, entry ? &marker_file : nullptr, r);
  }

  maybe_error complete_prune(const std::filesystem::path& job_file, marker_entry* entry) {
    if (auto err = fs_.remove(job_file); err && err->code != ENOENT)
      return err;
    dirty_.insert(job_file.parent_path());
    if (entry) {
      entry->used = true;
      if (auto err = fs_.remove(entry->file); err && err->code != ENOENT)
        return err;
      dirty_.insert(entry->file.parent_path());
    }
    ++out_.summary.prunes_completed;
    return std::nullopt;
  }

  // Every route key's copies: a key a tombstone holds keeps none of them;
  // otherwise one wins (resolve_key).
  maybe_error resolve_duplicates() {
    winners_.reserve(candidates_.size());
    for (auto& [key, group] : candidates_) {
      auto t = tombstone_keys_.find(key);
      auto err = t != tombstone_keys_.end() ? quarantine_beside_tombstone(key, *t->second, group)
                                            : resolve_key(key, group);
      if (err)
        return err;
    }
    return std::nullopt;
  }

  // A pruned key never reopens, and a live job of another id beside its
  // tombstone means a double create: neither may be answered as the key's
  // job, and the live one must never be resumed or signed. It is kept as
  // evidence and poisons the key.
  maybe_error quarantine_beside_tombstone(const std::string& key, const tombstone& t,
                                          std::vector<candidate>& group) {
    for (auto& c : group) {
      reason_record r;
      r.reason = quarantine_reason::tombstoned_key;
      r.detail = "route key " + key + " was pruned as " + t.request_id + " (tombstone, final state " +
                 std::string{covenant::to_string(t.final_state)} + "); this job of another request id (state " +
                 std::string{covenant::to_string(c.job.state)} +
                 ") is not loaded, so it is never resumed or signed";
      r.route_keys.push_back(key);
      r.poisons = true;
      if (auto err = quarantine_candidate(c, std::move(r)))
        return err;
    }
    return std::nullopt;
  }

  // One key's copies. A copy that may carry a signature outranks every copy
  // that cannot (so no other copy is ever resumed and signed); among equals
  // wins_over decides. Two copies that may carry a signature are ambiguous:
  // the winner stays loaded for its polls, and each other such copy poisons
  // the key until an operator resolves it.
  maybe_error resolve_key(const std::string& key, std::vector<candidate>& group) {
    std::vector<std::optional<std::string>> evidence;
    for (const auto& c : group)
      evidence.push_back(signing_evidence(c.job, audited_));
    auto outranks = [&](std::size_t a, std::size_t b) {
      if (evidence[a].has_value() != evidence[b].has_value())
        return evidence[a].has_value();
      return wins_over(group[a].job, group[b].job);
    };
    std::size_t best = 0;
    for (std::size_t i = 1; i < group.size(); ++i)
      if (outranks(i, best))
        best = i;
    const std::string& kept = group[best].job.request_id;
    for (std::size_t i = 0; i < group.size(); ++i) {
      if (i == best)
        continue;
      reason_record r;
      r.route_keys.push_back(key);
      if (evidence[i] && evidence[best]) {
        r.reason = quarantine_reason::ambiguous_duplicate;
        r.detail = "route key " + key + ": this copy (" + *evidence[i] + ") and " + kept + " (" +
                   *evidence[best] + ") may both have been signed; " + kept +
                   " stays loaded for its polls, and the key refuses submits until an operator "
                   "resolves it";
        r.poisons = true;
      } else {
        r.reason = quarantine_reason::duplicate;
        r.detail = "route key " + key + " is also held by " + kept +
                   (evidence[best] ? " (kept: " + *evidence[best] + ", may have been signed)" : " (kept)");
        r.poisons = false; // the winner holds the key; nothing is lost
      }
      if (auto err = quarantine_candidate(group[i], std::move(r)))
        return err;
    }
    winners_.push_back(std::move(group[best]));
    return std::nullopt;
  }

  // Quarantines a valid job that does not load (with its marker); counted
  // as a duplicate, since a double create once happened.
  maybe_error quarantine_candidate(candidate& c, reason_record r) {
    std::filesystem::path marker_file;
    if (c.marker)
      marker_file = c.marker->file;
    if (auto err = quarantine(c.file, c.marker ? &marker_file : nullptr, std::move(r)))
      return err;
    ++out_.summary.duplicates;
    return std::nullopt;
  }

  maybe_error orphan_markers() {
    // Name order, so quarantine names do not depend on hashing.
    std::vector<std::pair<const std::string*, marker_entry*>> unused;
    for (auto& [stem, entry] : markers_)
      if (!entry.used)
        unused.emplace_back(&stem, &entry);
    std::sort(unused.begin(), unused.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
    for (auto [stem_ptr, entry_ptr] : unused) {
      const std::string& stem = *stem_ptr;
      marker_entry& entry = *entry_ptr;
      if (entry.used)
        continue;
      if (tombstones_.count(stem)) {
        // Prune interrupted after the job file was removed.
        if (auto err = fs_.remove(entry.file); err && err->code != ENOENT)
          return err;
        dirty_.insert(entry.file.parent_path());
        ++out_.summary.prunes_completed;
        continue;
      }
      reason_record r;
      r.poisons = true;
      if (entry.marker) {
        r.reason = quarantine_reason::missing_job_file;
        r.detail = "acknowledged job " + stem + " has no job file";
        r.route_keys.push_back(entry.marker->route_key());
      } else {
        r.reason = quarantine_reason::damaged_marker;
        r.detail = entry.problem;
        if (auto key = recover_route_key(entry.bytes))
          r.route_keys.push_back(*key);
      }
      if (auto err = quarantine(entry.file, nullptr, r))
        return err;
    }
    return std::nullopt;
  }

  maybe_error finish_winners() {
    for (auto& w : winners_) {
      const bool signing = w.job.state == covenant::job_state::signing;
      // The audit log outranks the file: a non-terminal job it names had a
      // signature asked for (e.g. a file rolled back from a backup).
      const bool audited = !covenant::is_terminal(w.job.state) && audited_.count(w.job.request_id);
      if (signing || audited) {
        // A signature may exist: never sign this request again.
        covenant::job_transition t;
        t.state = covenant::job_state::failed;
        t.detail = std::string{covenant::interrupted_detail};
        t.reason = std::string{covenant::failure_reason::provider_failed};
        covenant::apply_transition(w.job, t, now_);
        auto bytes = encode_job_file(w.job);
        if (auto err = write_file_atomic(fs_, w.file, bytes, true))
          return err;
        w.checksum = sha256_hex(bytes);
        dirty_.insert(w.file.parent_path());
        ++(signing ? out_.summary.interrupted_signing : out_.summary.interrupted_audited);
      }
    }
    // Evidence first, then the directories it left.
    if (quarantine_dirty_) {
      if (auto err = fs_.fsync_dir(layout_.quarantine_dir()))
        return err;
    }
    for (const auto& dir : {layout_.tombstones_dir(), layout_.jobs_dir()}) {
      if (dirty_.count(dir)) {
        if (auto err = fs_.fsync_dir(dir))
          return err;
      }
    }
    // Backfill markers only now that the job files are durable.
    for (auto& w : winners_) {
      if (w.marker)
        continue;
      route_marker m{w.job.request_id, w.job.route, w.job.route_request_id, w.job.request_digest,
                     w.checksum};
      if (auto err = write_file_atomic(fs_, layout_.marker_file(w.job.request_id), encode_route_marker(m), true))
        return err;
      dirty_.insert(layout_.routes_dir());
      ++out_.summary.markers_backfilled;
    }
    if (dirty_.count(layout_.routes_dir())) {
      if (auto err = fs_.fsync_dir(layout_.routes_dir()))
        return err;
    }
    out_.jobs.reserve(winners_.size());
    for (auto& w : winners_)
      out_.jobs.push_back(std::move(w.job));
    std::sort(out_.jobs.begin(), out_.jobs.end(),
              [](const auto& a, const auto& b) { return a.request_id < b.request_id; });
    for (auto& [stem, t] : tombstones_)
      out_.tombstones.push_back(t);
    return std::nullopt;
  }

  void finish_summary() {
    auto& s = out_.summary;
    s.jobs_loaded = out_.jobs.size();
    std::string line = "store loaded: " + std::to_string(s.jobs_loaded) + " jobs, " +
                       std::to_string(s.quarantined_total) + " quarantined";
    if (s.quarantined_total > 0) {
      line += " (";
      bool first = true;
      for (const auto& [reason, n] : s.quarantined_by_reason) {
        if (!first)
          line += ", ";
        first = false;
        line += reason + ": " + std::to_string(n);
      }
      line += ")";
    }
    line += ", " + std::to_string(out_.poisoned.size()) + " route keys poisoned";
    if (s.duplicates > 0)
      line += "; " + std::to_string(s.duplicates) + " duplicate jobs quarantined";
    if (out_.unattributable_corruption)
      line += "; unattributable corruption: new submits refused";
    out_.summary_line = std::move(line);
  }

  file_system& fs_;
  const store_layout& layout_;
  std::string now_;
  loaded_store out_;
  std::set<std::string> quarantine_names_;
  // By request id; hashed (100,000 lookups of ids sharing long prefixes),
  // so every pass over it sorts first.
  std::unordered_map<std::string, marker_entry> markers_;
  std::map<std::string, tombstone> tombstones_;     // by request id
  std::map<std::string, const tombstone*> tombstone_keys_; // route key -> into tombstones_
  std::set<std::string> audited_; // request ids the audit log names
  std::map<std::string, std::vector<candidate>> candidates_; // by route key
  std::vector<candidate> winners_;
  std::set<std::filesystem::path> dirty_;
  bool quarantine_dirty_ = false;
};

} // namespace

std::variant<loaded_store, io_error> load_store(file_system& fs, const store_layout& layout,
                                                std::string_view now) {
  loader l{fs, layout, now.empty() ? now_rfc3339nano() : std::string{now}};
  return l.run();
}

std::vector<covenant::job> resumable_jobs(const loaded_store& loaded) {
  std::vector<covenant::job> out;
  for (const auto& job : loaded.jobs)
    if (job.state == covenant::job_state::submitted && !loaded.poisoned.count(job.route_key()))
      out.push_back(job);
  return out;
}

std::variant<opened_store, io_error> open_store(file_system& fs, const store_layout& layout,
                                                std::string_view now) {
  if (auto err = ensure_dir_durable(fs, layout.jobs_dir()))
    return *err;
  auto lock = fs.make_lock(layout.lock_file());
  if (auto* err = std::get_if<io_error>(&lock))
    return *err;
  // From here on, every early return destroys `lock`, releasing the flock.
  opened_store out{std::move(std::get<store_lock>(lock)), {}, {}};
  if (auto err = ensure_store_dirs(fs, layout))
    return *err;
  auto migrated = migrate_legacy_jobs(fs, layout);
  if (auto* err = std::get_if<io_error>(&migrated))
    return *err;
  out.migration = std::move(std::get<migration_report>(migrated));
  auto loaded = load_store(fs, layout, now);
  if (auto* err = std::get_if<io_error>(&loaded))
    return *err;
  out.loaded = std::move(std::get<loaded_store>(loaded));
  return out;
}

} // namespace covsigner::persistence
