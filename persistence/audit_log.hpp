// The signature audit log: one durable line per signature the node asks
// for, written before the signer is asked (issue 7: "before the signature
// leaves the node, a durable audit line records requestId, sighash and
// txid"). It is the operator's record of every signature the node's key may
// have produced, whatever happened to the job afterwards.
//
// File: <data_dir>/covenant-signer-audit.log, append-only, one JSON object
// per line: {"time":"<RFC3339Nano>","requestId":"...","sighash":"0x..",
// "txid":"<display hex>"}.
#pragma once

#include "persistence/file_system.hpp"
#include "persistence/io_error.hpp"

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace covsigner::persistence {

struct audit_entry {
  std::string time;       // RFC3339Nano UTC
  std::string request_id; // kcs_...
  std::string sighash;    // 0x + 64 hex, what the signer signs
  std::string txid;       // display-order hex of the spend being signed

  friend bool operator==(const audit_entry&, const audit_entry&) = default;
};

/// The audit log's path inside a data dir.
std::filesystem::path audit_log_path(const std::filesystem::path& data_dir);

/// One line (with its trailing newline) for `entry`; pure.
std::string format_audit_line(const audit_entry& entry);

/// Parses one line (without or with its newline); nullopt when it is not a
/// line format_audit_line writes.
std::optional<audit_entry> parse_audit_line(std::string_view line);

/// Appends `entry` to the log at `path` and makes it durable: O_APPEND
/// write of the whole line, fsync of the file, and an fsync of the
/// directory when the file was created by this call. Blocking: call it off
/// CAF's scheduler threads. Concurrent appenders (other sessions) are safe:
/// each line is one write(2) on an O_APPEND descriptor. Errors name the path.
maybe_error append_audit_entry(const std::filesystem::path& path, const audit_entry& entry);

/// Every entry of the log at `path` (tests and operator tools). A missing
/// file is an empty log; an unparsable line is an error naming its number.
std::variant<std::vector<audit_entry>, io_error> read_audit_log(const std::filesystem::path& path);

/// Every request id the log names, for the store loader and the quarantine
/// tools ("was a signature ever asked for?"); pure. Lenient on purpose: it
/// takes each `"requestId":"<id>"` field anywhere in `log`, so a line torn
/// by a crash, and an entry appended right after it (glued to the torn line
/// with no newline between), still count. Reading more ids than were
/// signed only fails closed.
std::set<std::string> audited_request_ids(std::string_view log);

/// audited_request_ids of the log at `path`, read through `fs`. A missing
/// log names nothing; any other read error is returned, naming the path.
std::variant<std::set<std::string>, io_error> read_audited_request_ids(file_system& fs,
                                                                      const std::filesystem::path& path);

} // namespace covsigner::persistence
