// Token buckets per client identity (the index of the bearer token that
// authenticated the request), one bucket set per budget. The reference has
// two buckets shared by every caller (§1.4); here one client cannot spend
// another's budget, and a refused request learns when to retry.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace covsigner::transport {

/// A budget: `per_minute` tokens added per minute, at most `burst` saved.
/// per_minute == 0 means unlimited.
struct rate_budget {
  double per_minute = 0;
  double burst = 0;
};

/// One bucket (x/time/rate semantics): starts full; `take` spends one token
/// or says how long until one is available. Not thread-safe on its own.
class token_bucket {
public:
  using clock = std::chrono::steady_clock;

  token_bucket(rate_budget budget, clock::time_point now);

  /// Spends one token; nullopt on success, else the wait until a token is
  /// there (at least one second, rounded up, for Retry-After).
  std::optional<std::chrono::seconds> take(clock::time_point now);

  /// Gives one token back (never above the burst).
  void refund(clock::time_point now);

private:
  void refill(clock::time_point now);

  rate_budget budget_;
  double tokens_;
  clock::time_point last_;
};

/// Buckets of one budget, one per client identity, created on first use.
/// Thread-safe. Identities are small integers (token indexes), so the map
/// cannot grow beyond the number of configured tokens.
class rate_limiter {
public:
  explicit rate_limiter(rate_budget budget) : budget_(budget) {}

  bool unlimited() const { return budget_.per_minute <= 0; }

  /// As token_bucket::take for `identity`'s bucket.
  std::optional<std::chrono::seconds> take(std::size_t identity,
                                           token_bucket::clock::time_point now =
                                             token_bucket::clock::now());
  void refund(std::size_t identity,
              token_bucket::clock::time_point now = token_bucket::clock::now());

private:
  rate_budget budget_;
  std::mutex mutex_;
  std::unordered_map<std::size_t, token_bucket> buckets_;
};

} // namespace covsigner::transport
