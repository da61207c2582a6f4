#include "apps/covsigner-bench/options.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string_view>

namespace covsigner::bench {

namespace {

std::optional<double> parse_double(std::string_view s) {
  if (s.empty())
    return std::nullopt;
  std::string copy(s);
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !(v >= 0))
    return std::nullopt;
  return v;
}

std::optional<std::uint64_t> parse_count(std::string_view s) {
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size())
    return std::nullopt;
  return v;
}

// "30s", "500ms", "2m" or a plain number of seconds.
std::optional<double> parse_seconds(std::string_view s) {
  double scale = 1;
  if (s.ends_with("ms")) {
    scale = 0.001;
    s.remove_suffix(2);
  } else if (s.ends_with("s")) {
    s.remove_suffix(1);
  } else if (s.ends_with("m")) {
    scale = 60;
    s.remove_suffix(1);
  }
  auto v = parse_double(s);
  if (!v)
    return std::nullopt;
  return *v * scale;
}

std::optional<scenario_kind> parse_scenario(std::string_view s) {
  for (auto k : {scenario_kind::unique, scenario_kind::duplicate, scenario_kind::conflict,
                 scenario_kind::poll, scenario_kind::mixed, scenario_kind::outage,
                 scenario_kind::sigkill, scenario_kind::sign, scenario_kind::sign_mixed})
    if (s == to_string(k))
      return k;
  return std::nullopt;
}

// "5s", "250ms": how usage() shows a default duration.
std::string show_seconds(double s) {
  char buf[32];
  if (s < 1)
    std::snprintf(buf, sizeof buf, "%gms", s * 1000);
  else
    std::snprintf(buf, sizeof buf, "%gs", s);
  return buf;
}

std::string show_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// --url-file: one URL per line; blank lines and #-comments skipped.
std::optional<std::string> read_url_file(const std::string& path, std::vector<std::string>& urls) {
  std::ifstream in(path);
  if (!in)
    return "cannot read --url-file [" + path + "]";
  std::string line;
  std::size_t before = urls.size();
  while (std::getline(in, line)) {
    auto hash = line.find('#');
    if (hash != std::string::npos)
      line.resize(hash);
    auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos)
      continue;
    auto e = line.find_last_not_of(" \t\r");
    urls.push_back(line.substr(b, e - b + 1));
  }
  if (urls.size() == before)
    return "--url-file [" + path + "] lists no URL";
  return std::nullopt;
}

// What only makes sense with a node of our own, or only with --url.
std::optional<std::string> check_combinations(const bench_options& o) {
  if (o.scenario == scenario_kind::sigkill && o.transport == transport_kind::inproc && o.suite.empty())
    return "--scenario=sigkill kills a covsignerd child process: it needs --transport=http";
  if (o.find_knee && (o.scenario == scenario_kind::sigkill || o.scenario == scenario_kind::outage ||
                      signs_jobs(o.scenario)))
    return "--find-knee steps the rate of unique, duplicate, conflict, poll or mixed, not " +
           to_string(o.scenario);
  if (signs_jobs(o.scenario) && o.transport == transport_kind::inproc && o.suite.empty())
    return "--scenario=" + to_string(o.scenario) +
           " validates certificates against the node's chain head over HTTP: it needs --transport=http";
  if (o.find_knee && !o.suite.empty())
    return "--find-knee runs one --scenario, not a --suite";
  if (!o.remote()) {
    if (!o.auth_token_file.empty() || !o.ca_file.empty() || !o.body_template.empty() || o.allow_remote)
      return "--auth-token-file, --ca-file, --body-template and --allow-remote need --url";
    return std::nullopt;
  }
  if (!o.suite.empty())
    return "--suite=standard starts its own nodes; with --url run one --scenario at a time";
  if (o.scenario == scenario_kind::sigkill || o.scenario == scenario_kind::outage)
    return "--scenario=" + to_string(o.scenario) +
           " needs a node of the bench's own (it kills it or breaks its chain): not with --url";
  if (signs_jobs(o.scenario))
    return "--scenario=" + to_string(o.scenario) +
           " signs with the PUBLIC dev key on the bench's own fixture-chain node: not with --url";
  if (o.transport == transport_kind::inproc)
    return "--url drives a node over HTTP(S): --transport=inproc does not apply";
  return std::nullopt;
}

} // namespace

std::string to_string(scenario_kind s) {
  switch (s) {
    case scenario_kind::unique:
      return "unique";
    case scenario_kind::duplicate:
      return "duplicate";
    case scenario_kind::conflict:
      return "conflict";
    case scenario_kind::poll:
      return "poll";
    case scenario_kind::mixed:
      return "mixed";
    case scenario_kind::outage:
      return "outage";
    case scenario_kind::sigkill:
      return "sigkill";
    case scenario_kind::sign:
      return "sign";
    case scenario_kind::sign_mixed:
      return "sign-mixed";
  }
  return "?";
}

std::string to_string(transport_kind t) {
  return t == transport_kind::inproc ? "inproc" : "http";
}

bool creates_jobs(scenario_kind s) {
  return s == scenario_kind::unique || s == scenario_kind::mixed || s == scenario_kind::sigkill ||
         signs_jobs(s);
}

