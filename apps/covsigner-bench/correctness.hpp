// The check after every run, on the disk itself (the node stopped): one
// scan of the data dir with the node's own loader (persistence::open_store,
// which takes the store lock) and then
//   * exactly one job per route key: the loader found no duplicate route
//     keys on disk, and every key acknowledged with 200 answered one
//     request id only;
//   * every acknowledged requestId is present, under its route key;
//   * no job for a key the bench never sent; nothing quarantined or
//     poisoned.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace covsigner::bench {

/// What the clients saw, sharded by load thread (no lock on the hot path).
class ack_log {
public:
  explicit ack_log(std::size_t workers) : shards_(workers) {}
  /// A submit for `route_key` was sent.
  void sent(std::size_t worker, const std::string& route_key) { shards_[worker].sent.insert(route_key); }
  /// A 200 answered `request_id` for `route_key`.
  void acked(std::size_t worker, const std::string& route_key, const std::string& request_id) {
    shards_[worker].acked[route_key].insert(request_id);
  }

  struct merged {
    std::set<std::string> sent;
    std::map<std::string, std::set<std::string>> acked;
  };
  merged merge() const;

private:
  struct shard {
    std::set<std::string> sent;
    std::map<std::string, std::set<std::string>> acked;
  };
  std::vector<shard> shards_;
};

struct correctness_report {
  bool passed = false;
  /// Which check ran: "store scan" (our own stopped node's data dir) or
  /// "remote polls" (a --url node: see remote_check.hpp).
  std::string check = "store scan";
  std::uint64_t jobs_in_store = 0;
  std::uint64_t keys_sent = 0;
  std::uint64_t keys_acked = 0;
  std::uint64_t acked_missing = 0;     // acknowledged request ids not in the store
  std::uint64_t split_acks = 0;        // keys acknowledged with two request ids
  std::uint64_t duplicates_on_disk = 0;
  std::uint64_t stray_jobs = 0;        // jobs for keys never sent
  std::uint64_t quarantined = 0;
  std::uint64_t poisoned_keys = 0;
  std::string store_summary;           // the loader's one line
  // Remote polls only.
  std::uint64_t polled = 0;            // acknowledged request ids polled
  std::uint64_t found = 0;             // answered 200 with the same request id
  std::uint64_t resubmitted = 0;       // sample of acknowledged keys submitted again
  std::uint64_t resubmit_same = 0;     // answered 200 with the acknowledged request id
  // Signing scenarios only (signing.hpp check_signed_jobs).
  bool signing_checked = false;
  std::uint64_t audit_lines = 0;
  std::uint64_t signed_checked = 0;        // request ids the clients saw READY
  std::uint64_t signed_not_ready = 0;      // missing, or not READY on disk
  std::uint64_t signed_audit_mismatch = 0; // not exactly one matching audit line; stray lines
  std::uint64_t signed_bad_witness = 0;    // our interpreter refuses the witness
  std::vector<std::string> problems;   // the first few, for the report
};

/// Scans `data_dir` (the node must be stopped). `sent` / `acked` from
/// ack_log::merge().
correctness_report check_store(const std::filesystem::path& data_dir, const ack_log::merged& seen);

} // namespace covsigner::bench
