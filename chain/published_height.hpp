// The host chain height as chain_head last fetched it, published for
// readers outside the actor system (the HTTP workers check certificate
// expiry on every request that carries one, without an actor round trip).
// chain_head writes; anyone reads. Thread-safe. A chain_head that stops
// (crashed past its restart budget) publishes nothing more, so its last
// height turns stale after the maximum age: readers fail closed.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace covsigner::chain {

/// One reading: the height if it is fresh, otherwise why not.
struct height_reading {
  bool fresh = false;
  std::uint64_t height = 0;   // last fetched height (0 when none yet)
  std::uint64_t age_ms = 0;   // since it was fetched
  std::string cause;          // set when !fresh: names chain_head and the staleness
};

class published_height {
public:
  /// `max_age`: older readings are not fresh (chain_head's maximum age).
  explicit published_height(std::chrono::milliseconds max_age = std::chrono::seconds(10));

  /// chain_head fetched `height` at `at`.
  void publish(std::uint64_t height, std::chrono::steady_clock::time_point at);
  /// chain_head's last refresh failed with `cause` (the cached height, if
  /// any, keeps ageing).
  void publish_failure(std::string cause);

  /// The reading at `now`. Stale or unknown readings carry a cause like
  /// "chain_head: host chain height 1234 is stale: fetched 12000 ms ago,
  /// maximum age 10000 ms; last error: ...".
  height_reading read(std::chrono::steady_clock::time_point now =
                        std::chrono::steady_clock::now()) const;

  std::chrono::milliseconds max_age() const { return max_age_; }

private:
  mutable std::mutex mutex_;
  std::chrono::milliseconds max_age_;
  std::optional<std::uint64_t> height_;
  std::chrono::steady_clock::time_point fetched_at_{};
  std::string last_error_;
};

} // namespace covsigner::chain
