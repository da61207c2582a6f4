// A handler's word to the connection loop that runs it: "close this
// connection after my response". A handler that refused a request body
// without reading it must say so, or the loop would parse the unread body
// bytes as the next request on the keep-alive connection. cpp-httplib's
// handlers do not see the connection, but they run synchronously on the
// loop's thread, so the word is a thread-local flag.
#pragma once

namespace covsigner::transport {

/// Asks the connection loop of the calling thread to close the connection
/// once the current response is written.
void close_connection_after_response();

/// For the connection loop: true if a handler on this thread asked since
/// the last call (and clears the request).
bool take_connection_close_request();

} // namespace covsigner::transport
