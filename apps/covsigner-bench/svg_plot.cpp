#include "apps/covsigner-bench/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace covsigner::bench {

namespace {

constexpr double width = 960;
constexpr double panel_h = 170;
constexpr double gap = 46;
constexpr double left = 70, right = 80, top0 = 56;

std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else
      out += c;
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

struct panel {
  std::string title;
  const phase_result* phase;
};

// The latency axis every panel shares: log scale in decades of µs, from
// 10 µs to the decade above `max_us`, grid lines and labels on the left.
struct log_axis {
  double y1; // bottom of the panel
  double max_us;
  double lo = 1;
  double hi = std::max(2.0, std::ceil(std::log10(std::max(max_us, 100.0))));
  double y(double us) const {
    double v = std::log10(std::max(us, 10.0));
    return y1 - (v - lo) / (hi - lo) * panel_h;
  }
  void draw(std::ostringstream& svg, double x0, double plot_w) const {
    static const char* labels[] = {"1 us", "10 us", "100 us", "1 ms", "10 ms", "100 ms", "1 s", "10 s", "100 s"};
    for (int d = static_cast<int>(lo); d <= static_cast<int>(hi); ++d) {
      double yd = y1 - (d - lo) / (hi - lo) * panel_h;
      svg << "<line x1=\"" << x0 << "\" x2=\"" << x0 + plot_w << "\" y1=\"" << num(yd) << "\" y2=\""
          << num(yd) << "\" class=\"grid\"/>";
      if (d >= 0 && d <= 8)
        svg << "<text x=\"" << x0 - 6 << "\" y=\"" << num(yd + 4) << "\" class=\"axis\" text-anchor=\"end\">"
            << labels[d] << "</text>\n";
    }
  }
};

std::string rate_label(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, r >= 10000 ? "%.0fk/s" : "%.0f/s", r >= 10000 ? r / 1000 : r);
  return buf;
}

// --find-knee's curve: p50 and p99 (log, left) against the achieved
// throughput of each step (linear, bottom), the p99 budget as a dashed
// line and the knee as a vertical one. A knee run's panel replaces its
// steps' time series.
void draw_knee_panel(std::ostringstream& svg, const scenario_result& s, double top) {
  const auto& k = *s.knee;
  const double plot_w = width - left - right;
  const double x0 = left, y1 = top + panel_h;
  double lat_max = k.settings.p99_budget_us, x_max = 1;
  for (const auto& st : k.steps) {
    lat_max = std::max(lat_max, st.p99_us);
    x_max = std::max({x_max, st.achieved_per_s, st.offered_per_s});
  }
  x_max *= 1.05;
  const log_axis lat{y1, lat_max};
  auto tx = [&](double r) { return x0 + r / x_max * plot_w; };
  std::string title = "knee: " + s.name + " — " +
                      (k.knee_per_s ? format_rate(*k.knee_per_s) + " held p99 <= " : "no rate held p99 <= ") +
                      format_latency_us(k.settings.p99_budget_us);
  svg << "<text x=\"" << x0 << "\" y=\"" << num(top - 8) << "\" class=\"title\">" << esc(title) << "</text>\n";
  svg << "<rect x=\"" << x0 << "\" y=\"" << top << "\" width=\"" << plot_w << "\" height=\"" << panel_h
      << "\" class=\"frame\"/>\n";
  lat.draw(svg, x0, plot_w);
  for (int i = 0; i <= 4; ++i)
    svg << "<text x=\"" << num(tx(x_max * i / 4)) << "\" y=\"" << num(y1 + 14)
        << "\" class=\"axis\" text-anchor=\"middle\">" << rate_label(x_max * i / 4) << "</text>\n";
  svg << "<line x1=\"" << x0 << "\" x2=\"" << x0 + plot_w << "\" y1=\"" << num(lat.y(k.settings.p99_budget_us))
      << "\" y2=\"" << num(lat.y(k.settings.p99_budget_us)) << "\" class=\"lat-max\"/>\n";
  if (k.knee_per_s)
    svg << "<line x1=\"" << num(tx(*k.knee_per_s)) << "\" x2=\"" << num(tx(*k.knee_per_s)) << "\" y1=\"" << top
        << "\" y2=\"" << y1 << "\" class=\"knee\"/>\n";
  auto curve = [&](double knee_step::*field, const char* cls) {
    std::ostringstream d;
    for (std::size_t i = 0; i < k.steps.size(); ++i) {
      const auto& st = k.steps[i];
      d << (i ? " L" : "M") << num(tx(st.achieved_per_s)) << "," << num(lat.y(st.*field));
      svg << "<circle cx=\"" << num(tx(st.achieved_per_s)) << "\" cy=\"" << num(lat.y(st.*field))
          << "\" r=\"3\" class=\"" << cls << "\"/>";
    }
    svg << "<path d=\"" << d.str() << "\" class=\"" << cls << "\"/>\n";
  };
  curve(&knee_step::p99_us, "lat-p99");
  curve(&knee_step::p50_us, "lat-p50");
}

