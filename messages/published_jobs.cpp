#include "messages/published_jobs.hpp"

#include <functional>
#include <mutex>

namespace covsigner::messages {

std::size_t published_jobs::shard_of(const std::string& key) {
  return std::hash<std::string>{}(key) % shard_count;
}

void published_jobs::publish_owner(const std::string& route_key, const std::string& request_id,
                                   const std::string& request_digest) {
  auto& s = owners_[shard_of(route_key)];
  std::unique_lock lock{s.mutex};
  s.entries.insert_or_assign(route_key, owner{request_id, request_digest});
}

void published_jobs::publish_job(const covenant::job& j) {
  auto step = covenant::to_step_result(j);
  // Rendered here, on the publishing actor, so readers copy a pointer only.
  auto answer = std::make_shared<const published_answer>(
    published_answer{j.request_id, j.route, j.route_request_id, j.depositor_eth_address,
                     step.status, covenant::to_response_json(step)});
  auto& s = answers_[shard_of(j.request_id)];
  std::unique_lock lock{s.mutex};
  s.entries.insert_or_assign(j.request_id, std::move(answer));
}

std::shared_ptr<const published_answer>
published_jobs::answer(const std::string& request_id) const {
  const auto& s = answers_[shard_of(request_id)];
  std::shared_lock lock{s.mutex};
  auto it = s.entries.find(request_id);
  return it == s.entries.end() ? nullptr : it->second;
}

dedupe_lookup published_jobs::lookup(const std::string& route_key,
                                     const std::string& digest) const {
  std::string request_id;
  {
    const auto& s = owners_[shard_of(route_key)];
    std::shared_lock lock{s.mutex};
    auto it = s.entries.find(route_key);
    if (it == s.entries.end())
      return {};
    if (it->second.request_digest != digest)
      return {dedupe_lookup::kind::conflict, nullptr};
    request_id = it->second.request_id;
  }
  auto found = answer(request_id);
  if (!found)
    return {}; // e.g. a tombstoned key: the actors give the authoritative answer
  return {dedupe_lookup::kind::existing, std::move(found)};
}

} // namespace covsigner::messages
