// A memo of prepare_submit keyed by the exact bytes of (route, body). The
// pipeline is a pure function of those bytes for a fixed policy, so a body
// seen before — typically a client retrying its submit, i.e. a dedupe hit —
// skips decoding, validation and the two signature verifications (the
// dominant cost). The node still decides every submit: only the pure work
// is reused. The digest binds the body to the one already validated, as
// DESIGN's dedupe fast path requires.
//
// Valid only while the pipeline has no time-dependent checks: the caller
// must not use it when plan-quote trust roots (freshness) or a signer
// approval verifier (certificate expiry) are configured.
#pragma once

#include "messages/node.hpp"

#include <cstddef>
#include <deque>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace covsigner::transport {

class prepared_submits {
public:
  explicit prepared_submits(std::size_t capacity = 4096) : capacity_(capacity) {}

  /// The command prepared earlier from these bytes, if remembered.
  std::optional<messages::submit_command> find(std::string_view route,
                                               std::string_view body) const;

  /// Remembers a successfully prepared command; the oldest entries are
  /// forgotten beyond the capacity.
  void remember(std::string_view route, std::string_view body,
                const messages::submit_command& cmd);

private:
  static std::string key_of(std::string_view route, std::string_view body);

  std::size_t capacity_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, messages::submit_command> commands_;
  std::deque<std::string> order_;
};

} // namespace covsigner::transport
