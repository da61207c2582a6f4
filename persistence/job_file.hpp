// The job file format (reference §2.2, §4.2): the bytes Go's json.Marshal
// writes for a Job — compact, HTML escaping on, fields in Go declaration
// order, omitempty fields dropped, `request` embedded as a JSON object,
// `handoff` an omitempty object. Also the small records the store keeps
// beside job files (route markers, tombstones), which share the job file's
// first three keys so a damaged one can still be attributed.
#pragma once

#include "covenant/job.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace covsigner::persistence {

/// Why bytes are not a job. The names are the quarantine reasons.
enum class decode_failure {
  empty,      // no bytes, or only whitespace
  truncated,  // valid JSON prefix that ends early
  malformed,  // not JSON
  wrong_type, // JSON, but not a job: not an object, a field of the wrong
              // type, a missing requestId/route/routeRequestId/state/request,
              // or an unknown state
};

std::string_view to_string(decode_failure f);

struct decode_error {
  decode_failure kind = decode_failure::malformed;
  std::string message; // what exactly, for the quarantine reason file

  friend bool operator==(const decode_error&, const decode_error&) = default;
};

/// Go json.Marshal bytes of `j` (no trailing newline). Preconditions:
/// `j.request_json` is canonical JSON of an object (empty is written as
/// `{}`), `j.handoff_json` is empty or canonical JSON of an object. The
/// embedded JSON gets HTML escaping, as json.Marshal applies it throughout.
std::string encode_job_file(const covenant::job& j);

/// Parses a job file. Accepts Go's output and ours (they are the same
/// bytes): exact key names, unknown keys ignored, `null` for a string field
/// means empty. `request` and `handoff` are re-serialised as canonical JSON
/// (key order kept), so decode(encode(j)) == j and
/// encode(decode(b)) == b for every b that Go's json.Marshal wrote.
std::variant<covenant::job, decode_error> decode_job_file(std::string_view bytes);

/// Recovers "<route>:<routeRequestId>" from the readable prefix of a damaged
/// job file (or marker or tombstone): the top-level string values of `route`
/// and `routeRequestId` that precede the first syntax error or the end of the
/// bytes. nullopt when either is missing, not a complete string, or empty.
std::optional<std::string> recover_route_key(std::string_view bytes);

/// Lower-case hex SHA-256 of `bytes` (the marker's job-file checksum).
std::string sha256_hex(std::string_view bytes);

/// A route marker: written durably after a created job file, before the
/// create is acknowledged, so every acknowledged job is attributable to its
/// route key even if its file is later lost or damaged. Immutable after the
/// create: `job_file_sha256` is the checksum of the job file as created
/// (route key and digest never change afterwards; later updates rewrite the
/// job file only).
struct route_marker {
  std::string request_id;
  std::string route;
  std::string route_request_id;
  std::string request_digest;
  std::string job_file_sha256;

  std::string route_key() const;
  friend bool operator==(const route_marker&, const route_marker&) = default;
};

/// {"requestId":..,"routeRequestId":..,"route":..,"requestDigest":..,
///  "jobFileSha256":..}
std::string encode_route_marker(const route_marker& m);
std::variant<route_marker, decode_error> decode_route_marker(std::string_view bytes);

/// What remains of a pruned terminal job: enough to keep its route key
/// closed forever (a pruned key never reopens).
struct tombstone {
  std::string request_id;
  std::string route;
  std::string route_request_id;
  std::string request_digest;
  covenant::job_state final_state = covenant::job_state::failed;
  std::string pruned_at; // RFC3339Nano

  std::string route_key() const;
  friend bool operator==(const tombstone&, const tombstone&) = default;
};

/// {"requestId":..,"routeRequestId":..,"route":..,"requestDigest":..,
///  "state":..,"prunedAt":..}
std::string encode_tombstone(const tombstone& t);
std::variant<tombstone, decode_error> decode_tombstone(std::string_view bytes);

/// True when `request_id` can be used as a file name stem: 1..128 bytes of
/// [A-Za-z0-9_-] (every id the node generates; Go rejects names > 128).
bool is_safe_request_id(std::string_view request_id);

} // namespace covsigner::persistence
