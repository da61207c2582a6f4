#include "persistence/store_lock.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <system_error>
#include <unistd.h>

namespace covsigner::persistence {

namespace {

io_error lock_error(const std::filesystem::path& lock_file, int code) {
  std::string message = "cannot acquire exclusive lock on [" + lock_file.string() +
                         "]: another process may already own the store: " +
                         std::strerror(code);
  return io_error{code, std::move(message)};
}

} // namespace

std::variant<store_lock, io_error> store_lock::acquire(const std::filesystem::path& lock_file) {
  std::error_code ec;
  auto dir = lock_file.parent_path();
  if (!dir.empty()) {
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return lock_error(lock_file, ec.value());
    // create_directories honours umask only; the reference creates 0700.
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return lock_error(lock_file, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int code = errno;
    ::close(fd);
    return lock_error(lock_file, code);
  }
  return store_lock{fd, lock_file};
}

std::variant<store_lock, io_error> store_lock::open(const std::filesystem::path& data_dir) {
  return acquire(data_dir / "covenant-signer-jobs" / ".lock");
}

store_lock::store_lock(store_lock&& other) noexcept
  : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

store_lock& store_lock::operator=(store_lock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

store_lock::~store_lock() {
  release();
}

void store_lock::release() {
  if (fd_ < 0)
    return;
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
  fd_ = -1;
}

} // namespace covsigner::persistence
