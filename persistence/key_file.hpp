// The signer key file of the `local_key` backend (DESIGN.md "Options": the
// signer key comes from a file with mode 0600, never from an option).
//
// Format: the 32-byte secp256k1 secret scalar as 64 hex digits, optionally
// prefixed with 0x, optionally followed by one line ending (LF or CRLF).
// Nothing else: no comments, no PEM, no surrounding spaces, so a file that
// is not exactly a key is refused rather than guessed at.
//
// Errors never contain the file's contents (the text may be the key).
#pragma once

#include "crypto/secp256k1.hpp"

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace covsigner::persistence {

/// Parses key file text (pure). Errors: "is empty", "is not 64 hex digits"
/// (any other length or character), "is not a valid secp256k1 secret key"
/// (zero or >= the curve order). The caller prefixes the path.
std::variant<crypto::private_key, std::string> parse_key_file_text(std::string_view text);

/// Checks the permission bits of a key file (pure): group and others must
/// have no access and the owner must be able to read it, so 0600 and 0400
/// pass; anything else is refused. Error: "has mode 0644; it must be 0600
/// (owner read/write only)".
std::variant<std::monostate, std::string> check_key_file_mode(mode_t mode);

/// Checks that the file open as `fd` may hold a secret: a regular file,
/// owned by the effective user, with a mode check_key_file_mode accepts.
/// nullopt: it may. Else the error, prefixed with `name` ("<name> is not a
/// regular file", "<name> is owned by uid 7, not by this process's user
/// (uid 0)", "<name> has mode 0644; it must be 0600 (owner read/write
/// only)").
std::optional<std::string> check_secret_file(int fd, const std::string& name);

/// check_secret_file for the file at `path`, opened without following a
/// symlink (a symlink is refused: "<name>: cannot open: Too many levels of
/// symbolic links"). Used for every secret the node reads from a file: the
/// signer key and the TLS private key.
std::optional<std::string> check_secret_file_at(const std::filesystem::path& path,
                                                const std::string& name);

/// Reads the key file at `path`: it must pass check_secret_file (symlinks
/// are not followed) and hold exactly one key. The error names
/// the path (and the mode when that is the cause), never the contents.
std::variant<crypto::private_key, std::string> read_key_file(const std::filesystem::path& path);

} // namespace covsigner::persistence
