#include "transport/prepared_submits.hpp"

#include "crypto/sha256.hpp"

#include <mutex>

namespace covsigner::transport {

// SHA-256 over route, a separator no route contains, and the body.
std::string prepared_submits::key_of(std::string_view route, std::string_view body) {
  crypto::sha256_stream s;
  s.update(route).update(std::string_view{"\n", 1}).update(body);
  auto h = s.finish();
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

std::optional<messages::submit_command> prepared_submits::find(std::string_view route,
                                                               std::string_view body) const {
  if (capacity_ == 0)
    return std::nullopt;
  auto key = key_of(route, body);
  std::shared_lock<std::shared_mutex> guard{mutex_};
  auto it = commands_.find(key);
  if (it == commands_.end())
    return std::nullopt;
  return it->second;
}

void prepared_submits::remember(std::string_view route, std::string_view body,
                                const messages::submit_command& cmd) {
  if (capacity_ == 0)
    return;
  auto key = key_of(route, body);
  std::unique_lock<std::shared_mutex> guard{mutex_};
  if (!commands_.emplace(key, cmd).second)
    return;
  order_.push_back(std::move(key));
  while (order_.size() > capacity_) {
    commands_.erase(order_.front());
    order_.pop_front();
  }
}

} // namespace covsigner::transport
