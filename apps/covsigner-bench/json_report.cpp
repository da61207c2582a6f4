#include "apps/covsigner-bench/json_report.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>

namespace covsigner::bench {

namespace {

using boost::json::array;
using boost::json::object;

object summary_json(const latency_summary& s) {
  object o;
  o["count"] = s.count;
  o["ok"] = s.ok;
  o["throughput_per_s"] = s.throughput;
  o["ok_throughput_per_s"] = s.ok_throughput;
  object lat;
  lat["p50"] = s.p50;
  lat["p90"] = s.p90;
  lat["p99"] = s.p99;
  lat["p99_9"] = s.p999;
  lat["max"] = s.max;
  lat["mean"] = s.mean;
  o["latency_us"] = std::move(lat);
  object errors;
  for (std::size_t k = 1; k < error_kind_count; ++k)
    errors[to_string(static_cast<error_kind>(k))] = s.errors[k];
  o["errors"] = std::move(errors);
  return o;
}

object phase_json(const phase_result& p) {
  object o;
  o["name"] = p.name;
  o["seconds"] = p.phase_s;
  o["warmup_requests"] = p.warmup_requests;
  o["unsent"] = p.unsent;
  o["summary"] = summary_json(p.all);
  object ops;
  for (const auto& [op, s] : p.by_op)
    ops[to_string(op)] = summary_json(s);
  o["by_op"] = std::move(ops);
  array series;
  for (const auto& w : p.windows) {
    object x;
    x["t_s"] = w.t_s;
    x["throughput_per_s"] = w.throughput;
    x["p50_us"] = w.p50_us;
    x["p99_us"] = w.p99_us;
    x["max_us"] = w.max_us;
    x["errors"] = w.errors;
    series.push_back(std::move(x));
  }
  o["series"] = std::move(series);
  return o;
}

object correctness_json(const scenario_result& s) {
  const auto& c = s.correctness;
  object o;
  o["passed"] = s.passed();
  o["store_check_passed"] = c.passed;
  o["jobs_in_store"] = c.jobs_in_store;
  o["keys_sent"] = c.keys_sent;
  o["keys_acknowledged"] = c.keys_acked;
  o["acknowledged_missing"] = c.acked_missing;
  o["split_acknowledgements"] = c.split_acks;
  o["duplicates_on_disk"] = c.duplicates_on_disk;
  o["stray_jobs"] = c.stray_jobs;
  o["quarantined"] = c.quarantined;
  o["poisoned_keys"] = c.poisoned_keys;
  o["store_summary"] = c.store_summary;
  o["check"] = c.check;
  if (c.signing_checked) {
    o["signed_checked"] = c.signed_checked;
    o["audit_lines"] = c.audit_lines;
    o["signed_not_ready"] = c.signed_not_ready;
    o["signed_audit_mismatch"] = c.signed_audit_mismatch;
    o["signed_bad_witness"] = c.signed_bad_witness;
  }
  if (c.check == "remote polls") {
    o["polled"] = c.polled;
    o["found"] = c.found;
    o["resubmitted"] = c.resubmitted;
    o["resubmit_same_request_id"] = c.resubmit_same;
  }
  array problems;
  for (const auto& p : c.problems)
    problems.push_back(boost::json::value(p));
  for (const auto& p : s.expectation_failures)
    problems.push_back(boost::json::value(p));
  o["problems"] = std::move(problems);
  return o;
}

object knee_json(const scenario_result& s) {
  const auto& k = *s.knee;
  object o;
  o["start_rate_per_s"] = k.settings.start_rate;
  o["growth"] = k.settings.growth;
  o["step_s"] = k.settings.step_s;
  o["p99_budget_us"] = k.settings.p99_budget_us;
  o["max_steps"] = k.settings.max_steps;
  if (k.knee_per_s)
    o["knee_rate_per_s"] = *k.knee_per_s;
  else
    o["knee_rate_per_s"] = nullptr;
  o["stop_reason"] = k.stop_reason;
  o["client_bound"] = k.client_bound;
  o["client_cap_per_s"] = k.client_cap_per_s;
  array steps;
  for (std::size_t i = 0; i < k.steps.size(); ++i) {
    const auto& st = k.steps[i];
    object x;
    x["offered_per_s"] = st.offered_per_s;
    x["achieved_per_s"] = st.achieved_per_s;
    x["p50_us"] = st.p50_us;
    x["p99_us"] = st.p99_us;
    x["count"] = st.count;
    x["unexpected_errors"] = st.unexpected_errors;
    x["unsent"] = st.unsent;
    x["held"] = st.held;
    x["verdict"] = st.verdict;
    if (i < s.knee_phases.size())
      x["phase"] = phase_json(s.knee_phases[i]);
    steps.push_back(std::move(x));
  }
  o["steps"] = std::move(steps);
  return o;
}

object wrk_json(const wrk_result& w) {
  object o;
  if (!w.error.empty()) {
    o["error"] = w.error;
    return o;
  }
  o["url"] = w.url;
  o["threads"] = w.threads;
  o["connections"] = w.connections;
  o["seconds"] = w.seconds;
  o["requests"] = w.requests;
  o["non_2xx"] = w.non_2xx;
  o["requests_per_s"] = w.requests_per_s;
  o["ok_per_s"] = w.ok_per_s();
  o["p50_us"] = w.p50_us;
  o["p99_us"] = w.p99_us;
  o["socket_errors"] = w.socket_errors;
  return o;
}

} // namespace

std::string to_json(const bench_report& r) {
  object root;
  root["tool"] = "covsigner-bench";
  root["started_at"] = r.started_at;
  root["suite"] = r.suite;
  root["wall_seconds"] = r.wall_s;
  root["passed"] = r.passed();
  object machine;
  machine["cores"] = r.cores;
  machine["data_dir"] = r.data_dir;
  machine["fs_type"] = r.fs_type;
  machine["store_sync"] = r.sync;
  machine["target"] = r.target;
  root["bodies"] = r.bodies;
  root["machine"] = std::move(machine);
  object baselines;
  if (r.fsync) {
    object f;
    f["writes_per_s"] = r.fsync->writes_per_s;
    f["writes"] = r.fsync->writes;
    f["bytes_per_write"] = r.fsync->bytes;
    f["p50_us"] = r.fsync->p50_us;
    f["p99_us"] = r.fsync->p99_us;
    baselines["fsync_ceiling"] = std::move(f);
  }
  if (r.cpu_limit) {
    object l;
    l["cost_per_job_us"] = r.cpu_limit->cost_per_job_us;
    l["cores"] = r.cpu_limit->cores;
    l["limit_per_s"] = r.cpu_limit->limit_per_s;
    l["jobs"] = r.cpu_limit->jobs;
    baselines["signing_cpu_limit"] = std::move(l);
  }
  array bare;
  for (const auto& b : r.bare) {
    object o;
    o["concurrency"] = b.concurrency;
    o["workers"] = b.workers;
    o["phase"] = phase_json(b.phase);
    bare.push_back(std::move(o));
  }
  baselines["bare_http"] = std::move(bare);
  if (!r.baseline_error.empty())
    baselines["error"] = r.baseline_error;
  root["baselines"] = std::move(baselines);
  array scenarios;
  for (const auto& s : r.scenarios) {
    object o;
    o["name"] = s.name;
    o["scenario"] = to_string(s.spec.scenario);
    o["transport"] = to_string(s.spec.transport);
    o["concurrency"] = s.spec.concurrency;
    o["rate_per_s"] = s.spec.rate;
    o["loop"] = s.spec.rate > 0 ? "open" : "closed";
    o["store_sync"] = to_string(s.spec.sync);
    o["warmup_s"] = s.spec.warmup_s;
    if (s.spec.count)
      o["count"] = *s.spec.count;
    else
      o["duration_s"] = s.spec.duration_s;
    o["wall_seconds"] = s.wall_s;
    if (!s.error.empty())
      o["error"] = s.error;
    array phases;
    for (const auto& p : s.phases)
      phases.push_back(phase_json(p));
    o["phases"] = std::move(phases);
    o["correctness"] = correctness_json(s);
    if (s.knee)
      o["knee"] = knee_json(s);
    if (s.wrk)
      o["wrk"] = wrk_json(*s.wrk);
    array notes;
    for (const auto& n : s.notes)
      notes.push_back(boost::json::value(n));
    o["notes"] = std::move(notes);
    scenarios.push_back(std::move(o));
  }
  root["scenarios"] = std::move(scenarios);
  array ratios;
  for (const auto& x : r.ratios) {
    object o;
    o["name"] = x.name;
    o["detail"] = x.detail;
    o["value"] = x.value;
    o["target"] = x.target;
    o["comparison"] = x.at_least ? ">=" : "<=";
    o["met"] = x.met();
    o["leg"] = x.leg;
    ratios.push_back(std::move(o));
  }
  root["ratios"] = std::move(ratios);
  if (r.durable) {
    const auto& t = *r.durable;
    object d;
    d["durable_scenario"] = t.durable_scenario;
    d["no_fsync_scenario"] = t.no_fsync_scenario;
    d["durable_per_s"] = t.durable_per_s;
    d["fsync_ceiling_per_s"] = t.ceiling_per_s;
    d["no_fsync_per_s"] = t.no_fsync_per_s;
    d["ratio_to_fsync_ceiling"] = t.durable_per_s / t.ceiling_per_s;
    d["ratio_to_no_fsync"] = t.durable_per_s / t.no_fsync_per_s;
    d["ceiling_leg_per_s"] = t.ceiling_leg_per_s();
    d["no_fsync_leg_per_s"] = t.no_fsync_leg_per_s();
    d["target_per_s"] = t.target_per_s();
    d["binding_leg"] = t.binding_leg();
    d["met"] = t.met();
    root["durable_target"] = std::move(d);
  }
  return boost::json::serialize(root) + "\n";
}

std::string write_json(const bench_report& r, const std::string& path) {
  auto p = std::filesystem::path(path);
  std::error_code ec;
  if (p.has_parent_path())
    std::filesystem::create_directories(p.parent_path(), ec);
  auto tmp = p;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      return "cannot write " + tmp.string();
    out << to_json(r);
    if (!out.flush())
      return "cannot write " + tmp.string();
  }
  std::filesystem::rename(tmp, p, ec);
  return ec ? "cannot rename " + tmp.string() + ": " + ec.message() : std::string{};
}

} // namespace covsigner::bench
