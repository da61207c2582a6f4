#include "apps/covsigner-bench/wrk_baseline.hpp"

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace covsigner::bench {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    auto candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (access(candidate.c_str(), X_OK) == 0)
      return candidate.string();
  }
  return std::nullopt;
}

// A Lua long string that `text` cannot close early: [==[ ... ]==].
std::string lua_long_string(const std::string& text) {
  std::string eq;
  while (text.find("]" + eq + "]") != std::string::npos)
    eq += "=";
  return "[" + eq + "[" + text + "]" + eq + "]";
}

// The token goes into this 0600 file, not onto wrk's command line (argv is
// readable by every local user).
std::string lua_script(const http_endpoint& e, const std::string& body) {
  std::string s = "wrk.method = \"POST\"\n"
                  "wrk.headers[\"Content-Type\"] = \"application/json\"\n";
  if (!e.bearer_token.empty())
    s += "wrk.headers[\"Authorization\"] = " + lua_long_string("Bearer " + e.bearer_token) + "\n";
  s += "wrk.body = " + lua_long_string(body) + "\n";
  return s;
}

// "1.23ms", "845.00us", "2.01s" -> µs.
double wrk_latency_us(const std::string& v) {
  char* end = nullptr;
  double x = std::strtod(v.c_str(), &end);
  std::string unit(end ? end : "");
  if (unit == "us")
    return x;
  if (unit == "ms")
    return x * 1e3;
  if (unit == "s")
    return x * 1e6;
  if (unit == "m")
    return x * 60e6;
  return 0;
}

void parse_output(const std::string& text, wrk_result& r) {
  std::istringstream in(text);
  std::string line;
  bool rps = false;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (first == "Requests/sec:") {
      words >> r.requests_per_s;
      rps = true;
    } else if (first == "50%" || first == "99%") {
      std::string v;
      words >> v;
      (first == "50%" ? r.p50_us : r.p99_us) = wrk_latency_us(v);
    } else if (line.find("requests in") != std::string::npos) {
      r.requests = std::strtoull(first.c_str(), nullptr, 10);
    } else if (line.find("Non-2xx or 3xx responses:") != std::string::npos) {
      r.non_2xx = std::strtoull(line.substr(line.find(':') + 1).c_str(), nullptr, 10);
    } else if (first == "Socket") {
      r.socket_errors = line.substr(line.find_first_not_of(' '));
    }
  }
  if (!rps)
    r.error = "wrk printed no Requests/sec: " + text.substr(0, 300);
}

// Runs argv with stdout+stderr to `log`; SIGKILL by PID after `bound_s`.
std::optional<std::string> run_bounded(std::vector<std::string> argv, const fs::path& log,
                                       double bound_s) {
  pid_t pid = fork();
  if (pid < 0)
    return "fork failed";
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(bound_s);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) != pid) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return "wrk did not finish within " + std::to_string(static_cast<int>(bound_s)) + " s";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return "wrk exited with status " + std::to_string(status);
  return std::nullopt;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

wrk_result run_wrk(const http_endpoint& e, const std::string& body, std::size_t connections,
                   double seconds) {
  wrk_result r;
  r.url = e.base_url + e.submit_path;
  r.connections = std::max<std::size_t>(1, connections);
  r.threads = std::min<std::size_t>(r.connections, std::max(1u, std::thread::hardware_concurrency()));
  r.seconds = std::max(1.0, std::ceil(seconds));
  auto wrk = find_on_path("wrk");
  if (!wrk) {
    r.error = "wrk not found on PATH (Debian package wrk): no client baseline";
    return r;
  }
  std::string tmpl = (fs::temp_directory_path() / "covsigner-bench-wrk-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    r.error = "cannot create a temporary directory for wrk's script";
    return r;
  }
  const fs::path dir = tmpl;
  const auto script = dir / "submit.lua";
  {
    int fd = open(script.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd >= 0)
      close(fd);
    std::ofstream(script) << lua_script(e, body);
  }
  auto secs = std::to_string(static_cast<int>(r.seconds)) + "s";
  auto err = run_bounded({*wrk, "-t", std::to_string(r.threads), "-c", std::to_string(r.connections),
                          "-d", secs, "--latency", "--timeout", "30s", "-s", script.string(), r.url},
                         dir / "wrk.out", r.seconds + 20);
  auto out = slurp(dir / "wrk.out");
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (err) {
    r.error = *err + (out.empty() ? "" : ": " + out.substr(0, 300));
    return r;
  }
  parse_output(out, r);
  return r;
}

} // namespace covsigner::bench