bool signs_jobs(scenario_kind s) { return s == scenario_kind::sign || s == scenario_kind::sign_mixed; }

namespace {

// The sections whose defaults come from bench_options itself.
std::string usage_remote_and_knee() {
  const bench_options d;
  return R"(
A running node (--url): a LOAD TEST. It sends thousands of signed submits, creates as many jobs
in that node's store (they stay there) and may saturate it: point it only at a node you may load.
  --url=http(s)://HOST:PORT drive this node instead of starting one; repeat it (or --url-file)
                            to spread the clients round-robin over several nodes
  --url-file=FILE           one URL per line (# comments)
  --allow-remote            allow targets other than loopback (127.0.0.0/8, ::1, localhost);
                            without it they are refused
  --auth-token-file=FILE    the node's client bearer token (first non-empty line)
  --ca-file=FILE            PEM CA bundle that signs an https:// node's certificate
                            (default: the system's)
  --connect-timeout=T       per connection ()" + show_seconds(d.connect_timeout_s) + R"()
  --body-template=FILE      a signed submit body valid on that node; the bench rewrites its
                            routeRequestId (and, for conflict, request.facadeRequestId) per
                            request. Default: the bench's dev-key qc_v1 body (valid on a node with
                            no chain and the default EIP-712 domain)
  --check-rate=R            after the run every acknowledged requestId is polled and a sample
                            resubmitted, at most R requests/s ()" + show_number(d.check_rate) + R"()
  At startup one body is sent to each node; if it is not accepted the bench stops with the
  node's answer. With --scenario=duplicate, wrk runs on the same URL and body afterwards
  (client baseline: bench/wrk); --no-baselines skips it.

The knee (--find-knee): open-loop steps of --step-duration, the rate x --knee-growth each,
from --rate (default )" + show_number(d.knee_start_rate) + R"(/s), until p99 exceeds --p99-budget or errors appear (at most
--knee-max-steps steps); reports the highest rate that held and the throughput-latency curve
(table, --json, --plot).
  --find-knee
  --step-duration=T         ()" + show_seconds(d.step_duration_s) + R"()
  --p99-budget=T            ()" + show_seconds(d.p99_budget_s) + R"()
  --knee-growth=X           ()" + show_number(d.knee_growth) + R"()
  --knee-max-steps=N        ()" + std::to_string(d.knee_max_steps) + R"()
)";
}

} // namespace

std::string usage() {
  return R"(covsigner-bench: concurrent submissions against a covsigner node, measured honestly.

  covsigner-bench [--scenario=NAME] [--transport=inproc|http] [options]
  covsigner-bench --suite=standard [--json=FILE] [--plot=FILE.svg]

Scenarios (--scenario):
  unique      every request a new routeRequestId: durable creates
  duplicate   every client submits the same routeRequestId: dedupe storm
  conflict    one routeRequestId, a different payload per request: one job, the rest 400
  poll        polls of existing jobs
  mixed       70% dedupe hits, 20% polls, 10% new submits
  outage      dedupe hits (and 10% new submits) while the fixture WalletRegistry fails in
              every other time slice (duration/10; in-process node): p99 with vs without
  sigkill     new submits over HTTP while covsignerd (child process) is SIGKILLed
              and restarted on the same data dir
  sign        self_v1 new keys signed to READY by the local_key dev signer (fixture chain,
              certified dev bodies); an op is a submit polled until terminal; every job's
              audit line, witness (our interpreter) and READY state are checked afterwards
  sign-mixed  the same, qc_v1 (HANDOFF_READY) and self_v1 alternating

Load:
  --transport=inproc|http   node actors in this process (typed API) or HTTP on 127.0.0.1 (http)
  --concurrency=N           clients; each HTTP client is one keep-alive connection (64)
  --duration=T              measured phase, e.g. 10s, 500ms, 1m (10s)
  --count=N                 measured requests instead of a duration
  --rate=R                  open loop at R requests/s; latency counts from the intended send
                            time (no coordinated omission). Default: closed loop
  --warmup=T                load before measuring, not recorded (1s)

Node and disk:
  --data-dir=DIR            parent of the per-run data dirs (default: <build>/bench-data);
                            tmpfs is refused for durable scenarios
  --store-sync=group|per-job|none  the node's store.sync (group); none: the same store
                            work with every fsync/syncfs skipped (UNSAFE, benchmarks only;
                            covsignerd children get --store.unsafe-no-fsync-for-benchmarks)
  --http-workers=N          the node's HTTP workers (max(64, concurrency))
  --covsignerd=PATH         node binary for sigkill (default: beside this binary)
  --kill-every=T            sigkill: interval between kills (default: three kills per run)
  --keep-data               leave each run's data dir in place

Output:
  --json=FILE               results as JSON
  --plot=FILE.svg           latency percentiles and throughput over time
  --no-baselines            skip the fsync-ceiling and bare-handler baselines
  --baseline-duration=T     per baseline (3s)
)" + usage_remote_and_knee();
}

