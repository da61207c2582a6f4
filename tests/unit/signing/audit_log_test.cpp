// The signature audit log: one durable JSON line per signature asked for.
#include "persistence/audit_log.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sys/stat.h>

using namespace covsigner::persistence;

namespace {

audit_entry entry(const std::string& id, char fill) {
  return {"2026-03-09T00:00:00.5Z", id, "0x" + std::string(64, fill),
          std::string(64, static_cast<char>(fill + 1))};
}

} // namespace

TEST(AuditLog, LineFormat) {
  EXPECT_EQ(format_audit_line(entry("kcs_self_0011223344556677", 'a')),
            R"({"time":"2026-03-09T00:00:00.5Z","requestId":"kcs_self_0011223344556677",)"
            R"("sighash":"0x)" + std::string(64, 'a') + R"(","txid":")" + std::string(64, 'b') +
              "\"}\n");
  auto e = entry("kcs_qc_0011223344556677", 'c');
  EXPECT_EQ(parse_audit_line(format_audit_line(e)), e);
  EXPECT_FALSE(parse_audit_line("{}"));
  EXPECT_FALSE(parse_audit_line("not json"));
  EXPECT_FALSE(parse_audit_line(R"({"time":"t","requestId":"r","sighash":"s","txid":1})"));
}

TEST(AuditLog, AppendsDurableLinesToAFileOfMode0600) {
  covsigner::test_support::temp_dir dir;
  auto path = audit_log_path(dir.path());
  EXPECT_EQ(path, dir.path() / "covenant-signer-audit.log");
  auto empty = read_audit_log(path);
  ASSERT_TRUE(std::holds_alternative<std::vector<audit_entry>>(empty));
  EXPECT_TRUE(std::get<std::vector<audit_entry>>(empty).empty());

  ASSERT_FALSE(append_audit_entry(path, entry("kcs_self_0000000000000001", 'a')));
  ASSERT_FALSE(append_audit_entry(path, entry("kcs_self_0000000000000002", 'c')));
  auto read = read_audit_log(path);
  ASSERT_TRUE(std::holds_alternative<std::vector<audit_entry>>(read));
  auto& entries = std::get<std::vector<audit_entry>>(read);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0], entry("kcs_self_0000000000000001", 'a'));
  EXPECT_EQ(entries[1], entry("kcs_self_0000000000000002", 'c'));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(AuditLog, FailuresNameThePath) {
  covsigner::test_support::temp_dir dir;
  auto path = dir.path() / "missing-dir" / "covenant-signer-audit.log";
  auto err = append_audit_entry(path, entry("kcs_self_0000000000000001", 'a'));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, ENOENT);
  EXPECT_NE(err->message.find(path.string()), std::string::npos) << err->message;
  std::ofstream(dir.path() / "bad.log") << "garbage\n";
  auto bad = read_audit_log(dir.path() / "bad.log");
  ASSERT_TRUE(std::holds_alternative<io_error>(bad));
  EXPECT_NE(std::get<io_error>(bad).message.find("line 1"), std::string::npos);
}