void draw_panel(std::ostringstream& svg, const panel& p, double top) {
  const auto& w = p.phase->windows;
  const double plot_w = width - left - right;
  const double x0 = left, y0 = top, y1 = top + panel_h;
  double t_max = std::max(p.phase->phase_s, 1e-3);
  double lat_max = 100, rate_max = 1;
  for (const auto& x : w) {
    lat_max = std::max(lat_max, x.max_us);
    rate_max = std::max(rate_max, x.throughput);
  }
  const log_axis lat{y1, lat_max};
  auto ly = [&](double us) { return lat.y(us); };
  rate_max *= 1.1;
  auto ry = [&](double r) { return y1 - r / rate_max * panel_h; };
  auto tx = [&](double t) { return x0 + t / t_max * plot_w; };

  svg << "<text x=\"" << x0 << "\" y=\"" << num(top - 8) << "\" class=\"title\">" << esc(p.title)
      << "</text>\n";
  svg << "<rect x=\"" << x0 << "\" y=\"" << y0 << "\" width=\"" << plot_w << "\" height=\"" << panel_h
      << "\" class=\"frame\"/>\n";
  lat.draw(svg, x0, plot_w);
  for (int i = 0; i <= 4; ++i) {
    double r = rate_max * i / 4;
    svg << "<text x=\"" << x0 + plot_w + 6 << "\" y=\"" << num(ry(r) + 4) << "\" class=\"axis rate\">"
        << rate_label(r) << "</text>\n";
  }
  double step = t_max <= 5 ? 1 : t_max <= 20 ? 2 : t_max <= 60 ? 10 : 30;
  for (double t = 0; t <= t_max + 1e-9; t += step)
    svg << "<text x=\"" << num(tx(t)) << "\" y=\"" << num(y1 + 14) << "\" class=\"axis\" text-anchor=\"middle\">"
        << num(t).substr(0, num(t).size() - 2) << " s</text>\n";
  if (w.empty())
    return;
  // Throughput as a filled step area, then the latency lines over it.
  std::ostringstream area;
  area << "M" << num(tx(0)) << "," << num(y1);
  for (const auto& x : w) {
    double t_end = std::min(t_max, x.t_s + (w.size() > 1 ? w[1].t_s - w[0].t_s : t_max));
    area << " L" << num(tx(x.t_s)) << "," << num(ry(x.throughput)) << " L" << num(tx(t_end)) << ","
         << num(ry(x.throughput));
  }
  area << " L" << num(tx(t_max)) << "," << num(y1) << " Z";
  svg << "<path d=\"" << area.str() << "\" class=\"rate-area\"/>\n";
  auto line = [&](double window_point::*field, const char* cls) {
    std::ostringstream d;
    bool first = true;
    double half = w.size() > 1 ? (w[1].t_s - w[0].t_s) / 2 : 0;
    for (const auto& x : w) {
      if (x.*field <= 0)
        continue;
      d << (first ? "M" : " L") << num(tx(std::min(t_max, x.t_s + half))) << "," << num(ly(x.*field));
      first = false;
    }
    if (!first)
      svg << "<path d=\"" << d.str() << "\" class=\"" << cls << "\"/>\n";
  };
  line(&window_point::max_us, "lat-max");
  line(&window_point::p99_us, "lat-p99");
  line(&window_point::p50_us, "lat-p50");
}

} // namespace

