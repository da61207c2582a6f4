#include "persistence/power_cut_file_system.hpp"

#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

namespace covsigner::persistence {

// A simulated inode. Files: `content` is what survives a power cut.
// Directories: `durable` holds the entries as of the last fsync_dir.
struct power_cut_file_system::node {
  bool is_dir = false;
  std::string content;                // durable contents
  std::optional<std::string> pending; // written, not yet synced
  std::map<std::string, node_ptr> durable;
};

namespace {

std::string parent_of(const std::string& rel) {
  auto slash = rel.rfind('/');
  return slash == std::string::npos ? std::string{} : rel.substr(0, slash);
}

std::string name_of(const std::string& rel) {
  auto slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

std::string child_prefix(const std::string& dir) {
  return dir.empty() ? std::string{} : dir + "/";
}

bool write_plain(const std::filesystem::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

} // namespace

power_cut_file_system::power_cut_file_system(std::filesystem::path root) : root_(std::move(root)) {
  durable_root_ = std::make_shared<node>();
  durable_root_->is_dir = true;
  current_[""] = durable_root_;
  // Everything present now is durable: mirror the tree into the model.
  for (auto it = std::filesystem::recursive_directory_iterator(root_);
       it != std::filesystem::recursive_directory_iterator(); ++it) {
    std::string r = rel(it->path());
    auto n = std::make_shared<node>();
    if (it->is_directory()) {
      n->is_dir = true;
    } else {
      std::ifstream in(it->path(), std::ios::binary);
      n->content.assign(std::istreambuf_iterator<char>(in), {});
    }
    current_[r] = n;
    current_[parent_of(r)]->durable[name_of(r)] = n;
  }
}

std::string power_cut_file_system::rel(const path& p) const {
  std::string r = p.lexically_normal().lexically_relative(root_.lexically_normal()).generic_string();
  if (r == ".")
    return {};
  if (!r.empty() && r.back() == '/')
    r.pop_back();
  return r;
}

std::optional<io_error> power_cut_file_system::gate(const path& p, bool mutating) {
  if (dead_)
    return make_io_error(EIO, "simulated power loss:", p.string());
  if (mutating) {
    if (die_in_) {
      if (*die_in_ == 0) {
        dead_ = true;
        die_in_.reset();
        return make_io_error(EIO, "simulated power loss:", p.string());
      }
      --*die_in_;
    }
    ++counters_.mutations;
  }
  return std::nullopt;
}

std::variant<std::string, io_error> power_cut_file_system::read_file(const path& p) {
  {
    std::lock_guard lock{mutex_};
    if (auto err = gate(p, false))
      return *err;
  }
  return posix_file_system{}.read_file(p);
}

void power_cut_file_system::before_mutation() {
  std::function<void(std::size_t)> hook;
  std::size_t done = 0;
  {
    std::lock_guard lock{mutex_};
    if (dead_)
      return; // a dead machine has no further states
    hook = before_mutation_hook_;
    done = counters_.mutations;
  }
  if (hook)
    hook(done);
}

maybe_error power_cut_file_system::write_file_synced(const path& p, std::string_view bytes) {
  before_mutation();
  std::lock_guard lock{mutex_};
  if (auto err = gate(p, true))
    return err;
  ++counters_.writes;
  auto target = node_for_write_locked(p);
  if (auto* err = std::get_if<io_error>(&target))
    return *err;
  node_ptr n = std::get<node_ptr>(target);
  // Injected write failure: the file exists (created/truncated), empty.
  if (fail_write_in_ && --*fail_write_in_ == 0) {
    fail_write_in_.reset();
    write_plain(p, {});
    n->content.clear();
    return make_io_error(fail_write_code_, "write", p.string());
  }
  if (!write_plain(p, bytes))
    return make_io_error(EIO, "write", p.string());
  ++counters_.file_fsyncs;
  if (fail_fsync_in_ && --*fail_fsync_in_ == 0) {
    fail_fsync_in_.reset();
    // After a failed fsync the contents are unknown: none or all of them.
    if (fail_fsync_outcome_ == failed_sync_outcome::persisted)
      n->content.assign(bytes);
    else
      n->content.clear();
    n->pending.reset();
    return make_io_error(fail_fsync_code_, "fsync", p.string());
  }
  n->content.assign(bytes);
  n->pending.reset();
  after_write_locked();
  return std::nullopt;
}

void power_cut_file_system::after_write_locked() {
  if (!fail_writeback_in_ || --*fail_writeback_in_ != 0)
    return;
  fail_writeback_in_.reset();
  // The kernel marks the pages clean after the failed writeback: what was
  // pending never reaches the disk, not even with a later sync.
  for (auto& [r, n] : current_) {
    if (!n->pending)
      continue;
    n->content.clear();
    n->pending.reset();
  }
  ++writeback_errors_;
  writeback_error_code_ = fail_writeback_code_;
}

std::variant<power_cut_file_system::node_ptr, io_error>
power_cut_file_system::node_for_write_locked(const path& p) {
  std::string r = rel(p);
  auto parent = current_.find(parent_of(r));
  if (parent == current_.end() || !parent->second->is_dir)
    return make_io_error(ENOENT, "create", p.string());
  auto existing = current_.find(r);
  if (existing != current_.end() && existing->second->is_dir)
    return make_io_error(EISDIR, "create", p.string());
  node_ptr n = existing != current_.end() ? existing->second : std::make_shared<node>();
  current_[r] = n;
  return n;
}

maybe_error power_cut_file_system::write_file_unsynced(const path& p, std::string_view bytes) {
  before_mutation();
  std::lock_guard lock{mutex_};
  if (auto err = gate(p, true))
    return err;
  ++counters_.writes;
  auto target = node_for_write_locked(p);
  if (auto* err = std::get_if<io_error>(&target))
    return *err;
  node_ptr n = std::get<node_ptr>(target);
  if (fail_write_in_ && --*fail_write_in_ == 0) {
    fail_write_in_.reset();
    write_plain(p, {});
    n->pending = std::string{};
    return make_io_error(fail_write_code_, "write", p.string());
  }
  if (!write_plain(p, bytes))
    return make_io_error(EIO, "write", p.string());
  n->pending = std::string{bytes};
  after_write_locked();
  return std::nullopt;
}

class power_cut_file_system::barrier final : public sync_barrier {
public:
  barrier(power_cut_file_system& fs, path p, std::size_t seen)
    : fs_(fs), path_(std::move(p)), seen_(seen) {}
  maybe_error sync() override { return fs_.barrier_sync(path_, seen_); }

private:
  power_cut_file_system& fs_;
  path path_;
  std::size_t seen_; // the errseq cursor sampled at open, advanced by sync
};

std::variant<std::unique_ptr<sync_barrier>, io_error>
power_cut_file_system::open_sync_barrier(const path& any_path) {
  std::lock_guard lock{mutex_};
  if (auto err = gate(any_path, false))
    return *err;
  if (!current_.count(rel(any_path)))
    return make_io_error(ENOENT, "open for syncfs", any_path.string());
  return std::make_unique<barrier>(*this, any_path, writeback_errors_);
}

maybe_error power_cut_file_system::barrier_sync(const path& p, std::size_t& seen) {
  std::function<void(const path&)> hook;
  {
    std::lock_guard lock{mutex_};
    hook = fsync_dir_hook_;
  }
  if (hook)
    hook(p);
  before_mutation();
  std::lock_guard lock{mutex_};
  if (auto err = gate(p, true))
    return err;
  ++counters_.fs_syncs;
  bool failed = fail_fsync_in_ && --*fail_fsync_in_ == 0;
  if (failed) {
    fail_fsync_in_.reset();
    if (fail_fsync_outcome_ == failed_sync_outcome::persisted) {
      sync_everything_locked();
    } else {
      // Nothing written since the last sync is known.
      for (auto& [r, n] : current_) {
        if (!n->pending)
          continue;
        n->content.clear();
        n->pending.reset();
      }
    }
    seen = writeback_errors_;
    return make_io_error(fail_fsync_code_, "syncfs", p.string());
  }
  sync_everything_locked();
  // errseq: an error recorded since this descriptor last looked is
  // reported once; the sync itself still ran (what the failed writeback
  // dropped stays lost).
  if (seen != writeback_errors_) {
    seen = writeback_errors_;
    return make_io_error(writeback_error_code_, "syncfs", p.string());
  }
  return std::nullopt;
}

void power_cut_file_system::sync_everything_locked() {
  for (auto& [r, n] : current_) {
    if (!n->pending)
      continue;
    n->content = std::move(*n->pending);
    n->pending.reset();
  }
  // Every directory's durable entries become its current entries.
  for (auto& [r, n] : current_) {
    if (!n->is_dir)
      continue;
    std::map<std::string, node_ptr> entries;
    std::string prefix = child_prefix(r);
    for (auto c = current_.lower_bound(prefix); c != current_.end() && c->first.starts_with(prefix);
         ++c) {
      if (c->first.empty())
        continue;
      std::string rest = c->first.substr(prefix.size());
      if (rest.find('/') == std::string::npos)
        entries[rest] = c->second;
    }
    n->durable = std::move(entries);
  }
}

maybe_error power_cut_file_system::rename(const path& from, const path& to) {
  before_mutation();
  std::lock_guard lock{mutex_};
  return rename_locked(from, to);
}

maybe_error power_cut_file_system::rename_locked(const path& from, const path& to) {
  if (auto err = gate(to, true))
    return err;
  ++counters_.renames;
  if (auto err = posix_file_system{}.rename(from, to))
    return err;
  std::string f = rel(from), t = rel(to);
  // Move `f` and everything below it to `t`, dropping what `t` held.
  std::map<std::string, node_ptr> moved;
  for (auto it = current_.begin(); it != current_.end();) {
    const std::string& k = it->first;
    bool under_t = k == t || k.starts_with(t + "/");
    bool under_f = k == f || k.starts_with(f + "/");
    if (under_f)
      moved[t + k.substr(f.size())] = it->second;
    if (under_f || under_t)
      it = current_.erase(it);
    else
      ++it;
  }
  current_.insert(moved.begin(), moved.end());
  return std::nullopt;
}

maybe_error power_cut_file_system::rename_noreplace(const path& from, const path& to) {
  before_mutation();
  std::lock_guard lock{mutex_};
  if (current_.count(rel(to))) {
    if (auto err = gate(to, true))
      return err;
    ++counters_.renames;
    return make_io_error(EEXIST, "rename (no replace) " + from.string() + " to", to.string());
  }
  return rename_locked(from, to);
}

maybe_error power_cut_file_system::fsync_dir(const path& dir) {
  std::function<void(const path&)> hook;
  {
    std::lock_guard lock{mutex_};
    hook = fsync_dir_hook_;
  }
  if (hook)
    hook(dir);
  before_mutation();
  std::lock_guard lock{mutex_};
  if (auto err = gate(dir, true))
    return err;
  ++counters_.dir_fsyncs;
  std::string r = rel(dir);
  auto it = current_.find(r);
  if (it == current_.end() || !it->second->is_dir)
    return make_io_error(ENOENT, "open directory", dir.string());
  std::optional<io_error> injected;
  if (fail_fsync_in_ && --*fail_fsync_in_ == 0) {
    fail_fsync_in_.reset();
    injected = make_io_error(fail_fsync_code_, "fsync directory", dir.string());
    // A failed directory fsync may still have written the entries.
    if (fail_fsync_outcome_ == failed_sync_outcome::lost)
      return injected;
  }
  std::map<std::string, node_ptr> entries;
  std::string prefix = child_prefix(r);
  for (auto c = current_.lower_bound(prefix); c != current_.end() && c->first.starts_with(prefix); ++c) {
    if (c->first.empty())
      continue; // the root itself
    std::string rest = c->first.substr(prefix.size());
    if (rest.find('/') == std::string::npos)
      entries[rest] = c->second;
  }
  it->second->durable = std::move(entries);
  return injected;
}

std::variant<std::vector<dir_entry>, io_error> power_cut_file_system::list_dir(const path& dir) {
  {
    std::lock_guard lock{mutex_};
    if (auto err = gate(dir, false))
      return *err;
  }
  return posix_file_system{}.list_dir(dir);
}

std::variant<dir_entry::kind, io_error> power_cut_file_system::entry_kind(const path& p) {
  {
    std::lock_guard lock{mutex_};
    if (auto err = gate(p, false))
      return *err;
  }
  return posix_file_system{}.entry_kind(p);
}

maybe_error power_cut_file_system::remove(const path& p) {
  before_mutation();
  std::lock_guard lock{mutex_};
  if (auto err = gate(p, true))
    return err;
  ++counters_.removes;
  if (auto err = posix_file_system{}.remove(p))
    return err;
  current_.erase(rel(p));
  return std::nullopt;
}

maybe_error power_cut_file_system::make_dir(const path& p) {
  before_mutation();
  std::lock_guard lock{mutex_};
  if (auto err = gate(p, true))
    return err;
  if (auto err = posix_file_system{}.make_dir(p))
    return err;
  auto n = std::make_shared<node>();
  n->is_dir = true;
  current_[rel(p)] = n;
  return std::nullopt;
}

std::variant<store_lock, io_error> power_cut_file_system::make_lock(const path& lock_file) {
  std::lock_guard lock{mutex_};
  if (auto err = gate(lock_file, false))
    return *err;
  auto result = store_lock::acquire(lock_file);
  if (std::holds_alternative<store_lock>(result)) {
    std::string r = rel(lock_file);
    if (!current_.count(r))
      current_[r] = std::make_shared<node>(); // a new, not yet durable, entry
  }
  return result;
}

void power_cut_file_system::collect(const std::string& prefix, const node_ptr& dir, durable_tree& out) const {
  for (const auto& [name, child] : dir->durable) {
    std::string r = prefix + name;
    if (child->is_dir) {
      out[r] = std::nullopt;
      collect(r + "/", child, out);
    } else {
      out[r] = child->content;
    }
  }
}

power_cut_file_system::durable_tree power_cut_file_system::durable_state() const {
  std::lock_guard lock{mutex_};
  durable_tree out;
  collect({}, durable_root_, out);
  return out;
}

void power_cut_file_system::materialize(const durable_tree& tree, const std::filesystem::path& root) {
  // Map order puts a directory before everything below it.
  for (const auto& [r, content] : tree) {
    if (!content)
      std::filesystem::create_directory(root / r);
    else
      write_plain(root / r, *content);
  }
}

void power_cut_file_system::reindex(const std::string& prefix, const node_ptr& dir) {
  for (const auto& [name, child] : dir->durable) {
    current_[prefix + name] = child;
    if (child->is_dir)
      reindex(prefix + name + "/", child);
  }
}

void power_cut_file_system::power_cut() {
  std::lock_guard lock{mutex_};
  durable_tree tree;
  collect({}, durable_root_, tree);
  for (const auto& entry : std::filesystem::directory_iterator(root_))
    std::filesystem::remove_all(entry.path());
  materialize(tree, root_);
  // What survived is, by definition, durable now: directories' durable
  // entries already equal the rebuilt tree, file contents are the durable ones.
  current_.clear();
  current_[""] = durable_root_;
  reindex({}, durable_root_);
  for (auto& [r, n] : current_)
    n->pending.reset();
  dead_ = false;
  die_in_.reset();
  fail_fsync_in_.reset();
  fail_write_in_.reset();
  fail_writeback_in_.reset();
}

void power_cut_file_system::set_before_mutation_hook(std::function<void(std::size_t)> hook) {
  std::lock_guard lock{mutex_};
  before_mutation_hook_ = std::move(hook);
}

void power_cut_file_system::fail_nth_fsync(std::size_t nth, int code, failed_sync_outcome outcome) {
  std::lock_guard lock{mutex_};
  fail_fsync_in_ = nth;
  fail_fsync_code_ = code;
  fail_fsync_outcome_ = outcome;
}

void power_cut_file_system::fail_writeback_after_write(std::size_t nth, int code) {
  std::lock_guard lock{mutex_};
  fail_writeback_in_ = nth;
  fail_writeback_code_ = code;
}

std::size_t power_cut_file_system::writeback_errors() const {
  std::lock_guard lock{mutex_};
  return writeback_errors_;
}

void power_cut_file_system::fail_nth_write(std::size_t nth, int code) {
  std::lock_guard lock{mutex_};
  fail_write_in_ = nth;
  fail_write_code_ = code;
}

void power_cut_file_system::die_after(std::size_t n) {
  std::lock_guard lock{mutex_};
  die_in_ = n;
}

bool power_cut_file_system::dead() const {
  std::lock_guard lock{mutex_};
  return dead_;
}

void power_cut_file_system::set_fsync_dir_hook(std::function<void(const path&)> hook) {
  std::lock_guard lock{mutex_};
  fsync_dir_hook_ = std::move(hook);
}

power_cut_file_system::counters power_cut_file_system::stats() const {
  std::lock_guard lock{mutex_};
  return counters_;
}

} // namespace covsigner::persistence
