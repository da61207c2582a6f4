// `--version` on the three programs prints "<program> <version>" and exits
// 0, where <version> is the project() version in CMakeLists.txt (read here
// from the file itself, not from the define the programs are built with).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace {

std::string project_version() {
  std::ifstream in(std::string{COVSIGNER_SOURCE_DIR} + "/CMakeLists.txt");
  std::stringstream text;
  text << in.rdbuf();
  std::smatch m;
  const std::string s = text.str();
  if (!std::regex_search(s, m, std::regex(R"(project\(covsigner VERSION ([0-9.]+))")))
    return {};
  return m[1];
}

// Runs `program --version`; its stdout and exit status.
std::pair<std::string, int> version_of(const std::string& program) {
  const auto cmd = std::string{COVSIGNER_BINARY_DIR} + "/" + program + " --version";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr)
    return {"", -1};
  std::string out;
  std::array<char, 256> buf{};
  while (auto n = std::fread(buf.data(), 1, buf.size(), pipe))
    out.append(buf.data(), n);
  const int status = pclose(pipe);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

} // namespace

TEST(ProgramVersion, EachProgramPrintsTheProjectVersion) {
  const auto version = project_version();
  ASSERT_FALSE(version.empty());
  for (std::string program : {"covsignerd", "covsignerctl", "covsigner-bench"}) {
    auto [out, status] = version_of(program);
    EXPECT_EQ(status, 0) << program;
    EXPECT_EQ(out, program + " " + version + "\n");
  }
}
