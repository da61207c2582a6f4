// Every file under a directory with its bytes (and every sub-directory),
// so a test can assert that a refused command changed nothing on disk.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

namespace covsigner::test_support {

/// relative path -> file bytes, or "<dir>" for a directory. Missing root:
/// empty map.
inline std::map<std::string, std::string> snapshot_dir(const std::filesystem::path& root) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  if (!std::filesystem::exists(root, ec))
    return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    auto rel = std::filesystem::relative(e.path(), root).string();
    if (e.is_directory()) {
      out[rel] = "<dir>";
      continue;
    }
    std::ifstream in(e.path(), std::ios::binary);
    out[rel] = std::string(std::istreambuf_iterator<char>(in), {});
  }
  return out;
}

} // namespace covsigner::test_support
