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

namespace covsigner::bench {

/// The CPU limit of signing (issue 17): one signed self_v1 job's
/// unavoidable work done by one thread with nothing else in flight —
/// prepare_submit (decode, validate, approvals, digest, canonical JSON),
/// the certificate verified against the fixture wallet, the spend prepared,
/// resolved and planned, the RFC 6979 signature, the witness checked by our
/// interpreter, and the store's own file work for the job (create with its
/// route marker, SIGNING, the audit line, ARTIFACT_READY: job files encoded
/// and written through persistence::unsynced_file_system, i.e. with every
/// fsync skipped) — and limit = cores / cost_per_job. No HTTP, no actors,
/// no waiting: a node on this machine cannot sign faster than `limit_per_s`.
struct signing_cpu_limit {
  double cost_per_job_us = 0;
  double limit_per_s = 0;
  unsigned cores = 0;
  std::uint64_t jobs = 0;
};

/// Runs the steps above for `seconds` in a fresh store under `dir`
/// (removed afterwards). The error names the step that failed.
std::variant<signing_cpu_limit, std::string> measure_signing_cpu_limit(const std::filesystem::path& dir,
                                                                       double seconds);

} // namespace covsigner::bench
