#include "apps/covsigner-bench/scenarios.hpp"

#include "apps/covsigner-bench/node_host.hpp"
#include "apps/covsigner-bench/remote_check.hpp"
#include "apps/covsigner-bench/remote_target.hpp"
#include "apps/covsigner-bench/signing.hpp"
#include "apps/covsigner-bench/signing_check.hpp"
#include "apps/covsignerctl/dev_keys.hpp"
#include "chain/fault_switch.hpp"
#include "covenant/job.hpp"
#include "crypto/bytes.hpp"

#include <openssl/rand.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

namespace covsigner::bench {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t prepared_jobs = 32; // jobs poll/mixed/outage work on

std::string nonce() {
  std::array<std::uint8_t, 6> b{};
  RAND_bytes(b.data(), static_cast<int>(b.size()));
  return crypto::to_hex(b);
}

std::string key_of(const request_factory& rq, const std::string& rrid) {
  return covenant::make_route_key(rq.route(), rrid);
}

double window_for(double phase_s) { return phase_s <= 20 ? 0.5 : 1.0; }

// `series_s`: the span the time series covers (the whole run for the
// interleaved outage phases, whose own phase_s is half of it).
phase_result summarize(std::string name, load_result& load, double series_s = 0) {
  if (series_s <= 0)
    series_s = load.phase_s;
  phase_result p;
  p.unsent = load.unsent;
  p.name = std::move(name);
  p.phase_s = load.phase_s;
  p.all = load.samples.summarize(load.phase_s);
  for (auto op : {op_kind::new_submit, op_kind::dedupe_submit, op_kind::conflict_submit, op_kind::poll}) {
    auto s = load.samples.summarize(load.phase_s, &op);
    if (s.count)
      p.by_op[op] = s;
  }
  p.windows = load.samples.windows(series_s, window_for(series_s));
  p.warmup_requests = load.warmup_requests;
  return p;
}

// The jobs poll, mixed and outage work on, created before the load (their
// route keys are "<prefix>-p<i>").
struct prepared {
  std::vector<std::string> rrids;
  std::vector<std::string> request_ids;
};

std::variant<prepared, std::string> prepare_jobs(client_factory& clients, const request_factory& rq,
                                                 const std::string& prefix, ack_log& acks) {
  // Created concurrently (one client each), so they share commit rounds.
  prepared p;
  p.rrids.resize(prepared_jobs);
  p.request_ids.resize(prepared_jobs);
  std::vector<outcome> outcomes(prepared_jobs);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < prepared_jobs; ++i) {
    p.rrids[i] = prefix + "-p" + std::to_string(i);
    threads.emplace_back([&, i] {
      auto client = clients.make_client();
      outcomes[i] = client->submit(rq.submit(p.rrids[i]));
    });
  }
  for (auto& t : threads)
    t.join();
  for (std::size_t i = 0; i < prepared_jobs; ++i) {
    acks.sent(0, key_of(rq, p.rrids[i]));
    if (outcomes[i].error != error_kind::none)
      return "preparing job " + std::to_string(i) + ": " + to_string(outcomes[i].error) +
             " (status " + std::to_string(outcomes[i].status) + ")";
    acks.acked(0, key_of(rq, p.rrids[i]), outcomes[i].request_id);
    p.request_ids[i] = outcomes[i].request_id;
  }
  return p;
}

step new_submit(bench_client& c, const request_factory& rq, ack_log& acks, std::size_t worker,
                const std::string& rrid, op_kind op = op_kind::new_submit) {
  auto key = key_of(rq, rrid);
  acks.sent(worker, key);
  step s{op, c.submit(rq.submit(rrid))};
  if (s.result.error == error_kind::none)
    acks.acked(worker, key, s.result.request_id);
  return s;
}

step dedupe_submit(bench_client& c, const request_factory& rq, ack_log& acks, std::size_t worker,
                   const prepared& p, std::uint64_t seq) {
  const auto& rrid = p.rrids[seq % p.rrids.size()];
  step s{op_kind::dedupe_submit, c.submit(rq.submit(rrid))};
  if (s.result.error == error_kind::none)
    acks.acked(worker, key_of(rq, rrid), s.result.request_id);
  return s;
}

