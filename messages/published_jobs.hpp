// published_jobs: what the node has made durable, readable from any thread
// without asking an actor. It serves DESIGN.md's dedupe fast path: a client
// retrying a submit it already got an answer for is answered by the HTTP
// worker (or an embedder's thread) from here, with no actor round trip.
//
// Two owners publish, each what it owns:
//   * route_registry: route key -> owner (request id, request digest), once
//     the key is live (its job durable). Keys that are creating, poisoned
//     or tombstoned are never published, so they always reach the actors.
//   * job_store: request id -> the job's latest durable answer (its
//     StepResult rendered as the HTTP body), after every durable write.
// A reader sees a hit only when both are there, i.e. only durable state,
// and never a state older than one it could have seen before (each
// publication replaces the previous one under the shard's lock).
//
// Thread safety: every member may be called from any thread.
#pragma once

#include "covenant/job.hpp"

#include <array>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace covsigner::messages {

/// One job's latest durable answer.
struct published_answer {
  std::string request_id;
  std::string route;
  std::string route_request_id;
  std::string depositor_eth_address; // pinned at submit; polls verify D against it
  std::string status;        // PENDING | READY | FAILED (StepResult status)
  std::string response_json; // covenant::to_response_json of its StepResult
};

/// The outcome of a fast-path lookup for (route key, digest).
struct dedupe_lookup {
  enum class kind {
    unknown,  // not live or not yet published: ask the node
    existing, // live with the same digest: `answer` is the stored job
    conflict, // live with another digest: 400 conflict
  };
  kind outcome = kind::unknown;
  std::shared_ptr<const published_answer> answer; // set for `existing`
};

class published_jobs {
public:
  published_jobs() = default;
  published_jobs(const published_jobs&) = delete;
  published_jobs& operator=(const published_jobs&) = delete;

  /// route_registry: `route_key` is live and owned by `request_id`.
  void publish_owner(const std::string& route_key, const std::string& request_id,
                     const std::string& request_digest);

  /// job_store: `j` is durable in this state.
  void publish_job(const covenant::job& j);

  /// The fast-path decision for a submit of `route_key` with `digest`.
  dedupe_lookup lookup(const std::string& route_key, const std::string& digest) const;

  /// The latest durable answer for `request_id`, if published.
  std::shared_ptr<const published_answer> answer(const std::string& request_id) const;

private:
  struct owner {
    std::string request_id;
    std::string request_digest;
  };
  template <class Value>
  struct shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<std::string, Value> entries;
  };
  static constexpr std::size_t shard_count = 32;
  template <class Value>
  using shards = std::array<shard<Value>, shard_count>;

  static std::size_t shard_of(const std::string& key);

  shards<owner> owners_;                                       // by route key
  shards<std::shared_ptr<const published_answer>> answers_;    // by request id
};

} // namespace covsigner::messages
