// The local_key signer's key file: exact format, mode 0600, regular file,
// and errors that name the path and mode but never the key.
#include "persistence/key_file.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sys/stat.h>

using namespace covsigner;

namespace {

const std::string key_hex(64, '2'); // the signer dev key 0x22..22

std::filesystem::path write_key(const std::filesystem::path& dir, const std::string& text,
                                mode_t mode) {
  auto path = dir / "signer.key";
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
  return path;
}

std::string error_of(const std::variant<crypto::private_key, std::string>& r) {
  return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : std::string{};
}

} // namespace

TEST(KeyFileText, AcceptsHexWithOptionalPrefixAndOneLineEnding) {
  for (const auto& text : std::vector<std::string>{key_hex, "0x" + key_hex, key_hex + "\n",
                                                     "0x" + key_hex + "\r\n",
                                                     std::string(64, 'A').replace(0, 1, "1")}) {
    auto parsed = persistence::parse_key_file_text(text);
    ASSERT_TRUE(std::holds_alternative<crypto::private_key>(parsed)) << text;
  }
  auto parsed = persistence::parse_key_file_text(key_hex + "\n");
  auto expected = crypto::derive_public_key(*crypto::parse_private_key(crypto::bytes(32, 0x22)));
  EXPECT_EQ(crypto::derive_public_key(std::get<crypto::private_key>(parsed)), expected);
}

TEST(KeyFileText, RefusesAnythingElse) {
  EXPECT_EQ(error_of(persistence::parse_key_file_text("")), "is empty");
  for (const auto& text : std::vector<std::string>{
        key_hex + "\n\n", " " + key_hex, key_hex + " ", key_hex.substr(2), key_hex + "22",
        std::string(63, '2') + "g", "0x" + key_hex.substr(2) + "\n\n", std::string{"-----BEGIN EC PRIVATE KEY-----"}})
    EXPECT_EQ(error_of(persistence::parse_key_file_text(text)), "is not 64 hex digits") << text;
  // Zero and the curve order n are not secret keys.
  EXPECT_EQ(error_of(persistence::parse_key_file_text(std::string(64, '0'))),
            "is not a valid secp256k1 secret key");
  EXPECT_EQ(error_of(persistence::parse_key_file_text(
              "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")),
            "is not a valid secp256k1 secret key");
}

TEST(KeyFileMode, OnlyOwnerAccess) {
  EXPECT_TRUE(std::holds_alternative<std::monostate>(persistence::check_key_file_mode(0600)));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(persistence::check_key_file_mode(0400)));
  for (mode_t m : {0644, 0640, 0604, 0660, 0700, 0200, 04600, 0666})
    EXPECT_FALSE(std::holds_alternative<std::monostate>(persistence::check_key_file_mode(m))) << m;
  EXPECT_EQ(std::get<std::string>(persistence::check_key_file_mode(0644)),
            "has mode 0644; it must be 0600 (owner read/write only)");
}

TEST(KeyFile, ReadsAKeyOfMode0600) {
  test_support::temp_dir dir;
  auto path = write_key(dir.path(), key_hex + "\n", 0600);
  auto key = persistence::read_key_file(path);
  ASSERT_TRUE(std::holds_alternative<crypto::private_key>(key)) << error_of(key);
}

TEST(KeyFile, RefusesAReadableByOthersFileNamingPathAndMode) {
  test_support::temp_dir dir;
  auto path = write_key(dir.path(), key_hex, 0644);
  auto error = error_of(persistence::read_key_file(path));
  EXPECT_EQ(error, "signer key file " + path.string() +
                     " has mode 0644; it must be 0600 (owner read/write only)");
  EXPECT_EQ(error.find(key_hex), std::string::npos);
}

TEST(KeyFile, ErrorsNameThePathNeverTheContents) {
  test_support::temp_dir dir;
  auto path = write_key(dir.path(), key_hex + "zz", 0600);
  auto error = error_of(persistence::read_key_file(path));
  EXPECT_EQ(error, "signer key file " + path.string() + " is not 64 hex digits");
  EXPECT_EQ(error.find("2222"), std::string::npos);
  auto missing = error_of(persistence::read_key_file(dir.path() / "missing.key"));
  EXPECT_EQ(missing, "signer key file " + (dir.path() / "missing.key").string() +
                       ": cannot open: No such file or directory");
}

TEST(KeyFile, RefusesSymlinksAndDirectories) {
  test_support::temp_dir dir;
  auto path = write_key(dir.path(), key_hex, 0600);
  auto link = dir.path() / "link.key";
  std::filesystem::create_symlink(path, link);
  EXPECT_NE(error_of(persistence::read_key_file(link)).find("cannot open"), std::string::npos);
  auto sub = dir.path() / "sub";
  std::filesystem::create_directory(sub);
  ::chmod(sub.c_str(), 0600);
  EXPECT_EQ(error_of(persistence::read_key_file(sub)),
            "signer key file " + sub.string() + " is not a regular file");
}