step poll_job(bench_client& c, const request_factory& rq, const prepared& p, std::uint64_t seq) {
  auto i = seq % p.rrids.size();
  return step{op_kind::poll, c.poll(rq.poll(p.rrids[i], p.request_ids[i]))};
}

load_plan plan_of(const scenario_spec& s, const std::string& label, double share = 1.0) {
  load_plan plan;
  plan.label = label;
  plan.concurrency = s.concurrency;
  plan.duration_s = s.duration_s * share;
  if (s.count)
    plan.count = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(
                                              static_cast<double>(*s.count) * share));
  plan.rate = s.rate;
  plan.warmup_s = s.warmup_s;
  return plan;
}

std::size_t workers_for(const scenario_spec& s) {
  return s.http_workers ? s.http_workers : std::max<std::size_t>(64, s.concurrency + 16);
}

// The node for every scenario but sigkill: in-process actors, with HTTP in
// front for the http transport, and a fixture chain for the outage.
struct node_and_clients {
  std::unique_ptr<inproc_node> node;
  std::unique_ptr<client_factory> clients;
};

std::variant<node_and_clients, std::string> start_inproc(const scenario_spec& s, const fs::path& dir) {
  inproc_settings settings;
  settings.data_dir = dir;
  settings.sync = s.sync;
  settings.with_chain = s.scenario == scenario_kind::outage;
  settings.with_http = s.transport == transport_kind::http;
  settings.http_workers = workers_for(s);
  auto started = inproc_node::start(settings);
  if (auto* err = std::get_if<std::string>(&started))
    return *err;
  node_and_clients n;
  n.node = std::move(std::get<std::unique_ptr<inproc_node>>(started));
  if (s.transport == transport_kind::http)
    n.clients = http_clients(n.node->http_port());
  else
    n.clients = inproc_clients(n.node->client(), bench_policy(), std::chrono::seconds(60));
  return n;
}

void expect_only(scenario_result& r, const phase_result& p, const std::vector<error_kind>& allowed) {
  for (std::size_t k = 1; k < error_kind_count; ++k) {
    auto kind = static_cast<error_kind>(k);
    if (p.all.errors[k] == 0)
      continue;
    bool ok = false;
    for (auto a : allowed)
      ok = ok || a == kind;
    if (!ok)
      r.expectation_failures.push_back(p.name + ": " + std::to_string(p.all.errors[k]) +
                                       " answers of kind " + to_string(kind));
  }
}

// What one run's load functions share.
struct run_context {
  run_context(const scenario_spec& s, const request_factory& q, client_factory& c, std::string run_id,
              ack_log& a, scenario_result& result)
    : spec(s), rq(q), clients(c), id(std::move(run_id)), acks(a), r(result) {}
  const scenario_spec& spec;
  const request_factory& rq;
  client_factory& clients;
  const std::string id; // this run's route-key namespace
  ack_log& acks;
  scenario_result& r;
  std::optional<prepared> jobs; // poll, mixed, outage
  // Route key -> the payload variant its job was created with (the conflict
  // storm's winner), so the remote check polls with the job's own digest.
  std::map<std::string, std::uint64_t> variants;
  std::atomic<std::uint64_t> conflict_winner{0};
};

bool needs_prepared_jobs(scenario_kind k) {
  return k == scenario_kind::poll || k == scenario_kind::mixed || k == scenario_kind::outage;
}

std::vector<error_kind> expected_errors(scenario_kind k) {
  if (k == scenario_kind::conflict)
    return {error_kind::bad_request};
  return {};
}

