#include "transport/known_submissions.hpp"

namespace covsigner::transport {

bool known_submissions::contains(const std::string& route_key, const std::string& digest) const {
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = digests_.find(route_key);
  return it != digests_.end() && it->second == digest;
}

void known_submissions::remember(const std::string& route_key, const std::string& digest) {
  if (capacity_ == 0)
    return;
  std::lock_guard<std::mutex> guard{mutex_};
  auto [it, inserted] = digests_.insert_or_assign(route_key, digest);
  if (!inserted)
    return;
  order_.push_back(route_key);
  while (order_.size() > capacity_) {
    digests_.erase(order_.front());
    order_.pop_front();
  }
}

} // namespace covsigner::transport