std::string render_svg(const bench_report& r) {
  std::vector<panel> panels;
  std::vector<std::string> titles;
  for (const auto& b : r.bare) {
    char t[160];
    std::snprintf(t, sizeof t, "baseline: bare cpp-httplib handler c%zu — %s, p99 %s", b.concurrency,
                  format_rate(b.phase.all.ok_throughput).c_str(), format_latency_us(b.phase.all.p99).c_str());
    panels.push_back({t, &b.phase});
  }
  std::vector<const scenario_result*> knees;
  for (const auto& s : r.scenarios)
    if (s.knee)
      knees.push_back(&s);
  for (const auto& s : r.scenarios)
    for (const auto& p : s.phases) {
      std::string name = s.phases.size() > 1 ? s.name + " [" + p.name + "]" : s.name;
      name += " — " + format_rate(p.all.throughput) + ", p99 " + format_latency_us(p.all.p99);
      if (!s.passed())
        name += " — CHECK FAILED";
      panels.push_back({name, &p});
    }
  double height = top0 + static_cast<double>(panels.size() + knees.size()) * (panel_h + gap) + 10;
  std::ostringstream svg;
  svg << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << num(height)
      << "\" viewBox=\"0 0 " << width << " " << num(height) << "\" font-family=\"sans-serif\">\n"
      << "<style>.title{font-size:13px;font-weight:bold}.axis{font-size:10px;fill:#444}"
         ".rate{fill:#3a7}.frame{fill:#fff;stroke:#999}.grid{stroke:#e4e4e4}"
         ".rate-area{fill:#3a7;fill-opacity:0.18;stroke:#3a7;stroke-opacity:0.6}"
         ".lat-p50{fill:none;stroke:#1f5fbf;stroke-width:1.6}.lat-p99{fill:none;stroke:#d4661c;stroke-width:1.6}"
         ".lat-max{fill:none;stroke:#b22;stroke-width:1;stroke-dasharray:3 2}"
         ".knee{stroke:#3a7;stroke-width:1.5}circle.lat-p50{fill:#1f5fbf}circle.lat-p99{fill:#d4661c}</style>\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"#fafafa\"/>\n";
  svg << "<text x=\"" << left << "\" y=\"22\" style=\"font-size:15px;font-weight:bold\">covsigner-bench"
      << (r.suite.empty() ? "" : " --suite=" + esc(r.suite)) << " — " << esc(r.started_at) << ", "
      << r.cores << " cores, " << esc(r.fs_type) << "</text>\n";
  double lx = left;
  auto legend = [&](const char* cls, const char* label, bool area) {
    if (area)
      svg << "<rect x=\"" << lx << "\" y=\"34\" width=\"18\" height=\"8\" class=\"" << cls << "\"/>";
    else
      svg << "<line x1=\"" << lx << "\" x2=\"" << lx + 18 << "\" y1=\"38\" y2=\"38\" class=\"" << cls << "\"/>";
    svg << "<text x=\"" << lx + 22 << "\" y=\"42\" class=\"axis\">" << label << "</text>\n";
    lx += 150;
  };
  legend("lat-p50", "latency p50 (left, log)", false);
  legend("lat-p99", "latency p99 (left, log)", false);
  legend("lat-max", "latency max (left, log)", false);
  legend("rate-area", "throughput (right)", true);
  double top = top0 + 24;
  for (const auto* s : knees) {
    draw_knee_panel(svg, *s, top);
    top += panel_h + gap;
  }
  for (const auto& p : panels) {
    draw_panel(svg, p, top);
    top += panel_h + gap;
  }
  svg << "</svg>\n";
  return svg.str();
}

std::string write_svg(const bench_report& r, const std::string& path) {
  auto p = std::filesystem::path(path);
  std::error_code ec;
  if (p.has_parent_path())
    std::filesystem::create_directories(p.parent_path(), ec);
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  if (!out)
    return "cannot write " + path;
  out << render_svg(r);
  return out.flush() ? std::string{} : "cannot write " + path;
}

} // namespace covsigner::bench
