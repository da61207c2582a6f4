#include "chain/published_height.hpp"

namespace covsigner::chain {

published_height::published_height(std::chrono::milliseconds max_age) : max_age_(max_age) {}

void published_height::publish(std::uint64_t height, std::chrono::steady_clock::time_point at) {
  std::lock_guard lock(mutex_);
  height_ = height;
  fetched_at_ = at;
  last_error_.clear();
}

void published_height::publish_failure(std::string cause) {
  std::lock_guard lock(mutex_);
  last_error_ = std::move(cause);
}

height_reading published_height::read(std::chrono::steady_clock::time_point now) const {
  std::lock_guard lock(mutex_);
  height_reading r;
  auto suffix = last_error_.empty() ? std::string() : "; last error: " + last_error_;
  if (!height_) {
    r.cause = "chain_head: host chain height is not known yet" + suffix;
    return r;
  }
  auto age = std::chrono::duration_cast<std::chrono::milliseconds>(now - fetched_at_);
  if (age.count() < 0)
    age = std::chrono::milliseconds(0);
  r.height = *height_;
  r.age_ms = static_cast<std::uint64_t>(age.count());
  r.fresh = age <= max_age_;
  if (!r.fresh)
    r.cause = "chain_head: host chain height " + std::to_string(r.height) +
              " is stale: fetched " + std::to_string(r.age_ms) + " ms ago, maximum age " +
              std::to_string(max_age_.count()) + " ms" + suffix;
  return r;
}

} // namespace covsigner::chain
