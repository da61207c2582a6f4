// The two ceilings every scenario is compared with, measured in the same
// run on the same machine:
//   * the data disk's atomic-write rate, one write at a time: temp file,
//     write, fsync, rename onto a new name, fsync of the directory (the
//     store's own persistence::write_file_atomic + fsync_dir). A node that
//     holds one mutex across each job write, as the reference does, cannot
//     create jobs faster than this;
//   * a bare cpp-httplib handler's request rate: a server with the node's
//     pool size and keep-alive settings whose POST handler answers a
//     constant StepResult, driven with the same body, the same client code
//     and the same load driver as the node.
#pragma once

#include "apps/covsigner-bench/load_driver.hpp"

#include <filesystem>
#include <string>
#include <variant>

namespace covsigner::bench {

struct fsync_ceiling {
  double writes_per_s = 0;
  double p50_us = 0, p99_us = 0;
  std::uint64_t writes = 0;
  std::size_t bytes = 0; // per write
};

/// One durable atomic write after another in `dir` for `seconds` (files
/// removed afterwards). The error names the failing call.
std::variant<fsync_ceiling, std::string> measure_fsync_ceiling(const std::filesystem::path& dir,
                                                               double seconds);

/// A bare cpp-httplib server on 127.0.0.1 (any free port) with `workers`
/// pool threads, keep-alive max 100 requests (the node's default), TCP_NODELAY.
class bare_server {
public:
  explicit bare_server(std::size_t workers);
  ~bare_server();
  bare_server(const bare_server&) = delete;
  bare_server& operator=(const bare_server&) = delete;
  int port() const { return port_; }

private:
  struct impl;
  std::unique_ptr<impl> impl_;
  int port_ = 0;
};

} // namespace covsigner::bench
