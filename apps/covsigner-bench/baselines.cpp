#include "apps/covsigner-bench/baselines.hpp"

#include "persistence/file_system.hpp"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace covsigner::bench {

std::variant<fsync_ceiling, std::string> measure_fsync_ceiling(const std::filesystem::path& dir,
                                                               double seconds) {
  persistence::posix_file_system fs;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return "cannot create " + dir.string() + ": " + ec.message();
  // A job file's size: the qc_v1 example job is about 4 KiB.
  const std::string bytes(4096, 'j');
  latency_recorder rec;
  auto start = std::chrono::steady_clock::now();
  auto end = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                       std::chrono::duration<double>(seconds));
  std::uint64_t n = 0;
  std::optional<std::string> error;
  while (std::chrono::steady_clock::now() < end) {
    auto t = std::chrono::steady_clock::now();
    auto target = dir / ("ceiling-" + std::to_string(n) + ".json");
    if (auto e = persistence::write_file_atomic(fs, target, bytes, false)) {
      error = "write " + target.string() + ": " + e->message;
      break;
    }
    if (auto e = fs.fsync_dir(dir)) {
      error = "fsync " + dir.string() + ": " + e->message;
      break;
    }
    auto done = std::chrono::steady_clock::now();
    sample s{};
    s.sent_us = static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(t - start).count());
    s.latency_us = static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(done - t).count());
    rec.record(s);
    ++n;
  }
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::filesystem::remove_all(dir, ec);
  if (error)
    return *error;
  auto sum = rec.summarize(elapsed);
  fsync_ceiling c;
  c.writes = n;
  c.writes_per_s = static_cast<double>(n) / elapsed;
  c.p50_us = sum.p50;
  c.p99_us = sum.p99;
  c.bytes = bytes.size();
  return c;
}

struct bare_server::impl {
  httplib::Server server;
  std::thread thread;
};

bare_server::bare_server(std::size_t workers) : impl_(std::make_unique<impl>()) {
  auto& s = impl_->server;
  s.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  s.set_tcp_nodelay(true);
  s.set_keep_alive_max_count(100);
  s.set_keep_alive_timeout(60);
  s.set_payload_max_length((2u << 20) + 1);
  // The shape of a dedupe hit's answer.
  static const std::string reply =
    R"({"status":"PENDING","requestId":"kcs_qc_0123456789abcdef","detail":"accepted for covenant signing"})"
    "\n";
  s.Post(".*", [](const httplib::Request& req, httplib::Response& res) {
    if (req.body.empty()) {
      res.status = 400;
      return;
    }
    res.set_content(reply, "application/json");
  });
  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"status":"ok"})", "application/json");
  });
  port_ = s.bind_to_any_port("127.0.0.1");
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  while (!s.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

bare_server::~bare_server() {
  impl_->server.stop();
  if (impl_->thread.joinable())
    impl_->thread.join();
}

} // namespace covsigner::bench