// The request function of unique, duplicate, conflict, poll and mixed.
// `tag` keeps new keys of different knee steps apart; `seq_base` keeps the
// conflict storm's payload variants distinct across steps.
request_fn load_fn(run_context& ctx, const std::string& tag, std::uint64_t seq_base) {
  const auto& rq = ctx.rq;
  auto& acks = ctx.acks;
  const std::string id = ctx.id + tag;
  switch (ctx.spec.scenario) {
    case scenario_kind::unique:
      return [&rq, &acks, id](bench_client& c, std::uint64_t seq, std::size_t w) {
        return new_submit(c, rq, acks, w, "u-" + id + "-" + std::to_string(seq));
      };
    case scenario_kind::duplicate:
      return [&rq, &acks, key = key_of(rq, "d-" + ctx.id), rrid = "d-" + ctx.id](
               bench_client& c, std::uint64_t, std::size_t w) {
        step s{op_kind::dedupe_submit, c.submit(rq.submit(rrid))};
        if (s.result.error == error_kind::none)
          acks.acked(w, key, s.result.request_id);
        return s;
      };
    case scenario_kind::conflict:
      // One route key; request `seq` carries payload variant `seq`, so
      // only the request that created the job is ever answered 200.
      return [&rq, &acks, &winner = ctx.conflict_winner, key = key_of(rq, "c-" + ctx.id),
              rrid = "c-" + ctx.id, seq_base](bench_client& c, std::uint64_t seq, std::size_t w) {
        step s{op_kind::conflict_submit, c.submit(rq.submit_variant(rrid, seq_base + seq))};
        if (s.result.error == error_kind::none) {
          acks.acked(w, key, s.result.request_id);
          winner = seq_base + seq;
        }
        return s;
      };
    case scenario_kind::poll:
      return [&rq, &p = *ctx.jobs](bench_client& c, std::uint64_t seq, std::size_t) {
        return poll_job(c, rq, p, seq);
      };
    case scenario_kind::mixed:
      // 70% dedupe hits, 20% polls, 10% new submits.
      return [&rq, &acks, &p = *ctx.jobs, id](bench_client& c, std::uint64_t seq, std::size_t w) {
        auto slot = seq % 10;
        if (slot == 0)
          return new_submit(c, rq, acks, w, "m-" + id + "-" + std::to_string(seq));
        if (slot <= 2)
          return poll_job(c, rq, p, seq / 10);
        return dedupe_submit(c, rq, acks, w, p, seq);
      };
    case scenario_kind::outage:
    case scenario_kind::sigkill:
    case scenario_kind::sign:
    case scenario_kind::sign_mixed:
      break;
  }
  return {};
}

// The single storm keys exist before the load: the bench sent them.
void mark_sent_keys(run_context& ctx) {
  if (ctx.spec.scenario == scenario_kind::duplicate)
    ctx.acks.sent(0, key_of(ctx.rq, "d-" + ctx.id));
  if (ctx.spec.scenario == scenario_kind::conflict)
    ctx.acks.sent(0, key_of(ctx.rq, "c-" + ctx.id));
}

std::uint64_t unexpected_errors(const phase_result& p, scenario_kind k, std::string& text) {
  std::uint64_t n = 0;
  auto allowed = expected_errors(k);
  for (std::size_t e = 1; e < error_kind_count; ++e) {
    auto kind = static_cast<error_kind>(e);
    if (!p.all.errors[e] || std::find(allowed.begin(), allowed.end(), kind) != allowed.end())
      continue;
    n += p.all.errors[e];
    text += (text.empty() ? "" : " ") + to_string(kind) + ":" + std::to_string(p.all.errors[e]);
  }
  return n;
}

// --find-knee: each step a fresh open-loop run on the same clients and node.
void run_knee(run_context& ctx) {
  std::uint64_t seq_base = 0;
  auto step = [&](std::size_t i, double rate) {
    load_plan plan = plan_of(ctx.spec, ctx.r.name + " step " + std::to_string(i + 1));
    plan.rate = rate;
    plan.duration_s = ctx.spec.knee.step_s;
    plan.count.reset();
    plan.warmup_s = i == 0 ? ctx.spec.warmup_s : 0;
    auto load = run_load(ctx.clients, plan, load_fn(ctx, "s" + std::to_string(i), seq_base));
    seq_base += load.issued;
    char name[48];
    std::snprintf(name, sizeof name, "step %zu @ %.0f/s", i + 1, rate);
    ctx.r.knee_phases.push_back(summarize(name, load));
    step_outcome o;
    o.phase = &ctx.r.knee_phases.back();
    o.unexpected_errors = unexpected_errors(*o.phase, ctx.spec.scenario, o.errors_text);
    return o;
  };
  ctx.r.knee_phases.reserve(ctx.spec.knee.max_steps);
  ctx.r.knee = find_knee(ctx.spec.knee, step);
  if (!ctx.r.knee->knee_per_s)
    ctx.r.expectation_failures.push_back("knee: no step held (" + ctx.r.knee->stop_reason +
                                         "): start lower with --rate");
}

