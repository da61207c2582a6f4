// Which submits this process has already answered with a job: route key
// (`route:routeRequestId`) -> request digest. A submit whose key and digest
// are here is a dedupe hit (the node answers the stored job and signs
// nothing), so it is not charged to the submit budget. Bounded: the oldest
// entries are forgotten first; a forgotten or pre-restart key only costs
// one budget token the first time it is seen again.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace covsigner::transport {

class known_submissions {
public:
  explicit known_submissions(std::size_t capacity = 1u << 16) : capacity_(capacity) {}

  /// True when `route_key` was answered with a job of this `digest`.
  bool contains(const std::string& route_key, const std::string& digest) const;

  /// Records an answered submit (replaces an older digest for the key).
  void remember(const std::string& route_key, const std::string& digest);

private:
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> digests_;
  std::deque<std::string> order_;
};

} // namespace covsigner::transport
