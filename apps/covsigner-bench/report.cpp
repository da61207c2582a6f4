#include "apps/covsigner-bench/report.hpp"

#include <cstdio>
#include <iomanip>
#include <sstream>

namespace covsigner::bench {

namespace {

// `fsync`: durable runs (true) or the no-fsync comparison runs (false).
const scenario_result* find(const bench_report& r, scenario_kind kind, transport_kind transport,
                            std::size_t concurrency = 0, bool fsync = true) {
  const scenario_result* best = nullptr;
  for (const auto& s : r.scenarios) {
    if (s.spec.scenario != kind || s.spec.transport != transport || !s.error.empty() || s.phases.empty())
      continue;
    if ((concurrency && s.spec.concurrency != concurrency) || s.spec.sync.fsync != fsync)
      continue;
    // Prefer the largest concurrency and group commit when several match.
    if (!best || s.spec.concurrency > best->spec.concurrency ||
        (s.spec.concurrency == best->spec.concurrency &&
         s.spec.sync.rounds == persistence::sync_mode::group))
      best = &s;
  }
  return best;
}

std::string errors_text(const latency_summary& s) {
  std::string out;
  for (std::size_t k = 1; k < error_kind_count; ++k)
    if (s.errors[k]) {
      if (!out.empty())
        out += " ";
      out += to_string(static_cast<error_kind>(k)) + ":" + std::to_string(s.errors[k]);
    }
  return out.empty() ? "-" : out;
}

std::string pad(std::string s, std::size_t w, bool right = false) {
  if (s.size() >= w)
    return s;
  return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
}

void print_wrk(std::ostream& out, const wrk_result& w) {
  if (!w.error.empty()) {
    out << "  wrk client baseline: " << w.error << "\n";
    return;
  }
  out << "  wrk on " << w.url << ", c" << w.connections << " (" << w.threads
      << " threads): " << format_rate(w.ok_per_s()) << "  p50 " << format_latency_us(w.p50_us) << "  p99 "
      << format_latency_us(w.p99_us);
  if (w.non_2xx)
    out << "  (" << w.non_2xx << " non-2xx answers)";
  if (!w.socket_errors.empty())
    out << "  (" << w.socket_errors << ")";
  out << "\n";
}

// Each signing run as a fraction of the CPU limit (issue 17), and each
// no-fsync signing run against its durable twin.
void print_signing_limit(std::ostream& out, const bench_report& r) {
  bool any = false;
  for (const auto& s : r.scenarios) {
    if (!signs_jobs(s.spec.scenario) || s.phases.empty())
      continue;
    if (!any)
      out << "\nSigning vs the CPU limit (cores / one signed job's single-thread cost)\n";
    any = true;
    const auto& sum = s.phases.front().all;
    char line[256];
    if (r.cpu_limit && r.cpu_limit->limit_per_s > 0)
      std::snprintf(line, sizeof line, "  %s: %.0f/s = %.2f of the CPU limit %.0f/s", s.name.c_str(),
                    sum.ok_throughput, sum.ok_throughput / r.cpu_limit->limit_per_s,
                    r.cpu_limit->limit_per_s);
    else
      std::snprintf(line, sizeof line, "  %s: %.0f/s (no CPU limit measured)", s.name.c_str(), sum.ok_throughput);
    out << line << "  p99 " << format_latency_us(sum.p99) << "  max " << format_latency_us(sum.max) << "\n";
    if (s.spec.sync.fsync)
      continue;
    for (const auto& d : r.scenarios)
      if (d.spec.scenario == s.spec.scenario && d.spec.concurrency == s.spec.concurrency && d.spec.sync.fsync &&
          !d.phases.empty() && sum.ok_throughput > 0) {
        std::snprintf(line, sizeof line, "  %s / %s: %.2f\n", d.name.c_str(), s.name.c_str(),
                      d.phases.front().all.ok_throughput / sum.ok_throughput);
        out << line;
      }
  }
}

} // namespace

void print_knee(std::ostream& out, const scenario_result& s) {
  const auto& k = *s.knee;
  out << "Knee: " << s.name << " (open loop, steps of " << k.settings.step_s << " s, x"
      << k.settings.growth << ", p99 budget " << format_latency_us(k.settings.p99_budget_us) << ")\n";
  out << "  " << pad("step", 6) << pad("offered", 12, true) << pad("achieved", 12, true)
      << pad("p50", 10, true) << pad("p99", 10, true) << "  verdict\n";
  for (std::size_t i = 0; i < k.steps.size(); ++i) {
    const auto& st = k.steps[i];
    out << "  " << pad(std::to_string(i + 1), 6) << pad(format_rate(st.offered_per_s), 12, true)
        << pad(format_rate(st.achieved_per_s), 12, true) << pad(format_latency_us(st.p50_us), 10, true)
        << pad(format_latency_us(st.p99_us), 10, true) << "  " << st.verdict << "\n";
  }
  if (k.knee_per_s)
    out << "  knee: " << format_rate(*k.knee_per_s) << " held within the budget (stopped at "
        << k.stop_reason << ")\n";
  else
    out << "  knee: none, the first step did not hold (" << k.stop_reason << ")\n";
  if (k.client_bound)
    out << "  note: " << k.settings.concurrency << " clients at the last held step's p50 send about "
        << format_rate(k.client_cap_per_s) << ", below the failing step's rate: the bench's --concurrency "
        << "may have set this knee; raise it to be sure it is the node's\n";
}

std::string format_rate(double per_s) {
  char buf[32];
  if (per_s >= 10000)
    std::snprintf(buf, sizeof buf, "%.1f k/s", per_s / 1000);
  else
    std::snprintf(buf, sizeof buf, "%.0f /s", per_s);
  return buf;
}

std::string format_latency_us(double us) {
  char buf[32];
  if (us >= 1e6)
    std::snprintf(buf, sizeof buf, "%.2f s", us / 1e6);
  else if (us >= 1e4)
    std::snprintf(buf, sizeof buf, "%.0f ms", us / 1e3);
  else if (us >= 1e3)
    std::snprintf(buf, sizeof buf, "%.1f ms", us / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f us", us);
  return buf;
}

std::string durable_target::binding_leg() const {
  return ceiling_leg_per_s() <= no_fsync_leg_per_s() ? "5x fsync ceiling" : "70% of no-fsync";
}

bool bench_report::passed() const {
  for (const auto& s : scenarios)
    if (!s.passed())
      return false;
  return true;
}

void compute_ratios(bench_report& r) {
  char detail[240];
  auto* u = find(r, scenario_kind::unique, transport_kind::http);
  // The no-fsync comparison at the durable run's concurrency.
  auto* nf = u ? find(r, scenario_kind::unique, transport_kind::http, u->spec.concurrency, false) : nullptr;
  if (nf && nf->passed() && nf->phases.front().all.ok_throughput > 0) {
    double d = u->phases.front().all.ok_throughput, n = nf->phases.front().all.ok_throughput;
    std::snprintf(detail, sizeof detail, "%.0f durable submits/s (%s) / %.0f submits/s with fsync disabled (%s)",
                  d, u->name.c_str(), n, nf->name.c_str());
    r.ratios.push_back({"unique durable HTTP submits vs the same run with fsync disabled", detail,
                        d / n, 0.7, true, true});
  }
  if (r.fsync && r.fsync->writes_per_s > 0 && u) {
    double v = u->phases.front().all.ok_throughput / r.fsync->writes_per_s;
    std::snprintf(detail, sizeof detail, "%.0f durable submits/s (%s) / %.0f atomic writes/s",
                  u->phases.front().all.ok_throughput, u->name.c_str(), r.fsync->writes_per_s);
    r.ratios.push_back({"unique durable HTTP submits vs one-at-a-time fsync ceiling", detail, v, 5.0,
                        true, nf != nullptr});
  }
  if (r.fsync && r.fsync->writes_per_s > 0 && u && nf && nf->passed() &&
      nf->phases.front().all.ok_throughput > 0) {
    durable_target t;
    t.durable_scenario = u->name;
    t.no_fsync_scenario = nf->name;
    t.durable_per_s = u->phases.front().all.ok_throughput;
    t.ceiling_per_s = r.fsync->writes_per_s;
    t.no_fsync_per_s = nf->phases.front().all.ok_throughput;
    std::snprintf(detail, sizeof detail,
                  "%.0f durable submits/s / min(5 x %.0f = %.0f, 0.7 x %.0f = %.0f) = %.0f /s (%s)",
                  t.durable_per_s, t.ceiling_per_s, t.ceiling_leg_per_s(), t.no_fsync_per_s,
                  t.no_fsync_leg_per_s(), t.target_per_s(), t.binding_leg().c_str());
    r.ratios.push_back({"unique durable HTTP submits vs min(5x fsync ceiling, 70% of no-fsync)", detail,
                        t.durable_per_s / t.target_per_s(), 1.0, true});
    r.durable = t;
  }
  for (const auto& b : r.bare)
    if (auto* d = find(r, scenario_kind::duplicate, transport_kind::http, b.concurrency)) {
      double base = b.phase.all.ok_throughput;
      if (base <= 0)
        continue;
      double v = d->phases.front().all.ok_throughput / base;
      std::snprintf(detail, sizeof detail, "%.0f dedupe hits/s (%s) / %.0f bare handler req/s (c%zu)",
                    d->phases.front().all.ok_throughput, d->name.c_str(), base, b.concurrency);
      r.ratios.push_back({"dedupe-hit submits vs bare cpp-httplib handler", detail, v, 0.6, true});
    }
  for (const auto& s : r.scenarios) {
    if (!s.wrk || !s.wrk->error.empty() || s.phases.empty() || s.wrk->ok_per_s() <= 0)
      continue;
    double bench = s.phases.front().all.ok_throughput;
    std::snprintf(detail, sizeof detail,
                  "%.0f dedupe hits/s (%s) / %.0f by wrk (%zu connections, %zu threads, same URL and body)",
                  bench, s.name.c_str(), s.wrk->ok_per_s(), s.wrk->connections, s.wrk->threads);
    // Near 1: the bench's own client is not what limits its numbers.
    r.ratios.push_back({"bench client vs wrk on the same node", detail, bench / s.wrk->ok_per_s(), 0.8, true});
  }
  for (const auto& s : r.scenarios) {
    if (s.spec.scenario != scenario_kind::outage || s.phases.size() != 2)
      continue;
    auto a = s.phases[0].by_op.find(op_kind::dedupe_submit);
    auto b = s.phases[1].by_op.find(op_kind::dedupe_submit);
    if (a == s.phases[0].by_op.end() || b == s.phases[1].by_op.end() || a->second.p99 <= 0)
      continue;
    std::snprintf(detail, sizeof detail, "dedupe-hit p99 %s with the outage / %s without (%s)",
                  format_latency_us(b->second.p99).c_str(), format_latency_us(a->second.p99).c_str(),
                  s.name.c_str());
    r.ratios.push_back({"dedupe-hit p99 during registry outage vs without", detail,
                        b->second.p99 / a->second.p99, 1.5, false});
  }
}

void print_table(std::ostream& out, const bench_report& r) {
  out << "\ncovsigner-bench" << (r.suite.empty() ? "" : " --suite=" + r.suite) << "  " << r.started_at
      << "  " << r.cores << " cores  ";
  if (r.target.empty())
    out << "data dir " << r.data_dir << " (" << r.fs_type << ")  store.sync " << r.sync;
  else
    out << "target " << r.target;
  out << "  bodies: " << r.bodies << "\n\n";
  const bool baselines =
    r.fsync || r.cpu_limit || !r.bare.empty() || !r.baseline_error.empty() ||
    std::any_of(r.scenarios.begin(), r.scenarios.end(), [](const auto& s) { return s.wrk.has_value(); });
  if (baselines)
    out << "Baselines\n";
  if (r.fsync)
    out << "  atomic write, one at a time (temp+fsync+rename+dir fsync, " << r.fsync->bytes
        << " B): " << format_rate(r.fsync->writes_per_s) << "  p50 " << format_latency_us(r.fsync->p50_us)
        << "  p99 " << format_latency_us(r.fsync->p99_us) << "\n";
  if (r.cpu_limit)
    out << "  signing CPU limit (one self_v1 job's pure steps + store file work, fsync off, one "
        << "thread): " << format_latency_us(r.cpu_limit->cost_per_job_us) << " a job -> "
        << r.cpu_limit->cores << " cores / cost = " << format_rate(r.cpu_limit->limit_per_s) << "\n";
  for (const auto& b : r.bare)
    out << "  bare cpp-httplib handler, c" << b.concurrency << " (" << b.workers
        << " workers): " << format_rate(b.phase.all.ok_throughput) << "  p50 "
        << format_latency_us(b.phase.all.p50) << "  p99 " << format_latency_us(b.phase.all.p99) << "\n";
  if (!r.baseline_error.empty())
    out << "  baseline error: " << r.baseline_error << "\n";
  for (const auto& s : r.scenarios)
    if (s.wrk)
      print_wrk(out, *s.wrk);
  if (baselines)
    out << "\n";
  const std::size_t w0 = 36;
  auto row = [&](const std::string& name, const latency_summary& s, const std::string& check) {
    out << pad(name, w0) << pad(format_rate(s.throughput), 12, true) << pad(format_latency_us(s.p50), 10, true)
        << pad(format_latency_us(s.p90), 10, true) << pad(format_latency_us(s.p99), 10, true)
        << pad(format_latency_us(s.p999), 10, true) << pad(format_latency_us(s.max), 10, true) << "  "
        << pad(errors_text(s), 18) << check << "\n";
  };
  // A knee search has its own table (print_knee) and no phase rows here.
  if (std::any_of(r.scenarios.begin(), r.scenarios.end(),
                  [](const auto& s) { return !s.phases.empty() || !s.error.empty(); })) {
    out << pad("scenario / phase", w0) << pad("throughput", 12, true) << pad("p50", 10, true)
        << pad("p90", 10, true) << pad("p99", 10, true) << pad("p99.9", 10, true) << pad("max", 10, true)
        << "  " << pad("errors", 18) << "check\n";
    out << std::string(w0 + 62 + 2 + 18 + 6, '-') << "\n";
  }
  for (const auto& s : r.scenarios) {
    std::string check = s.passed() ? "ok" : "FAILED";
    if (!s.error.empty()) {
      out << pad(s.name, w0) << "  error: " << s.error << "\n";
      continue;
    }
    for (const auto& p : s.phases) {
      std::string name = s.phases.size() > 1 ? s.name + " [" + p.name + "]" : s.name;
      row(name, p.all, check);
      if (p.unsent)
        out << "  " << p.unsent << " requests of the open-loop schedule never sent: the node fell "
            << "more than the run's length behind\n";
      if (p.by_op.size() > 1)
        for (const auto& [op, sum] : p.by_op)
          row("  " + to_string(op), sum, "");
    }
  }
  for (const auto& s : r.scenarios)
    if (s.knee) {
      if (&s != &r.scenarios.front() || !s.phases.empty())
        out << "\n";
      print_knee(out, s);
    }
  out << "\nCorrectness (after each run: the store scanned, or a --url node asked)\n";
  for (const auto& s : r.scenarios) {
    const auto& c = s.correctness;
    out << "  " << pad(s.name, w0 - 2) << (s.passed() ? "ok    " : "FAILED") << "  " << c.check << ": ";
    if (c.check == "remote polls")
      out << c.keys_sent << " keys sent, " << c.keys_acked << " acknowledged; " << c.found << "/"
          << c.polled << " polls found the acknowledged requestId, " << c.resubmit_same << "/"
          << c.resubmitted << " resubmits answered it, " << c.split_acks << " split\n";
    else
      out << c.jobs_in_store << " jobs, " << c.keys_sent << " keys sent, " << c.keys_acked
          << " acknowledged, " << c.acked_missing << " acknowledged missing, " << c.duplicates_on_disk
          << " duplicate, " << c.stray_jobs << " stray, " << c.quarantined << " quarantined\n";
    if (c.signing_checked)
      out << "  " << pad("", w0 - 2) << "        signed jobs: " << c.signed_checked << " checked, "
          << c.audit_lines << " audit lines; " << c.signed_not_ready << " not READY on disk, "
          << c.signed_audit_mismatch << " audit mismatches, " << c.signed_bad_witness
          << " witnesses refused by our interpreter\n";
    for (const auto& p : c.problems)
      out << "      problem: " << p << "\n";
    for (const auto& p : s.expectation_failures)
      out << "      unexpected: " << p << "\n";
    for (const auto& n : s.notes)
      out << "      note: " << n << "\n";
  }
  print_signing_limit(out, r);
  if (!r.ratios.empty()) {
    out << "\nTargets\n";
    for (const auto& x : r.ratios) {
      char v[64];
      std::snprintf(v, sizeof v, "%.2fx (target %s %.2fx)", x.value, x.at_least ? ">=" : "<=", x.target);
      const char* verdict = x.leg ? (x.met() ? "leg met " : "leg miss") : (x.met() ? "met     " : "NOT MET ");
      out << "  " << verdict << " " << x.name << ": " << v << "\n      " << x.detail << "\n";
    }
    if (r.durable) {
      const auto& t = *r.durable;
      char line[240];
      std::snprintf(line, sizeof line,
                    "  (\"leg\" rows are the two sides of issue 8's \"whichever is lower\": the "
                    "target is %.0f /s, set by %s; durable %.0f /s: %s)\n",
                    t.target_per_s(), t.binding_leg().c_str(), t.durable_per_s, t.met() ? "PASS" : "MISS");
      out << line;
    }
  }
  char wall[32];
  std::snprintf(wall, sizeof wall, "%.1f", r.wall_s);
  out << "\n" << (r.passed() ? "all correctness checks passed" : "CORRECTNESS CHECK FAILED") << " ("
      << wall << " s wall)\n";
}

} // namespace covsigner::bench
