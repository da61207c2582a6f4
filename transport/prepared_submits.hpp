// A memo of prepare_submit keyed by the exact bytes of (route, body). The
// pipeline is a pure function of those bytes for a fixed policy, except for
// its time-bound checks (plan-quote freshness, certificate expiry against
// the host-chain height). So a body seen before — typically a client
// retrying its submit, i.e. a dedupe hit — skips decoding, validation and
// the signature verifications (the dominant cost) and re-runs only the
// time-bound checks, as DESIGN.md's dedupe fast path requires: a remembered
// command is returned only while the quote has not expired and a fresh
// height is at or below the certificate's endBlock; otherwise the caller
// runs the full pipeline, which gives the reference's answer. The node
// still decides every submit it is asked; only the pure work is reused.
#pragma once

#include "messages/node.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace covsigner::transport {

/// The moment a memo hit is judged at.
struct memo_clock {
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  /// The host chain's height when fresh; nullopt: unknown or stale.
  std::optional<std::uint64_t> height;
};

class prepared_submits {
public:
  explicit prepared_submits(std::size_t capacity = 4096) : capacity_(capacity) {}

  /// The command prepared earlier from these bytes, if remembered and its
  /// time-bound checks still pass at `clock`.
  std::optional<messages::submit_command> find(std::string_view route, std::string_view body,
                                               const memo_clock& clock = {}) const;

  /// Remembers a successfully prepared command; the oldest entries are
  /// forgotten beyond the capacity.
  void remember(std::string_view route, std::string_view body,
                const messages::submit_command& cmd);

private:
  static std::string key_of(std::string_view route, std::string_view body);

  // What a remembered command's validity depends on beyond its bytes.
  struct entry {
    messages::submit_command command;
    std::optional<std::int64_t> quote_expires_ms;       // migrationPlanQuote.expiresAt
    std::optional<std::uint64_t> certificate_end_block; // signerApproval.endBlock
  };
  static bool still_valid(const entry& e, const memo_clock& clock);

  std::size_t capacity_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, entry> commands_;
  std::deque<std::string> order_;
};

} // namespace covsigner::transport
