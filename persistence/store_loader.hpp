// Loading the store at startup (DESIGN "Persistence contract", reference
// §4.6 resilient load made fail closed).
//
// Rules, applied to one scan of the jobs dir:
//   * the audit log (<data_dir>/covenant-signer-audit.log, audit_log.hpp) is
//     read first, leniently (audited_request_ids); if it exists and cannot
//     be read the load fails before it changes anything, since the rules
//     below need to know which request ids had a signature asked for.
//   * `.tmp-*` leftovers are removed (never renamed, so never acknowledged).
//   * A job file that is unreadable, empty, truncated, malformed or
//     wrong-typed, or whose requestId differs from its file name, or whose
//     route key / digest differ from its marker, moves to quarantine/ with a
//     reason file. Its route key is poisoned: taken from its marker if there
//     is one, else recovered from the readable prefix (recover_route_key);
//     if neither works the corruption is unattributable.
//   * marker without job file (and no tombstone): an acknowledged job was
//     lost; the marker moves to quarantine (reason missing_job_file) and its
//     key is poisoned.
//   * job without marker: crash between the two create steps; the marker is
//     backfilled durably.
//   * damaged marker or tombstone: quarantined; poisons the key recovered
//     from its prefix (or unattributable), unless a valid job file with a
//     marker-free id makes the marker redundant (then it is backfilled).
//   * A copy "may carry a signature" when it is SIGNING, ARTIFACT_READY or
//     HANDOFF_READY, or FAILED for any reason but POLICY_REJECTED /
//     INVALID_INPUT (the only ones given before a signature is asked for),
//     or the audit log names its requestId. Rule: if a copy of a route key
//     may carry a signature, no other copy of that key is ever signed.
//   * a live job (any state) on a route key that a tombstone of another
//     requestId holds: double create. Every such job (and its marker) is
//     quarantined with reason tombstoned_key, which poisons the key; the
//     tombstone stays. So the job is never resumed, and polls never meet a
//     key whose owner is a pruned job.
//   * duplicate route keys: a copy that may carry a signature beats every
//     copy that cannot; between two of the same kind, the one with a valid
//     updatedAt over one without; between two valid, the newer; on equal
//     instants or two invalid timestamps, the lexicographically smaller
//     requestId. This is a total order, so the result is the same for every
//     directory order. The winner loads normally. Losers (and their markers)
//     are quarantined and counted: reason ambiguous_duplicate (poisons the
//     key) when both the loser and the winner may carry a signature, since
//     nobody can tell which one the client holds; else reason duplicate
//     (does NOT poison: the winner holds the key; the detail says why it was
//     kept).
//   * a job with a tombstone of the same requestId: the prune was
//     interrupted; it is completed (job file and marker removed).
//   * a winner in SIGNING, or non-terminal and named by the audit log, may
//     have been signed: it is rewritten durably as FAILED / PROVIDER_FAILED /
//     "interrupted; may have been signed".
//   * reason files already in quarantine/ keep their keys poisoned (and
//     their unattributable flag) on every later load, until an operator
//     resolves them (removes the quarantined entry and its reason file).
// Every file move or rewrite is made durable before load_store returns.
// Markers and job files are read and decoded on load_pass_threads() threads
// (parallel_pass.hpp); every rule above runs afterwards on the calling
// thread in file-name order, so the outcome depends neither on the
// directory's order nor on the threads' timing.
//
// Reason file (quarantine/<entry>.reason), JSON:
//   {"file":"<original name>","reason":"<reason>","detail":"...",
//    "routeKeys":["<key>",...],"poisons":true|false,
//    "unattributable":true|false,"quarantinedAt":"<RFC3339Nano>"}
// The quarantined file keeps its entry name; a route marker moved with it is
// "<entry>.marker". A reason file that cannot be read back counts as
// unattributable corruption (fail closed).
#pragma once

#include "covenant/job.hpp"
#include "persistence/file_system.hpp"
#include "persistence/job_file.hpp"
#include "persistence/store_layout.hpp"
#include "persistence/store_lock.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace covsigner::persistence {

