// The file system a data dir lives on (statfs magic), so a result records
// what it was measured on, and durable runs can refuse tmpfs (no fsync cost:
// it would flatter every number).
#pragma once

#include <filesystem>
#include <string>

namespace covsigner::bench {

/// "ext4" (also ext2/3: one magic), "xfs", "btrfs", "tmpfs", "overlayfs",
/// "zfs", "nfs", or "0x<magic>"; "unknown" if statfs fails.
std::string fs_type_name(const std::filesystem::path& dir);

bool is_tmpfs(const std::filesystem::path& dir);

} // namespace covsigner::bench
