// The run's results as JSON (--json FILE): machine and disk, baselines,
// every scenario phase with its summary, per-op summaries and time series,
// the correctness check, and the target ratios.
#pragma once

#include "apps/covsigner-bench/report.hpp"

#include <string>

namespace covsigner::bench {

std::string to_json(const bench_report& report);

/// Writes to_json(report) to `path` (temp file then rename). Error text or empty.
std::string write_json(const bench_report& report, const std::string& path);

} // namespace covsigner::bench
