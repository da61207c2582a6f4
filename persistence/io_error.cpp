#include "persistence/io_error.hpp"

#include <cstring>

namespace covsigner::persistence {

io_error make_io_error(int code, std::string_view what, std::string_view path) {
  std::string message;
  message.append(what).append(" ").append(path).append(": ").append(std::strerror(code));
  return io_error{code, std::move(message)};
}

} // namespace covsigner::persistence
