#include "apps/covsigner-bench/suite.hpp"

#include "apps/covsigner-bench/fs_type.hpp"
#include "apps/covsigner-bench/node_host.hpp"
#include "apps/covsigner-bench/remote_target.hpp"
#include "apps/covsigner-bench/requests.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <thread>

namespace covsigner::bench {

namespace fs = std::filesystem;

namespace {

scenario_spec spec(scenario_kind k, transport_kind t, std::size_t c, double seconds,
                   const bench_options& o) {
  scenario_spec s;
  s.scenario = k;
  s.transport = t;
  s.concurrency = c;
  s.duration_s = seconds;
  s.warmup_s = 1;
  s.sync = o.sync;
  s.covsignerd = o.covsignerd;
  s.keep_data = o.keep_data;
  return s;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

phase_result bare_baseline(const request_factory& rq, std::size_t concurrency, std::size_t workers,
                           double seconds, double warmup) {
  bare_server server(workers);
  auto clients = http_clients(server.port());
  load_plan plan;
  plan.label = "bare handler c" + std::to_string(concurrency);
  plan.concurrency = concurrency;
  plan.duration_s = seconds;
  plan.warmup_s = warmup;
  // The same body a dedupe hit sends, through the same client code.
  const std::string body = rq.submit("bare-baseline");
  auto load = run_load(*clients, plan, [&](bench_client& c, std::uint64_t, std::size_t) {
    return step{op_kind::dedupe_submit, c.submit(body)};
  });
  phase_result p;
  p.name = "bare";
  p.phase_s = load.phase_s;
  p.all = load.samples.summarize(load.phase_s);
  p.windows = load.samples.windows(load.phase_s, load.phase_s <= 20 ? 0.5 : 1.0);
  p.warmup_requests = load.warmup_requests;
  return p;
}

} // namespace

run_plan standard_suite(const bench_options& o) {
  using enum scenario_kind;
  using enum transport_kind;
  run_plan p;
  p.baseline_s = 3;
  p.bare_concurrency = {64};
  p.scenarios.push_back(spec(unique, http, 256, 12, o));
  // The same scenario with every fsync skipped (issue 8's second baseline:
  // durable must reach 70 % of it, or 5x the fsync ceiling, whichever is
  // lower), right after the durable run so both see the same machine. 8 s,
  // not 12: at ~3x the durable rate its files would otherwise add ~20 s of
  // cleanup and push the suite toward 3 minutes; a shorter run on a smaller
  // store, if anything, flatters the no-fsync rate, so its leg gets stricter.
  auto no_fsync = spec(unique, http, 256, 8, o);
  no_fsync.sync = {persistence::sync_mode::group, false};
  p.scenarios.push_back(no_fsync);
  auto per_job = spec(unique, http, 256, 5, o);
  per_job.sync = {persistence::sync_mode::per_job, true};
  p.scenarios.push_back(per_job);
  p.scenarios.push_back(spec(unique, inproc, 64, 6, o));
  p.scenarios.push_back(spec(duplicate, http, 64, 8, o));
  p.scenarios.push_back(spec(duplicate, inproc, 64, 5, o));
  p.scenarios.push_back(spec(conflict, http, 64, 4, o));
  p.scenarios.push_back(spec(poll, http, 64, 5, o));
  p.scenarios.push_back(spec(mixed, http, 64, 6, o));
  p.scenarios.push_back(spec(outage, http, 64, 10, o));
  // Signing at the machine's limit (issue 17): durable at c16 and c64, the
  // c64 run again with fsync off, and qc_v1 and self_v1 mixed.
  p.signing_cpu_limit = true;
  p.scenarios.push_back(spec(sign, http, 16, 5, o));
  p.scenarios.push_back(spec(sign, http, 64, 6, o));
  auto sign_no_fsync = spec(sign, http, 64, 6, o);
  sign_no_fsync.sync = {persistence::sync_mode::group, false};
  p.scenarios.push_back(sign_no_fsync);
  p.scenarios.push_back(spec(sign_mixed, http, 64, 5, o));
  auto kill = spec(sigkill, http, 32, 6, o);
  kill.kill_every_s = 2;
  p.scenarios.push_back(kill);
  return p;
}

run_plan single_run(const bench_options& o) {
  run_plan p;
  p.scenarios.push_back(spec_from(o));
  // A --url node's disk and server are not ours: its baseline is wrk's
  // (scenario_spec::wrk_baseline), not our disk's fsync or a local handler.
  p.fsync_baseline = o.baselines && !o.remote();
  p.baseline_s = o.baseline_s;
  p.signing_cpu_limit = o.baselines && signs_jobs(o.scenario);
  if (o.baselines && !o.remote() && p.scenarios.front().transport == transport_kind::http)
    p.bare_concurrency = {o.concurrency};
  return p;
}

namespace {

std::variant<request_factory, std::string> bodies_for(const bench_options& o) {
  if (!o.body_template.empty())
    return request_factory::from_template(o.body_template);
  return request_factory::make(bench_policy());
}

// Our own nodes' data parent: created, on a real disk when the plan is durable.
std::optional<fs::path> prepare_data_dir(const bench_options& o, const run_plan& plan,
                                         bench_report& r, std::string& error) {
  fs::path data = o.data_dir.empty() ? own_directory().parent_path() / "bench-data" : fs::path(o.data_dir);
  std::error_code ec;
  fs::create_directories(data, ec);
  if (ec) {
    error = "cannot create the data dir " + data.string() + ": " + ec.message();
    return std::nullopt;
  }
  data = fs::absolute(data);
  r.data_dir = data.string();
  r.fs_type = fs_type_name(data);
  bool durable = plan.fsync_baseline;
  for (const auto& s : plan.scenarios)
    durable = durable || creates_jobs(s.scenario);
  if (durable && is_tmpfs(data)) {
    error = "the data dir " + data.string() + " is on " + r.fs_type +
            ": durable results there have no fsync cost and would flatter every number; pass "
            "--data-dir on a real disk";
    return std::nullopt;
  }
  return data;
}

// The --url node(s): parsed, refused unless loopback or --allow-remote,
// and each sent one body, which must be accepted.
std::optional<remote_target> prepare_target(const bench_options& o, request_factory& rq,
                                            bench_report& r, std::string& error) {
  auto made = make_target(o, rq);
  if (auto* err = std::get_if<std::string>(&made)) {
    error = *err;
    return std::nullopt;
  }
  auto& target = std::get<remote_target>(made);
  r.target = target.describe();
  r.data_dir = "-";
  r.fs_type = "remote node";
  r.sync = "the node's";
  std::cerr << "probe: one submit to " << r.target << " ...\n";
  auto err = probe_target(target, rq);
  // A node with a chain (examples/dev.ini) verifies signer approval
  // certificates and requires one; a node without refuses one. So the dev
  // body goes without, and with a certificate only when the node asks.
  if (err && o.body_template.empty() && err->find("signerApproval is required") != std::string::npos) {
    auto certified = request_factory::make_certified(bench_domain());
    if (auto* e = std::get_if<std::string>(&certified)) {
      error = *e;
      return std::nullopt;
    }
    std::cerr << "probe: the node requires a signer approval certificate; again with one ...\n";
    rq = std::move(std::get<request_factory>(certified));
    err = probe_target(target, rq);
  }
  if (err) {
    error = *err;
    return std::nullopt;
  }
  r.bodies = rq.origin();
  return std::move(target);
}

} // namespace

bench_report run_plan_now(const bench_options& o, const run_plan& plan, std::string& error) {
  auto wall0 = std::chrono::steady_clock::now();
  bench_report r;
  r.started_at = utc_now();
  r.suite = o.suite;
  r.cores = std::thread::hardware_concurrency();
  r.sync = to_string(o.sync);
  auto made = bodies_for(o);
  if (auto* err = std::get_if<std::string>(&made)) {
    error = *err;
    return r;
  }
  auto& rq = std::get<request_factory>(made);
  r.bodies = rq.origin();
  std::optional<remote_target> target;
  fs::path data;
  if (o.remote()) {
    target = prepare_target(o, rq, r, error);
    if (!target)
      return r;
  } else if (auto d = prepare_data_dir(o, plan, r, error)) {
    data = *d;
  } else {
    return r;
  }

  if (plan.fsync_baseline) {
    std::cerr << "baseline: one-at-a-time atomic writes in " << data.string() << " ...\n";
    auto c = measure_fsync_ceiling(data / "fsync-ceiling", plan.baseline_s);
    if (auto* e = std::get_if<std::string>(&c))
      r.baseline_error = *e;
    else
      r.fsync = std::get<fsync_ceiling>(c);
  }
  if (plan.signing_cpu_limit) {
    std::cerr << "baseline: one signed self_v1 job at a time, one thread, fsync off ...\n";
    auto l = measure_signing_cpu_limit(data / "signing-cpu-limit", plan.baseline_s);
    if (auto* e = std::get_if<std::string>(&l))
      r.baseline_error = *e;
    else
      r.cpu_limit = std::get<signing_cpu_limit>(l);
  }
  for (auto c : plan.bare_concurrency) {
    std::size_t workers = std::max<std::size_t>(64, c + 16);
    r.bare.push_back({c, workers, bare_baseline(rq, c, workers, plan.baseline_s, 0.5)});
  }
  for (const auto& s : plan.scenarios) {
    r.scenarios.push_back(run_scenario(s, rq, data, target ? &*target : nullptr));
    const auto& last = r.scenarios.back();
    std::cerr << "  " << last.name << ": " << static_cast<int>(last.wall_s + 0.5) << " s wall\n";
    if (!last.passed())
      std::cerr << "  " << last.name << ": " << (last.error.empty() ? "check FAILED" : last.error) << "\n";
  }
  compute_ratios(r);
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return r;
}

} // namespace covsigner::bench

namespace covsigner::bench {

void remove_runs_data(const bench_report& report) {
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (const auto& s : report.scenarios)
    if (!s.data_dir.empty())
      threads.emplace_back([dir = s.data_dir] { remove_run_data(dir); });
  for (auto& t : threads)
    t.join();
  if (threads.empty())
    return; // a --url run keeps no data here
  std::fprintf(stderr, "removed the runs' data in %.1f s\n",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

} // namespace covsigner::bench
