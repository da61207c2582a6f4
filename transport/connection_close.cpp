#include "transport/connection_close.hpp"

namespace covsigner::transport {

namespace {
thread_local bool close_requested = false;
}

void close_connection_after_response() {
  close_requested = true;
}

bool take_connection_close_request() {
  bool requested = close_requested;
  close_requested = false;
  return requested;
}

} // namespace covsigner::transport
