// The independent review's attack on covsignerd as a process: 16 parallel
// 300 MB chunked bodies and 16 gzip bombs (1 GiB of zeros, about 1 MiB
// compressed) must not grow the node by more than 64 MiB over idle. The
// peak is the kernel's own (VmHWM in /proc/<pid>/status, reset at idle).
#include "tests/support/child_process.hpp"
#include "tests/support/raw_http.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

using namespace covsigner;
using namespace std::chrono_literals;
using test_support::raw_connection;

namespace {

const std::string covsignerd = std::string{COVSIGNER_BINARY_DIR} + "/covsignerd";
constexpr std::size_t mib = 1u << 20;

// A field of /proc/<pid>/status in KiB ("VmRSS", "VmHWM").
long status_kib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(field + ":"))
      return std::stol(line.substr(field.size() + 1));
  return -1;
}

// 1 GiB of zeros through the gzip program: about 1 MiB.
std::string gzip_bomb(const std::filesystem::path& dir) {
  auto path = (dir / "bomb.gz").string();
  auto cmd = "head -c " + std::to_string(1024 * mib) + " /dev/zero | gzip -9 -n > " + path;
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string head(int port, const std::string& framing) {
  return "POST /v1/qc_v1/signer/requests HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
         "\r\nAuthorization: Bearer body-token\r\nContent-Type: application/json\r\n" + framing +
         "\r\n";
}

// Sends up to 300 MB of 1 MiB chunks while a reader waits for the answer;
// returns its status (nullopt: none came).
std::optional<int> send_chunked_flood(int port) {
  raw_connection conn{port};
  if (!conn.connected() || !conn.send_all(head(port, "Transfer-Encoding: chunked\r\n")))
    return std::nullopt;
  std::string chunk = "100000\r\n" + std::string(mib, '{') + "\r\n";
  for (std::size_t sent = 0; sent < 300 * mib; sent += mib)
    if (conn.readable(0ms) || !conn.send_all(chunk))
      break;
  return raw_connection::status_of(conn.read_some(10s));
}

std::optional<int> send_bomb(int port, const std::string& bomb) {
  raw_connection conn{port};
  if (!conn.connected())
    return std::nullopt;
  conn.send_all(head(port, "Content-Encoding: gzip\r\nContent-Length: " +
                             std::to_string(bomb.size()) + "\r\n") +
                bomb);
  return raw_connection::status_of(conn.read_some(10s));
}

} // namespace

TEST(CovsignerdBodyMemory, FloodsOfChunkedBodiesAndGzipBombsStayUnder64MiB) {
  test_support::temp_dir dir;
  auto token_file = (dir.path() / "client-token").string();
  std::ofstream(token_file) << "body-token\n";
  ::chmod(token_file.c_str(), 0600);
  auto bomb = gzip_bomb(dir.path());
  ASSERT_GT(bomb.size(), 100000u);
  ASSERT_LT(bomb.size(), 2 * mib);

  int port = test_support::free_loopback_port();
  test_support::child_process child{
    covsignerd,
    {"--data-dir=" + (dir.path() / "data").string(), "--port=" + std::to_string(port),
     "--auth-token-file=" + token_file, "--http.workers=64"},
    (dir.path() / "covsignerd.log").string()};
  httplib::Client http("127.0.0.1", port);
  bool healthy = false;
  for (int i = 0; i < 200 && child.running() && !healthy; ++i) {
    auto res = http.Get("/healthz");
    healthy = res && res->status == 200;
    if (!healthy)
      child.wait_for_exit(50ms);
  }
  ASSERT_TRUE(healthy);

  auto idle_kib = status_kib(child.pid(), "VmRSS");
  ASSERT_GT(idle_kib, 0);
  // Resets the peak to the current size (Linux: "5" to clear_refs).
  std::ofstream("/proc/" + std::to_string(child.pid()) + "/clear_refs") << "5";

  std::atomic<int> refused{0};
  std::atomic<int> unanswered{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 16; ++i) {
    clients.emplace_back([&] {
      auto status = send_chunked_flood(port);
      (status == 400 ? refused : unanswered)++;
    });
    clients.emplace_back([&] {
      auto status = send_bomb(port, bomb);
      (status == 400 ? refused : unanswered)++;
    });
  }
  for (auto& t : clients)
    t.join();

  auto peak_kib = status_kib(child.pid(), "VmHWM");
  ASSERT_GT(peak_kib, 0);
  auto growth_mib = static_cast<double>(peak_kib - idle_kib) / 1024.0;
  std::printf("idle %ld KiB, peak %ld KiB, growth %.1f MiB; %d refused, %d unanswered\n", idle_kib,
              peak_kib, growth_mib, refused.load(), unanswered.load());
  EXPECT_LT(growth_mib, 64.0);
  // Every request got the reference's answer for a body it cannot decode.
  EXPECT_EQ(refused.load(), 32);
  // And the node still serves.
  auto res = http.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  child.signal(SIGTERM);
  ASSERT_TRUE(child.wait_for_exit(20s));
}
