// The error value every persistence operation returns instead of throwing.
#pragma once

#include <optional>
#include <string>

namespace covsigner::persistence {

/// An I/O failure: `code` is the errno value (EIO, ENOSPC, EEXIST, ...; 0
/// only for errors that have no errno, such as a corrupt file during
/// migration), `message` names the operation and the path.
struct io_error {
  int code = 0;
  std::string message;

  friend bool operator==(const io_error&, const io_error&) = default;
};

/// nullopt = success. Used by operations that return nothing else.
using maybe_error = std::optional<io_error>;

/// Builds "<what> <path>: <strerror(code)>".
io_error make_io_error(int code, std::string_view what, std::string_view path);

} // namespace covsigner::persistence
