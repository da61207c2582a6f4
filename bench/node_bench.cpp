// Node micro benchmarks (issue 8): one request at a time against a node in
// this process, on the committed qc_v1 example (examples/requests/qc_v1.json),
// whose job is created once before timing so every measured submit is a
// dedupe hit.
//
//   BM_ActorRoundTripSubmit  node_client::submit of a prepared dedupe hit:
//                            the typed API round trip (scoped_actor request
//                            to the node actor and back), no parsing
//   BM_ActorRoundTripPoll    node_client::poll of the same job
//   BM_PrepareSubmit         transport::prepare_submit of the body (decode,
//                            validate, normalise, digest: the worker's share)
//   BM_HttpDedupeHit         POST of the body over one keep-alive cpp-httplib
//                            connection to the node's http_server on 127.0.0.1
//
// Data lives under <build>/bench-data (a real disk), removed at exit.
#include "actors/node_bootstrap.hpp"
#include "messages/type_ids.hpp"
#include "transport/http_server.hpp"
#include "transport/node_client.hpp"
#include "transport/request_pipeline.hpp"

#include <benchmark/benchmark.h>
#include <caf/all.hpp>
#include <httplib.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace {

using namespace covsigner;
namespace fs = std::filesystem;

std::string example_body() {
  auto path = fs::path(__FILE__).parent_path().parent_path() / "examples" / "requests" / "qc_v1.json";
  std::ifstream in(path);
  if (!in) {
    std::cerr << "node_bench: cannot read " << path << '\n';
    std::exit(1);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

transport::request_policy policy() {
  transport::request_policy p;
  p.validation.domain = {0, covenant::default_approval_salt()};
  return p;
}

struct config : caf::actor_system_config {
  config() {
    add_message_types<caf::id_block::covsigner>();
    set("scheduler.max-threads", 2);
  }
};

// One node for the whole binary: actors, node_client and HTTP server.
class fixture {
public:
  fixture() {
    std::error_code ec;
    auto exe = fs::read_symlink("/proc/self/exe", ec);
    dir_ = (ec ? fs::current_path() : exe.parent_path().parent_path()) / "bench-data" /
           ("node-bench-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    actors::node_options options;
    options.data_dir = dir_;
    auto started = actors::start_node(system_, options);
    if (auto* err = std::get_if<std::string>(&started)) {
      std::cerr << "node_bench: " << *err << '\n';
      std::exit(1);
    }
    node_ = std::move(std::get<actors::running_node>(started));
    client_ = std::make_unique<transport::node_client>(system_, node_.node, node_.published);
    transport::http_settings http;
    http.workers = 8;
    http.policy = policy();
    http.request_log = std::make_shared<spdlog::logger>(
      "http", std::make_shared<spdlog::sinks::null_sink_mt>());
    server_ = std::make_unique<transport::http_server>(*client_, http);
    auto port = server_->start(0);
    if (auto* err = std::get_if<std::string>(&port)) {
      std::cerr << "node_bench: " << *err << '\n';
      std::exit(1);
    }
    port_ = std::get<int>(port);
    body_ = example_body();
    auto prepared = transport::prepare_submit(body_, "qc_v1", policy());
    if (auto* e = std::get_if<transport::http_error>(&prepared)) {
      std::cerr << "node_bench: the example does not validate: " << e->message << '\n';
      std::exit(1);
    }
    submit_ = std::get<messages::submit_command>(prepared);
    auto created = client_->submit(submit_, std::chrono::seconds(30));
    if (created.code != messages::reply_code::ok) {
      std::cerr << "node_bench: creating the job failed: " << created.message << '\n';
      std::exit(1);
    }
    poll_.route = "qc_v1";
    poll_.request_id = created.result.request_id;
    poll_.route_request_id = submit_.draft.route_request_id;
    poll_.request_digest = submit_.draft.request_digest;
  }
  ~fixture() {
    server_->stop();
    server_.reset();
    client_.reset();
    actors::stop_node(system_, node_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  transport::node_client& client() { return *client_; }
  const messages::submit_command& submit() const { return submit_; }
  const messages::poll_command& poll() const { return poll_; }
  const std::string& body() const { return body_; }
  int port() const { return port_; }

private:
  config cfg_;
  caf::actor_system system_{cfg_};
  fs::path dir_;
  actors::running_node node_;
  std::unique_ptr<transport::node_client> client_;
  std::unique_ptr<transport::http_server> server_;
  int port_ = 0;
  std::string body_;
  messages::submit_command submit_;
  messages::poll_command poll_;
};

// Built on first use, destroyed in main before static destruction (the
// actor system must stop before the thread-locals and statics it uses).
std::unique_ptr<fixture> the_node;
fixture& node() {
  if (!the_node)
    the_node = std::make_unique<fixture>();
  return *the_node;
}

void BM_ActorRoundTripSubmit(benchmark::State& state) {
  auto& f = node();
  for (auto _ : state) {
    auto reply = f.client().submit(f.submit(), std::chrono::seconds(30));
    if (reply.code != messages::reply_code::ok) {
      state.SkipWithError("submit failed");
      break;
    }
    benchmark::DoNotOptimize(reply);
  }
}
BENCHMARK(BM_ActorRoundTripSubmit)->Unit(benchmark::kMicrosecond);

void BM_ActorRoundTripPoll(benchmark::State& state) {
  auto& f = node();
  for (auto _ : state) {
    auto reply = f.client().poll(f.poll(), std::chrono::seconds(30));
    if (reply.code != messages::reply_code::ok) {
      state.SkipWithError("poll failed");
      break;
    }
    benchmark::DoNotOptimize(reply);
  }
}
BENCHMARK(BM_ActorRoundTripPoll)->Unit(benchmark::kMicrosecond);

void BM_PrepareSubmit(benchmark::State& state) {
  auto& f = node();
  auto p = policy();
  for (auto _ : state)
    benchmark::DoNotOptimize(transport::prepare_submit(f.body(), "qc_v1", p));
}
BENCHMARK(BM_PrepareSubmit)->Unit(benchmark::kMicrosecond);

void BM_HttpDedupeHit(benchmark::State& state) {
  auto& f = node();
  httplib::Client http("127.0.0.1", f.port());
  http.set_keep_alive(true);
  http.set_tcp_nodelay(true);
  for (auto _ : state) {
    auto res = http.Post("/v1/qc_v1/signer/requests", f.body(), "application/json");
    if (!res || res->status != 200) {
      state.SkipWithError("dedupe hit failed");
      break;
    }
    benchmark::DoNotOptimize(res);
  }
}
BENCHMARK(BM_HttpDedupeHit)->Unit(benchmark::kMicrosecond)->UseRealTime();

} // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  the_node.reset();
  return 0;
}
