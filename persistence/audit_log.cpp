#include "persistence/audit_log.hpp"

#include <boost/json.hpp>

#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace covsigner::persistence {

std::filesystem::path audit_log_path(const std::filesystem::path& data_dir) {
  return data_dir / "covenant-signer-audit.log";
}

std::string format_audit_line(const audit_entry& entry) {
  boost::json::object o;
  o["time"] = entry.time;
  o["requestId"] = entry.request_id;
  o["sighash"] = entry.sighash;
  o["txid"] = entry.txid;
  return boost::json::serialize(o) + "\n";
}

std::optional<audit_entry> parse_audit_line(std::string_view line) {
  if (line.ends_with('\n'))
    line.remove_suffix(1);
  boost::json::error_code ec;
  auto value = boost::json::parse(line, ec);
  if (ec || !value.is_object())
    return std::nullopt;
  const auto& o = value.as_object();
  if (o.size() != 4)
    return std::nullopt;
  audit_entry e;
  for (auto [key, field] : {std::pair{"time", &e.time}, std::pair{"requestId", &e.request_id},
                            std::pair{"sighash", &e.sighash}, std::pair{"txid", &e.txid}}) {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_string())
      return std::nullopt;
    *field = std::string{it->value().as_string()};
  }
  return e;
}

maybe_error append_audit_entry(const std::filesystem::path& path, const audit_entry& entry) {
  const std::string line = format_audit_line(entry);
  const bool existed = ::access(path.c_str(), F_OK) == 0;
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return make_io_error(errno, "cannot open audit log", path.string());
  std::size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return make_io_error(err, "cannot append to audit log", path.string());
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return make_io_error(err, "cannot fsync audit log", path.string());
  }
  if (::close(fd) != 0)
    return make_io_error(errno, "cannot close audit log", path.string());
  if (!existed) {
    // The new directory entry must survive a crash too.
    auto dir = path.parent_path().empty() ? std::filesystem::path{"."} : path.parent_path();
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
      return make_io_error(errno, "cannot open directory", dir.string());
    int rc = ::fsync(dfd);
    int err = errno;
    ::close(dfd);
    if (rc != 0)
      return make_io_error(err, "cannot fsync directory", dir.string());
  }
  return std::nullopt;
}

std::variant<std::vector<audit_entry>, io_error> read_audit_log(const std::filesystem::path& path) {
  std::vector<audit_entry> out;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return out;
  std::ifstream in(path);
  if (!in)
    return make_io_error(errno, "cannot read audit log", path.string());
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    auto entry = parse_audit_line(line);
    if (!entry)
      return io_error{0, "audit log " + path.string() + " line " + std::to_string(number) +
                           " is not an audit entry"};
    out.push_back(std::move(*entry));
  }
  return out;
}

std::set<std::string> audited_request_ids(std::string_view log) {
  // format_audit_line writes no whitespace, and request ids never need
  // escaping, so the field is always spelled exactly like this.
  constexpr std::string_view field = "\"requestId\":\"";
  std::set<std::string> ids;
  for (auto at = log.find(field); at != std::string_view::npos; at = log.find(field, at)) {
    at += field.size();
    auto end = log.find('"', at);
    if (end == std::string_view::npos)
      break; // torn inside the id: what is left names no complete id
    if (end > at)
      ids.emplace(log.substr(at, end - at));
    at = end;
  }
  return ids;
}

std::variant<std::set<std::string>, io_error> read_audited_request_ids(file_system& fs,
                                                                      const std::filesystem::path& path) {
  auto bytes = fs.read_file(path);
  if (auto* err = std::get_if<io_error>(&bytes)) {
    if (err->code == ENOENT)
      return std::set<std::string>{};
    return io_error{err->code, "cannot read the audit log, which says which jobs may have been signed: " +
                                 err->message};
  }
  return audited_request_ids(std::get<std::string>(bytes));
}

} // namespace covsigner::persistence