std::variant<bench_options, parse_error> parse_options(int argc, char** argv) {
  bench_options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h")
      return parse_error{usage(), true};
    if (!arg.starts_with("--"))
      return parse_error{"unexpected argument [" + std::string(arg) + "]"};
    auto eq = arg.find('=');
    std::string_view name = arg.substr(2, eq == std::string_view::npos ? arg.npos : eq - 2);
    std::string_view value = eq == std::string_view::npos ? std::string_view{} : arg.substr(eq + 1);
    bool has_value = eq != std::string_view::npos;
    auto bad = [&] {
      return parse_error{"invalid --" + std::string(name) + " [" + std::string(value) + "]"};
    };
    auto flag = [&](bool& target) {
      target = true;
      return !has_value;
    };
    if (name == "suite") {
      if (value != "standard")
        return parse_error{"unknown --suite [" + std::string(value) + "]: expected standard"};
      o.suite = value;
    } else if (name == "scenario") {
      auto s = parse_scenario(value);
      if (!s)
        return parse_error{"unknown --scenario [" + std::string(value) +
                           "]: expected unique, duplicate, conflict, poll, mixed, outage, sigkill, sign or sign-mixed"};
      o.scenario = *s;
    } else if (name == "transport") {
      if (value == "inproc")
        o.transport = transport_kind::inproc;
      else if (value == "http")
        o.transport = transport_kind::http;
      else
        return parse_error{"unknown --transport [" + std::string(value) + "]: expected inproc or http"};
    } else if (name == "concurrency" || name == "http-workers") {
      auto v = parse_count(value);
      if (!v || *v == 0 || *v > 4096)
        return bad();
      (name == "concurrency" ? o.concurrency : o.http_workers) = static_cast<std::size_t>(*v);
    } else if (name == "duration" || name == "warmup" || name == "baseline-duration" ||
               name == "kill-every") {
      auto v = parse_seconds(value);
      if (!v)
        return bad();
      if (name == "duration") {
        if (*v <= 0)
          return bad();
        o.duration_s = *v;
      } else if (name == "warmup") {
        o.warmup_s = *v;
      } else if (name == "baseline-duration") {
        o.baseline_s = *v;
      } else {
        o.kill_every_s = *v;
      }
    } else if (name == "count") {
      auto v = parse_count(value);
      if (!v || *v == 0)
        return bad();
      o.count = *v;
    } else if (name == "rate") {
      auto v = parse_double(value);
      if (!v)
        return bad();
      o.rate = *v;
    } else if (name == "data-dir") {
      if (value.empty())
        return bad();
      o.data_dir = value;
    } else if (name == "store-sync" || name == "store.sync") {
      // This tool's runs are benchmarks: "none" needs no second flag here.
      auto sync = persistence::parse_store_sync(value, value == "none");
      if (auto* err = std::get_if<std::string>(&sync))
        return parse_error{*err};
      o.sync = std::get<persistence::store_sync>(sync);
    } else if (name == "json") {
      if (value.empty())
        return bad();
      o.json_file = value;
    } else if (name == "plot") {
      if (value.empty())
        return bad();
      o.plot_file = value;
    } else if (name == "covsignerd") {
      o.covsignerd = value;
    } else if (name == "no-baselines") {
      bool skip = false;
      if (!flag(skip))
        return bad();
      o.baselines = false;
    } else if (name == "keep-data") {
      if (!flag(o.keep_data))
        return bad();
    } else if (name == "url") {
      if (value.empty())
        return bad();
      o.urls.emplace_back(value);
    } else if (name == "url-file") {
      if (auto err = read_url_file(std::string(value), o.urls))
        return parse_error{*err};
    } else if (name == "allow-remote") {
      if (!flag(o.allow_remote))
        return bad();
    } else if (name == "auth-token-file" || name == "ca-file" || name == "body-template") {
      if (value.empty())
        return bad();
      (name == "auth-token-file" ? o.auth_token_file
                                 : name == "ca-file" ? o.ca_file : o.body_template) = value;
    } else if (name == "connect-timeout" || name == "step-duration" || name == "p99-budget") {
      auto v = parse_seconds(value);
      if (!v || *v <= 0)
        return bad();
      (name == "connect-timeout" ? o.connect_timeout_s
                                 : name == "step-duration" ? o.step_duration_s : o.p99_budget_s) = *v;
    } else if (name == "check-rate") {
      auto v = parse_double(value);
      if (!v || *v <= 0)
        return bad();
      o.check_rate = *v;
    } else if (name == "find-knee") {
      if (!flag(o.find_knee))
        return bad();
    } else if (name == "knee-growth") {
      auto v = parse_double(value);
      if (!v || *v <= 1.01 || *v > 10)
        return bad();
      o.knee_growth = *v;
    } else if (name == "knee-max-steps") {
      auto v = parse_count(value);
      if (!v || *v < 2 || *v > 64)
        return bad();
      o.knee_max_steps = static_cast<std::size_t>(*v);
    } else {
      return parse_error{"unknown option [--" + std::string(name) + "] (see --help)"};
    }
  }
  if (auto err = check_combinations(o))
    return parse_error{*err};
  return o;
}

} // namespace covsigner::bench
