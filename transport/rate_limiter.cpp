#include "transport/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace covsigner::transport {

token_bucket::token_bucket(rate_budget budget, clock::time_point now)
  : budget_(budget), tokens_(std::max(budget.burst, 1.0)), last_(now) {}

void token_bucket::refill(clock::time_point now) {
  if (now <= last_)
    return;
  double minutes = std::chrono::duration<double>(now - last_).count() / 60.0;
  tokens_ = std::min(std::max(budget_.burst, 1.0), tokens_ + minutes * budget_.per_minute);
  last_ = now;
}

std::optional<std::chrono::seconds> token_bucket::take(clock::time_point now) {
  if (budget_.per_minute <= 0)
    return std::nullopt;
  refill(now);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return std::nullopt;
  }
  double seconds = (1.0 - tokens_) * 60.0 / budget_.per_minute;
  return std::chrono::seconds{std::max<long long>(1, static_cast<long long>(std::ceil(seconds)))};
}

void token_bucket::refund(clock::time_point now) {
  refill(now);
  tokens_ = std::min(std::max(budget_.burst, 1.0), tokens_ + 1.0);
}

std::optional<std::chrono::seconds> rate_limiter::take(std::size_t identity,
                                                       token_bucket::clock::time_point now) {
  if (unlimited())
    return std::nullopt;
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = buckets_.try_emplace(identity, budget_, now).first;
  return it->second.take(now);
}

void rate_limiter::refund(std::size_t identity, token_bucket::clock::time_point now) {
  if (unlimited())
    return;
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = buckets_.try_emplace(identity, budget_, now).first;
  it->second.refund(now);
}

} // namespace covsigner::transport
