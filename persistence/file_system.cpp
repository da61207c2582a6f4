#include "persistence/file_system.hpp"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <stdio.h> // renameat2, RENAME_NOREPLACE (glibc >= 2.28)
#include <sys/stat.h>
#include <unistd.h>

namespace covsigner::persistence {

namespace {

struct fd_closer {
  int fd;
  ~fd_closer() {
    if (fd >= 0)
      ::close(fd);
  }
};

// Closes `fd`, reporting a close error: on some file systems close is where
// a deferred write error surfaces.
maybe_error close_checked(int& fd, const std::filesystem::path& p) {
  int rc = ::close(fd);
  fd = -1;
  if (rc != 0 && errno != EINTR)
    return make_io_error(errno, "close", p.string());
  return std::nullopt;
}

dir_entry::kind kind_of(const struct stat& st) {
  if (S_ISREG(st.st_mode))
    return dir_entry::kind::regular;
  if (S_ISDIR(st.st_mode))
    return dir_entry::kind::directory;
  return dir_entry::kind::other;
}

} // namespace

std::variant<std::string, io_error> posix_file_system::read_file(const path& p) {
  fd_closer f{::open(p.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0)
    return make_io_error(errno, "open", p.string());
  struct stat st {};
  if (::fstat(f.fd, &st) != 0)
    return make_io_error(errno, "stat", p.string());
  if (S_ISDIR(st.st_mode))
    return make_io_error(EISDIR, "read", p.string());
  // Read straight into the result, sized from fstat (+1 to see EOF in the
  // same call); a file that grows meanwhile is still read to its end.
  std::string out;
  std::size_t capacity = st.st_size > 0 ? static_cast<std::size_t>(st.st_size) + 1 : 4096;
  out.resize(capacity);
  std::size_t used = 0;
  for (;;) {
    if (used == out.size())
      out.resize(out.size() * 2);
    ssize_t n = ::read(f.fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return make_io_error(errno, "read", p.string());
    }
    if (n == 0)
      break;
    used += static_cast<std::size_t>(n);
  }
  out.resize(used);
  return out;
}

namespace {

// Creates or truncates `p` and writes all of `bytes`; fsyncs when `sync`.
maybe_error write_whole_file(const std::filesystem::path& p, std::string_view bytes, bool sync) {
  fd_closer f{::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
  if (f.fd < 0)
    return make_io_error(errno, "create", p.string());
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(f.fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return make_io_error(errno, "write", p.string());
    }
    done += static_cast<std::size_t>(n);
  }
  if (sync && ::fsync(f.fd) != 0)
    return make_io_error(errno, "fsync", p.string());
  return close_checked(f.fd, p);
}

} // namespace

maybe_error posix_file_system::write_file_synced(const path& p, std::string_view bytes) {
  return write_whole_file(p, bytes, true);
}

maybe_error posix_file_system::write_file_unsynced(const path& p, std::string_view bytes) {
  return write_whole_file(p, bytes, false);
}

namespace {

// Holds the descriptor from open_sync_barrier on, so syncfs reports every
// writeback error recorded since then (the descriptor's errseq cursor).
class posix_sync_barrier final : public sync_barrier {
public:
  posix_sync_barrier(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~posix_sync_barrier() override { ::close(fd_); } // read-only: nothing to report
  posix_sync_barrier(const posix_sync_barrier&) = delete;
  posix_sync_barrier& operator=(const posix_sync_barrier&) = delete;

  maybe_error sync() override {
    if (::syncfs(fd_) != 0)
      return make_io_error(errno, "syncfs", path_);
    return std::nullopt;
  }

private:
  int fd_;
  std::string path_;
};

} // namespace

std::variant<std::unique_ptr<sync_barrier>, io_error>
posix_file_system::open_sync_barrier(const path& any_path) {
  int fd = ::open(any_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return make_io_error(errno, "open for syncfs", any_path.string());
  return std::make_unique<posix_sync_barrier>(fd, any_path.string());
}

maybe_error posix_file_system::rename(const path& from, const path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    return make_io_error(errno, "rename " + from.string() + " to", to.string());
  return std::nullopt;
}

maybe_error posix_file_system::rename_noreplace(const path& from, const path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0)
    return make_io_error(errno, "rename (no replace) " + from.string() + " to", to.string());
  return std::nullopt;
}

maybe_error posix_file_system::fsync_dir(const path& dir) {
  fd_closer f{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (f.fd < 0)
    return make_io_error(errno, "open directory", dir.string());
  if (::fsync(f.fd) != 0)
    return make_io_error(errno, "fsync directory", dir.string());
  return close_checked(f.fd, dir);
}

std::variant<std::vector<dir_entry>, io_error> posix_file_system::list_dir(const path& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> d{::opendir(dir.c_str()), ::closedir};
  if (!d)
    return make_io_error(errno, "list directory", dir.string());
  std::vector<dir_entry> out;
  for (;;) {
    errno = 0;
    struct dirent* e = ::readdir(d.get());
    if (!e) {
      if (errno != 0)
        return make_io_error(errno, "list directory", dir.string());
      break;
    }
    std::string_view name = e->d_name;
    if (name == "." || name == "..")
      continue;
    dir_entry entry{std::string{name}, dir_entry::kind::other};
    // The type readdir reports is lstat's (a symlink is DT_LNK, never
    // followed); only file systems that do not report it cost a stat.
    switch (e->d_type) {
      case DT_REG:
        entry.type = dir_entry::kind::regular;
        break;
      case DT_DIR:
        entry.type = dir_entry::kind::directory;
        break;
      case DT_UNKNOWN: {
        struct stat st {};
        if (::fstatat(::dirfd(d.get()), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
          entry.type = kind_of(st);
        break;
      }
      default:
        break;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::variant<dir_entry::kind, io_error> posix_file_system::entry_kind(const path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0)
    return make_io_error(errno, "stat", p.string());
  return kind_of(st);
}

maybe_error posix_file_system::remove(const path& p) {
  if (::unlink(p.c_str()) != 0)
    return make_io_error(errno, "remove", p.string());
  return std::nullopt;
}

maybe_error posix_file_system::make_dir(const path& p) {
  if (::mkdir(p.c_str(), 0700) != 0)
    return make_io_error(errno, "mkdir", p.string());
  return std::nullopt;
}

std::variant<store_lock, io_error> posix_file_system::make_lock(const path& lock_file) {
  return store_lock::acquire(lock_file);
}

maybe_error ensure_dir_durable(file_system& fs, const std::filesystem::path& dir) {
  if (dir.empty())
    return std::nullopt;
  auto kind = fs.entry_kind(dir);
  if (auto* k = std::get_if<dir_entry::kind>(&kind)) {
    if (*k == dir_entry::kind::directory)
      return std::nullopt;
    return make_io_error(ENOTDIR, "not a directory:", dir.string());
  }
  if (std::get<io_error>(kind).code != ENOENT)
    return std::get<io_error>(kind);
  auto parent = dir.parent_path();
  if (parent != dir) {
    if (auto err = ensure_dir_durable(fs, parent))
      return err;
  }
  if (auto err = fs.make_dir(dir); err && err->code != EEXIST)
    return err;
  return fs.fsync_dir(parent.empty() ? std::filesystem::path{"."} : parent);
}

std::filesystem::path temp_path_for(const std::filesystem::path& target) {
  return target.parent_path() / (".tmp-" + target.filename().string() + ".tmp");
}

bool is_temp_name(std::string_view name) {
  return name.starts_with(".tmp-");
}

maybe_error write_file_atomic(file_system& fs, const std::filesystem::path& target,
                              std::string_view bytes, bool replace) {
  auto temp = temp_path_for(target);
  if (auto err = fs.write_file_synced(temp, bytes)) {
    fs.remove(temp); // best effort: a leftover is removed at the next load
    return err;
  }
  auto err = replace ? fs.rename(temp, target) : fs.rename_noreplace(temp, target);
  if (err)
    fs.remove(temp);
  return err;
}

} // namespace covsigner::persistence
