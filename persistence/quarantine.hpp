// The quarantine: files the loader could not trust, kept (never deleted)
// with a reason file each, and what an operator does about them.
//
//   quarantine/<entry>            the file as it was found
//   quarantine/<entry>.reason     why (JSON, below); its route keys stay
//                                 poisoned on every load while it is here
//   quarantine/resolved/          resolved entries, their reason files and a
//                                 <entry>.resolution record (kept as evidence)
//
// Reason file: {"file":"<original name>","reason":"<reason>","detail":"...",
//   "routeKeys":["<key>",...],"poisons":true|false,"unattributable":true|false,
//   "quarantinedAt":"<RFC3339Nano>"}
#pragma once

#include "persistence/file_system.hpp"
#include "persistence/store_layout.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace covsigner::persistence {

struct quarantine_record {
  std::string file;   // the name the file had before it was quarantined
  std::string reason; // a quarantine_reason (store_loader.hpp)
  std::string detail;
  std::vector<std::string> route_keys; // keys it poisons (when `poisons`)
  bool poisons = false;
  bool unattributable = false; // no key could be recovered: all submits refused
  std::string quarantined_at;
};

std::string encode_quarantine_record(const quarantine_record& r);
/// nullopt when `bytes` is not a reason file.
std::optional<quarantine_record> decode_quarantine_record(std::string_view bytes);

struct quarantine_entry {
  std::string name;                 // <entry> in quarantine/
  std::optional<quarantine_record> record; // nullopt: the reason file is unreadable
};

/// Every unresolved entry (one per reason file), sorted by name.
std::variant<std::vector<quarantine_entry>, io_error> list_quarantine(file_system& fs,
                                                                      const store_layout& layout);

enum class quarantine_action {
  restore, // put a repaired job file back: it must now decode, and name itself
  release, // give up the entry's route keys deliberately (the file is kept)
};

/// Resolves `entry`. Restore: the file must be a `<requestId>.json` that now
/// decodes as a job with that request id, and is refused (EINVAL, the
/// message names the cause) when
///   * its reason file cannot be decoded (the keys it poisons are unknown);
///   * the jobs dir already holds that file (EEXIST);
///   * another job file (decoded, or by its readable prefix) or a tombstone
///     holds the job's route key, or a tombstone of its own request id
///     exists: restoring would reopen the key as a second copy;
///   * the job is SUBMITTED, VALIDATING or PENDING (not yet signed) but the
///     audit log names its request id: the node would sign it again.
/// Every refusal is decided before anything is written: the data dir is
/// left exactly as it was. Otherwise the file moves back into the jobs dir
/// (never over an existing file), and only then does its reason file leave
/// the quarantine. Route keys the reason file poisons that are not the
/// restored job's own stay poisoned: they move, first and durably, to a new
/// entry `<entry>.unrestored-keys` (a reason file only, same reason). An
/// unattributable entry (no keys) that now decodes attributes itself: its
/// restore ends the refusal of all new submits.
/// Release: the file and its reason file move to resolved/.
/// Either way a `.resolution` record (action, note, time) is written first,
/// and every step is durable before the next. Precondition: the store lock
/// is held (the node is not running). Errors name the cause.
maybe_error resolve_quarantine(file_system& fs, const store_layout& layout, std::string_view entry,
                               quarantine_action action, std::string_view note,
                               std::string_view now = {});

} // namespace covsigner::persistence
