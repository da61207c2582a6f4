#include "apps/covsigner-bench/fs_type.hpp"

#include <cstdio>
#include <sys/statfs.h>

namespace covsigner::bench {

namespace {
// From linux/magic.h.
constexpr unsigned long tmpfs_magic = 0x01021994;
constexpr unsigned long ramfs_magic = 0x858458f6;
} // namespace

std::string fs_type_name(const std::filesystem::path& dir) {
  struct statfs s {};
  if (statfs(dir.c_str(), &s) != 0)
    return "unknown";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53:
      return "ext4";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case tmpfs_magic:
      return "tmpfs";
    case ramfs_magic:
      return "ramfs";
    case 0x794c7630:
      return "overlayfs";
    case 0x2fc12fc1:
      return "zfs";
    case 0x6969:
      return "nfs";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(s.f_type));
      return buf;
    }
  }
}

bool is_tmpfs(const std::filesystem::path& dir) {
  auto t = fs_type_name(dir);
  return t == "tmpfs" || t == "ramfs";
}

} // namespace covsigner::bench