// The measured load of unique, duplicate, conflict, poll and mixed (after
// the prepared jobs, if any): one run, or the knee search.
void run_standard(run_context& ctx) {
  mark_sent_keys(ctx);
  if (needs_prepared_jobs(ctx.spec.scenario)) {
    auto prep = prepare_jobs(ctx.clients, ctx.rq, "j-" + ctx.id, ctx.acks);
    if (auto* err = std::get_if<std::string>(&prep)) {
      ctx.r.error = *err;
      return;
    }
    ctx.jobs = std::move(std::get<prepared>(prep));
  }
  if (ctx.spec.knee.enabled) {
    run_knee(ctx);
  } else {
    auto load = run_load(ctx.clients, plan_of(ctx.spec, ctx.r.name), load_fn(ctx, "", 0));
    ctx.r.phases.push_back(summarize("load", load));
    auto allowed = expected_errors(ctx.spec.scenario);
    expect_only(ctx.r, ctx.r.phases.back(), allowed);
  }
  if (ctx.spec.scenario == scenario_kind::conflict && ctx.acks.merge().acked.size())
    ctx.variants[key_of(ctx.rq, "c-" + ctx.id)] = ctx.conflict_winner.load();
}

void run_sigkill(const scenario_spec& s, const request_factory& rq, const fs::path& dir,
                 const std::string& id, ack_log& acks, scenario_result& r) {
  child_settings cs;
  cs.program = s.covsignerd.empty() ? (own_directory() / "covsignerd").string() : s.covsignerd;
  cs.data_dir = dir;
  cs.log_file = dir.string() + "-covsignerd.log";
  cs.sync = s.sync;
  cs.http_workers = workers_for(s);
  child_node child(cs);
  if (auto err = child.start()) {
    r.error = *err;
    return;
  }
  auto clients = http_clients(child.port(), 10);
  // Kills: every kill_every_s, or three spread over a duration run (one a
  // second for a count run), each followed at once by a restart on the
  // same port and data dir.
  std::vector<double> at;
  double span = s.count ? 3.0 : s.duration_s;
  double every = s.kill_every_s > 0 ? s.kill_every_s : span / 4;
  for (double t = every; t < span - 1e-9 && at.size() < 1000; t += every)
    at.push_back(t);
  std::mutex notes_mutex;
  std::vector<timed_event> events;
  for (double t : at)
    events.push_back({t, [&, t] {
                        auto k0 = std::chrono::steady_clock::now();
                        child.kill_now();
                        auto err = child.start();
                        double down = std::chrono::duration<double>(std::chrono::steady_clock::now() - k0).count();
                        char line[160];
                        std::snprintf(line, sizeof line, "SIGKILL at %.2f s; back after %.0f ms%s", t,
                                      down * 1000, err ? " (restart FAILED)" : "");
                        std::lock_guard lock(notes_mutex);
                        r.notes.push_back(line);
                        if (err)
                          r.error = "restart after SIGKILL: " + *err;
                      }});
  auto load = run_load(*clients, plan_of(s, r.name), [&](bench_client& c, std::uint64_t seq, std::size_t w) {
    return new_submit(c, rq, acks, w, "k-" + id + "-" + std::to_string(seq));
  }, events);
  r.phases.push_back(summarize("load", load));
  if (auto err = child.stop())
    r.expectation_failures.push_back("final stop: " + *err);
  // Connection errors are expected while the node is down; nothing else.
  expect_only(r, r.phases.back(), {error_kind::connection, error_kind::timeout});
}

