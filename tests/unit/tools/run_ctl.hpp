// Runs the built covsignerctl (COVSIGNER_BINARY_DIR/covsignerctl) as a child
// process and captures its exit code, stdout and stderr.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace covsigner::test_support {

struct ctl_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

/// Runs `covsignerctl args...`; standard input comes from `stdin_path`.
inline ctl_result run_ctl(const std::vector<std::string>& args,
                          const std::string& stdin_path = "/dev/null") {
  const std::string program = std::string{COVSIGNER_BINARY_DIR} + "/covsignerctl";
  char out_template[] = "/tmp/covsignerctl-out-XXXXXX";
  char err_template[] = "/tmp/covsignerctl-err-XXXXXX";
  int out_fd = mkstemp(out_template);
  int err_fd = mkstemp(err_template);
  if (out_fd < 0 || err_fd < 0)
    throw std::runtime_error("mkstemp failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_fd);
  close(err_fd);
  ctl_result result;
  if (rc == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  result.out = read_text_file(out_template);
  result.err = read_text_file(err_template);
  unlink(out_template);
  unlink(err_template);
  if (rc != 0)
    throw std::runtime_error("cannot start " + program);
  return result;
}

} // namespace covsigner::test_support
