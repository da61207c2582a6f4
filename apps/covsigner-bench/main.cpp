// covsigner-bench: concurrent-submission load against a covsigner node, in
// process or over HTTP, with baselines, a results table, JSON, an SVG plot
// and a correctness check of the store after every run. See --help.
#include "apps/covsigner-bench/json_report.hpp"
#include "apps/covsigner-bench/options.hpp"
#include "apps/covsigner-bench/suite.hpp"
#include "apps/covsigner-bench/svg_plot.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <string_view>

using namespace covsigner::bench;

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::string_view{argv[i]} == "--version") {
      std::cout << "covsigner-bench " << COVSIGNER_VERSION << "\n";
      return 0;
    }
  auto parsed = parse_options(argc, argv);
  if (auto* e = std::get_if<parse_error>(&parsed)) {
    (e->help ? std::cout : std::cerr) << (e->help ? "" : "covsigner-bench: ") << e->message
                                      << (e->help ? "" : "\n");
    return e->help ? 0 : 2;
  }
  auto& o = std::get<bench_options>(parsed);
  // A client whose server vanished (sigkill) must not take the bench down.
  std::signal(SIGPIPE, SIG_IGN);
  // The node's own logs (store load lines, warnings) would interleave with
  // the report; keep warnings and errors only.
  spdlog::set_level(spdlog::level::warn);

  auto plan = o.suite == "standard" ? standard_suite(o) : single_run(o);
  std::string error;
  auto report = run_plan_now(o, plan, error);
  if (!error.empty()) {
    std::cerr << "covsigner-bench: " << error << "\n";
    return 2;
  }
  print_table(std::cout, report);
  if (!o.json_file.empty())
    if (auto e = write_json(report, o.json_file); !e.empty())
      std::cerr << "covsigner-bench: " << e << "\n";
  if (!o.plot_file.empty())
    if (auto e = write_svg(report, o.plot_file); !e.empty())
      std::cerr << "covsigner-bench: " << e << "\n";
  if (!o.keep_data)
    remove_runs_data(report);
  return report.passed() ? 0 : 1;
}