// The registry outage (our own in-process node's fixture chain only).
void run_outage(run_context& ctx, chain::fault_switch* faults) {
  const auto& spec = ctx.spec;
  const auto& rq = ctx.rq;
  auto& acks = ctx.acks;
  auto& r = ctx.r;
  const auto& id = ctx.id;
  auto prep = prepare_jobs(ctx.clients, rq, "j-" + id, acks);
  if (auto* err = std::get_if<std::string>(&prep)) {
    r.error = *err;
    return;
  }
  auto& p = std::get<prepared>(prep);
  if (!faults) {
    r.error = "the node has no fixture chain fault switch";
    return;
  }
  auto& clients = ctx.clients;
  // 90% dedupe hits of the prepared jobs, 10% new submits, while
  // the WalletRegistry source (only it: Bridge, host chain and
  // Bitcoin answer normally) fails in every other time slice. The
  // slices interleave so both phases share the machine's background
  // load (it is shared); a request belongs to the phase of its
  // intended send time. New submits may be refused (503) during the
  // outage once chain checks run on submits; dedupe hits must not be.
  auto fn = [&](bench_client& c, std::uint64_t seq, std::size_t w) {
    if (seq % 10 == 0)
      return new_submit(c, rq, acks, w, "o-" + id + "-" + std::to_string(seq));
    return dedupe_submit(c, rq, acks, w, p, seq);
  };
  const double slice = spec.count ? 0.1 : std::max(0.1, spec.duration_s / 10);
  const double span = spec.count ? 60.0 : spec.duration_s;
  std::vector<timed_event> events;
  for (int k = 1; k * slice < span - 1e-9; ++k)
    events.push_back({k * slice, [faults, on = k % 2 == 1] {
                        if (on)
                          faults->set(chain::fault_mode::fail, std::chrono::milliseconds(0),
                                      "WalletRegistry");
                        else
                          faults->set(chain::fault_mode::none);
                      }});
  auto load = run_load(clients, plan_of(spec, r.name), fn, events);
  faults->set(chain::fault_mode::none);
  const auto slice_us = static_cast<std::uint64_t>(slice * 1e6);
  load_result with;
  with.samples = load.samples.extract_if(
    [&](const sample& x) { return (x.sent_us / slice_us) % 2 == 1; });
  with.phase_s = load.phase_s / 2;
  load_result without;
  without.samples = std::move(load.samples);
  without.phase_s = load.phase_s / 2;
  without.warmup_requests = load.warmup_requests;
  r.phases.push_back(summarize("no-outage", without, load.phase_s));
  expect_only(r, r.phases.back(), {});
  r.phases.push_back(summarize("outage", with, load.phase_s));
  auto& ph = r.phases.back();
  auto it = ph.by_op.find(op_kind::dedupe_submit);
  if (it != ph.by_op.end())
    for (std::size_t k = 1; k < error_kind_count; ++k)
      if (it->second.errors[k])
        r.expectation_failures.push_back(
          "outage: " + std::to_string(it->second.errors[k]) + " dedupe hits answered " +
          to_string(static_cast<error_kind>(k)));
  char note[200];
  std::snprintf(note, sizeof note,
                "outage: the fixture WalletRegistry source fails every read (fault_switch "
                "fail, WalletRegistry only) in alternate %.1f s slices",
                slice);
  r.notes.push_back(note);
}


// A signing client's op: submit, then poll until the job is terminal (an
// HTTP submit already waits for it, up to the node's submit wait). READY is
// the only success; the request ids answered READY are the ones the
// signed-job check verifies.
step sign_op(bench_client& c, const request_factory& rq, ack_log& acks, std::size_t worker,
             const std::string& rrid) {
  auto key = key_of(rq, rrid);
  acks.sent(worker, key);
  step s{op_kind::new_submit, c.submit_on(rq.route(), rq.submit(rrid))};
  if (s.result.error != error_kind::none)
    return s;
  acks.acked(worker, key, s.result.request_id);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (s.result.job_status == "PENDING" && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    auto polled = c.poll_on(rq.route(), rq.poll(rrid, s.result.request_id));
    if (polled.error != error_kind::none)
      return step{op_kind::new_submit, polled};
    s.result.job_status = polled.job_status;
  }
  if (s.result.job_status != "READY") {
    s.result.error = error_kind::other_status;
    s.result.detail = "job " + s.result.request_id + " ended " + s.result.job_status;
  }
  return s;
}

