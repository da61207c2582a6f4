// A small SVG writer for --plot: one panel per measured phase, latency
// percentiles over time (p50, p99, max; log scale, left axis) and throughput
// (completions per second, linear, right axis). Plain SVG 1.1, no scripts,
// so it renders in a browser and on GitHub.
#pragma once

#include "apps/covsigner-bench/report.hpp"

#include <string>

namespace covsigner::bench {

std::string render_svg(const bench_report& report);

/// Writes render_svg(report) to `path`. Error text or empty.
std::string write_svg(const bench_report& report, const std::string& path);

} // namespace covsigner::bench