/// Quarantine reasons (the `reason` string of a reason file).
namespace quarantine_reason {
inline constexpr std::string_view unreadable = "unreadable";
inline constexpr std::string_view empty = "empty";
inline constexpr std::string_view truncated = "truncated";
inline constexpr std::string_view malformed = "malformed";
inline constexpr std::string_view wrong_type = "wrong_type";
inline constexpr std::string_view name_mismatch = "name_mismatch";
inline constexpr std::string_view marker_mismatch = "marker_mismatch";
inline constexpr std::string_view missing_job_file = "missing_job_file";
inline constexpr std::string_view damaged_marker = "damaged_marker";
inline constexpr std::string_view damaged_tombstone = "damaged_tombstone";
inline constexpr std::string_view duplicate = "duplicate";
inline constexpr std::string_view ambiguous_duplicate = "ambiguous_duplicate";
inline constexpr std::string_view tombstoned_key = "tombstoned_key";
} // namespace quarantine_reason

struct load_summary {
  std::size_t jobs_loaded = 0;
  /// Entries in quarantine/ after this load (including earlier loads'),
  /// by reason.
  std::map<std::string, std::size_t> quarantined_by_reason;
  std::size_t quarantined_total = 0;
  /// Entries this load moved into quarantine.
  std::size_t quarantined_now = 0;
  /// Valid jobs quarantined this load because another copy of their route
  /// key (job or tombstone) was kept: reasons duplicate,
  /// ambiguous_duplicate and tombstoned_key.
  std::size_t duplicates = 0;
  std::size_t markers_backfilled = 0;
  std::size_t interrupted_signing = 0;
  /// Non-terminal jobs the audit log names, failed as interrupted.
  std::size_t interrupted_audited = 0;
  std::size_t temp_files_removed = 0;
  std::size_t prunes_completed = 0;

  friend bool operator==(const load_summary&, const load_summary&) = default;
};

struct loaded_store {
  /// Winners only, sorted by request id; SIGNING already rewritten.
  std::vector<covenant::job> jobs;
  /// route key -> reason (first reason seen; sorted by key).
  std::map<std::string, std::string> poisoned;
  std::vector<tombstone> tombstones; // sorted by request id
  /// Corruption no route key could be recovered for: refuse all new
  /// submits until resolved.
  bool unattributable_corruption = false;
  load_summary summary;
  /// "store loaded: N jobs, K quarantined (r1: a, r2: b), P route keys
  /// poisoned" [+ "; D duplicate jobs" ] [+ "; unattributable corruption:
  /// new submits refused"].
  std::string summary_line;
};

/// The loaded jobs a node may resume (start a signing session for), in
/// request id order: those still SUBMITTED whose route key is not
/// poisoned. A poisoned key may have another copy (quarantined, maybe
/// unreadable) that reached SIGNING, so nothing on it is signed until an
/// operator resolves the poison; the job stays loaded, so its polls answer.
/// Pure.
std::vector<covenant::job> resumable_jobs(const loaded_store& loaded);

/// Scans and repairs the store as described above. `now` stamps reason
/// files and interrupted jobs (empty = now_rfc3339nano()). Errors: listing
/// the jobs dir fails, or a quarantine move / rewrite / backfill / fsync
/// fails (the load cannot leave the disk in the state it reports).
/// Preconditions: the store lock is held; ensure_store_dirs succeeded.
std::variant<loaded_store, io_error> load_store(file_system& fs, const store_layout& layout,
                                                std::string_view now = {});

/// Everything a process does at startup, in order: lock, create dirs,
/// migrate the legacy layout, load. On any failure the lock is released
/// before the error is returned.
struct opened_store {
  store_lock lock;
  migration_report migration;
  loaded_store loaded;
};
std::variant<opened_store, io_error> open_store(file_system& fs, const store_layout& layout,
                                                std::string_view now = {});

} // namespace covsigner::persistence