// sign and sign-mixed: a node with the dev signer on the development
// fixture chain; every op signs a new route key (self_v1, or qc_v1 and
// self_v1 alternating) to READY.
void run_sign(const scenario_spec& spec, const fs::path& dir, const std::string& id, ack_log& acks,
              scenario_result& r) {
  auto fixture = write_signing_fixture(dir);
  if (auto* err = std::get_if<std::string>(&fixture)) {
    r.error = *err;
    return;
  }
  auto self_v1 = request_factory::make_certified(bench_domain(), "self_v1");
  auto qc_v1 = request_factory::make_certified(bench_domain(), "qc_v1");
  for (auto* made : {&self_v1, &qc_v1})
    if (auto* err = std::get_if<std::string>(made)) {
      r.error = "signing bodies: " + *err;
      return;
    }
  inproc_settings settings;
  settings.data_dir = dir;
  settings.sync = spec.sync;
  settings.with_http = true; // options.cpp refuses inproc: certificates need the chain head
  settings.http_workers = workers_for(spec);
  settings.signing_chain_file = std::get<signing_fixture>(fixture).chain_file;
  settings.signing_key_file = std::get<signing_fixture>(fixture).key_file;
  auto started = inproc_node::start(settings);
  if (auto* err = std::get_if<std::string>(&started)) {
    r.error = *err;
    return;
  }
  auto& node = std::get<std::unique_ptr<inproc_node>>(started);
  auto clients = http_clients(node->http_port());
  const bool mixed = spec.scenario == scenario_kind::sign_mixed;
  const auto& self_rq = std::get<request_factory>(self_v1);
  const auto& qc_rq = std::get<request_factory>(qc_v1);
  auto load = run_load(*clients, plan_of(spec, r.name), [&](bench_client& c, std::uint64_t seq, std::size_t w) {
    const auto& rq = mixed && seq % 2 == 1 ? qc_rq : self_rq;
    return sign_op(c, rq, acks, w, "s-" + id + "-" + std::to_string(seq));
  });
  r.phases.push_back(summarize("load", load));
  expect_only(r, r.phases.back(), {});
  clients.reset();
  node->stop();
  r.notes.push_back(std::string("signing: ") + (mixed ? "qc_v1 and self_v1" : "self_v1") +
                    " certified dev-key bodies, development fixture chain, PUBLIC dev signer key; "
                    "the spend-authorization gate on (the fixture authorizes each route's one spend)");
}

void run_own_node(const scenario_spec& spec, const request_factory& rq, const fs::path& dir,
                  const std::string& id, ack_log& acks, scenario_result& r) {
  if (spec.scenario == scenario_kind::sigkill) {
    run_sigkill(spec, rq, dir, id, acks, r);
    return;
  }
  if (signs_jobs(spec.scenario)) {
    run_sign(spec, dir, id, acks, r);
    return;
  }
  auto started = start_inproc(spec, dir);
  if (auto* err = std::get_if<std::string>(&started)) {
    r.error = *err;
    return;
  }
  auto& n = std::get<node_and_clients>(started);
  run_context ctx(spec, rq, *n.clients, id, acks, r);
  if (spec.scenario == scenario_kind::outage)
    run_outage(ctx, n.node->faults());
  else
    run_standard(ctx);
  n.clients.reset();
  n.node->stop();
}

// A --url node: the same load, then wrk (duplicate) and the remote check.
void run_remote(const scenario_spec& spec, const request_factory& rq, const remote_target& target,
                const std::string& id, ack_log& acks, scenario_result& r) {
  auto clients = target.clients();
  run_context ctx(spec, rq, *clients, id, acks, r);
  run_standard(ctx);
  if (!r.error.empty())
    return;
  if (spec.wrk_baseline && spec.scenario == scenario_kind::duplicate && !spec.knee.enabled) {
    std::fprintf(stderr, "client baseline: wrk on %s, same body, %zu connections ...\n",
                 target.endpoints.front().base_url.c_str(), spec.concurrency);
    r.wrk = run_wrk(target.endpoints.front(), rq.submit("d-" + id), spec.concurrency, spec.duration_s);
    if (target.endpoints.size() > 1)
      r.notes.push_back("wrk drove the first --url only");
  }
  remote_check_settings check;
  check.rate_per_s = spec.check_rate;
  check.clients = std::min<std::size_t>(16, spec.concurrency);
  r.correctness = check_remote(*clients, rq, acks.merge(), ctx.variants, check);
  for (const auto& p : r.phases)
    if (p.all.errors[static_cast<std::size_t>(error_kind::rate_limited)])
      r.notes.push_back("429: the node's per-token budgets (covsignerd --rate-limit.*) refused "
                        "requests; benchmark with them raised or 0 (unlimited)");
}

// Every job a client saw READY (one request id per acknowledged key: the
// store check already failed on a split) goes through check_signed_jobs.
void check_signed(const fs::path& dir, const ack_log::merged& seen, correctness_report& r) {
  signed_check_inputs in;
  in.data_dir = dir;
  in.chain_file = dir.parent_path() / (dir.filename().string() + "-chain.json");
  in.signer_public_key = crypto::serialize_compressed(
    crypto::derive_public_key(ctl::dev_private_key(ctl::dev_signer_fill)));
  in.custodian_key = ctl::dev_private_key(ctl::dev_custodian_fill);
  for (const auto& [key, ids] : seen.acked)
    in.signed_request_ids.insert(ids.begin(), ids.end());
  check_signed_jobs(in, r);
}

} // namespace

scenario_spec spec_from(const bench_options& o) {
  scenario_spec s;
  s.scenario = o.scenario;
  s.transport = o.scenario == scenario_kind::sigkill || signs_jobs(o.scenario) ? transport_kind::http
                                                                                : o.transport;
  s.concurrency = o.concurrency;
  s.duration_s = o.duration_s;
  s.count = o.count;
  s.rate = o.rate;
  s.warmup_s = o.warmup_s;
  s.sync = o.sync;
  s.http_workers = o.http_workers;
  s.kill_every_s = o.kill_every_s;
  s.covsignerd = o.covsignerd;
  s.keep_data = o.keep_data;
  s.remote = o.remote();
  s.check_rate = o.check_rate;
  s.wrk_baseline = o.remote() && o.baselines;
  if (o.find_knee) {
    s.knee.enabled = true;
    s.knee.start_rate = o.rate > 0 ? o.rate : o.knee_start_rate;
    s.knee.growth = o.knee_growth;
    s.knee.step_s = o.step_duration_s;
    s.knee.p99_budget_us = o.p99_budget_s * 1e6;
    s.knee.max_steps = o.knee_max_steps;
    s.knee.concurrency = o.concurrency;
    s.rate = 0; // each step sets its own
  }
  return s;
}

void remove_run_data(const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  for (auto suffix : {"-chain.json", "-http.log", "-covsignerd.log", "-signer.key"})
    fs::remove(dir.string() + suffix, ec);
}

std::string scenario_name(const scenario_spec& s) {
  std::string n = to_string(s.scenario) + " " + (s.remote ? "url" : to_string(s.transport)) +
                  " c" + std::to_string(s.concurrency);
  if (s.knee.enabled)
    n += " knee";
  if (s.rate > 0)
    n += " r" + std::to_string(static_cast<long long>(s.rate));
  if (s.remote)
    return n; // the node's store.sync is its own
  if (!s.sync.fsync)
    n += " no-fsync";
  else if (s.sync.rounds != persistence::sync_mode::group)
    n += " " + to_string(s.sync);
  return n;
}

scenario_result run_scenario(const scenario_spec& spec, const request_factory& rq,
                             const fs::path& data_parent, const remote_target* target) {
  auto wall0 = std::chrono::steady_clock::now();
  scenario_result r;
  r.spec = spec;
  r.name = scenario_name(spec);
  const std::string id = nonce();
  ack_log acks(std::max<std::size_t>(1, spec.concurrency));
  if (target) {
    run_remote(spec, rq, *target, id, acks, r);
  } else {
    const fs::path dir = data_parent / ("run-" + to_string(spec.scenario) + "-" + id);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
      r.error = "cannot create " + dir.string() + ": " + ec.message();
      return r;
    }
    r.data_dir = dir;
    run_own_node(spec, rq, dir, id, acks, r);
    if (r.error.empty())
      r.correctness = check_store(dir, acks.merge());
    if (r.error.empty() && signs_jobs(spec.scenario))
      check_signed(dir, acks.merge(), r.correctness);
    // Removal waits for the disk (unlinks are journalled); the runner does it
    // after the last measurement so it neither slows nor disturbs the next run.
    if (spec.keep_data)
      r.notes.push_back("data kept in " + dir.string());
  }
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return r;
}

} // namespace covsigner::bench
