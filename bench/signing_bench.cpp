// Signing throughput (issue 7): self_v1 submits to READY per second with the
// local_key signer, in process and over HTTP.
//
//   BM_EngineSelfV1      the tbtc engine's pure steps for one job (decode the
//                        stored request, witness script, active outpoint
//                        checks, spend, sighash, RFC 6979 signature, witness
//                        verified by our interpreter): CPU only
//   BM_NodeSelfV1Ready   a full submit through a node (fixture chain,
//                        local_key signer, group-commit store on a real
//                        disk): prepare_submit, durable create, bitcoin
//                        reader, durable SIGNING, fsynced audit line,
//                        signature, verification, durable ARTIFACT_READY;
//                        each iteration a new routeRequestId
//   BM_HttpSelfV1Ready   the same through covsignerd's HTTP server on
//                        127.0.0.1 (keep-alive clients, a submit waits for
//                        READY)
//
// Data lives under <build>/bench-signing-data, removed at exit.
// The test support reads the pinned vectors the repository carries.
#include <filesystem>
#include <string>

static const std::string bench_vectors_dir =
  (std::filesystem::path(__FILE__).parent_path().parent_path() / "tests" / "vectors").string();
#define COVSIGNER_VECTORS_DIR bench_vectors_dir

#include "actors/node_bootstrap.hpp"
#include "covenant/signing_engine.hpp"
#include "covenant/validation.hpp"
#include "messages/type_ids.hpp"
#include "tests/support/funded_requests.hpp"
#include "tests/support/requests.hpp"
#include "transport/http_server.hpp"
#include "transport/node_client.hpp"
#include "transport/request_pipeline.hpp"

#include <benchmark/benchmark.h>
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <httplib.h>

#include <fstream>
#include <future>
#include <sys/stat.h>

using namespace covsigner;

namespace {

struct bench_config : caf::actor_system_config {
  bench_config() { add_message_types<caf::id_block::covsigner>(); }
};

const std::filesystem::path data_root = std::filesystem::current_path() / "bench-signing-data";

void BM_EngineSelfV1(benchmark::State& state) {
  auto funded = test_support::make_funded_request("self_v1");
  auto decoded = std::get<covenant::route_submit_request>(
    covenant::decode_route_submit_request(boost::json::serialize(funded.request)));
  covenant::job j;
  j.request_id = "kcs_self_0011223344556677";
  j.route = "self_v1";
  j.request_json = covenant::canonical_request_json(decoded);
  covenant::engine_settings settings;
  settings.fraud_defense_confirmed = true;
  auto key = test_support::dev_key(0x22);
  auto public_key = crypto::serialize_compressed(crypto::derive_public_key(key));
  covenant::outpoint_lookup lookup;
  lookup.result = covenant::outpoint_lookup::outcome::found;
  lookup.transaction_hex = crypto::to_hex(bitcoin::serialize_with_witness(funded.funding_tx));
  lookup.confirmations = 6;
  lookup.output = covenant::output_spend::unspent;
  for (auto _ : state) {
    auto prep = std::get<covenant::spend_preparation>(
      covenant::prepare_spend(j, settings, std::span<const std::uint8_t>(public_key)));
    auto utxo = std::get<covenant::active_utxo>(covenant::resolve_active_outpoint(prep, lookup, settings));
    auto spend = std::get<covenant::planned_spend>(covenant::plan_spend(prep, utxo));
    auto der = crypto::to_0x_hex(crypto::sign_der(key, spend.sighash));
    auto t = covenant::finish_spend(prep, utxo, spend, der);
    if (t.state != covenant::job_state::artifact_ready)
      state.SkipWithError(t.detail.c_str());
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EngineSelfV1)->Unit(benchmark::kMicrosecond);

// A node over a fixture chain that funds one self_v1 request's outpoint,
// with the local_key signer and the fraud-defense gate confirmed; stopped
// and its data removed on destruction.
class signing_node {
public:
  signing_node() : funded_(test_support::make_funded_request("self_v1")) {
    spdlog::set_level(spdlog::level::warn);
    std::filesystem::remove_all(data_root);
    std::filesystem::create_directories(data_root);
    auto fixture = data_root / "chain.json";
    std::ofstream(fixture) << test_support::fixture_chain_json({{&funded_, 6}});
    auto key_file = data_root / "signer.key";
    std::ofstream(key_file) << std::string(64, '2') << "\n";
    ::chmod(key_file.c_str(), 0600);
    actors::node_options options;
    options.data_dir = data_root / "data";
    options.chain = chain::backend_config{};
    options.chain->fixture_file = fixture.string();
    options.signer.backend = "local_key";
    options.signer.key_file = key_file;
    options.signer.make_undumpable = false;
    options.sessions.tbtc.settings.fraud_defense_confirmed = true;
    auto started = actors::start_node(system_, options);
    if (auto* err = std::get_if<std::string>(&started))
      error_ = *err;
    else
      node_ = std::move(std::get<actors::running_node>(started));
  }
  ~signing_node() {
    if (node_.node)
      actors::stop_node(system_, node_);
    std::filesystem::remove_all(data_root);
  }
  signing_node(const signing_node&) = delete;
  signing_node& operator=(const signing_node&) = delete;

  const std::string& error() const { return error_; }
  caf::actor_system& system() { return system_; }
  const actors::running_node& node() const { return node_; }
  /// The funded self_v1 request under a fresh routeRequestId.
  std::string body(std::uint64_t i) const {
    return test_support::submit_body(funded_.request, "bench_" + std::to_string(i));
  }

private:
  test_support::funded_request funded_;
  bench_config cfg_;
  caf::actor_system system_{cfg_};
  actors::running_node node_;
  std::string error_;
};

// state.range(0) submits in flight at once (one batch per iteration).
void BM_NodeSelfV1Ready(benchmark::State& state) {
  const auto batch = static_cast<int>(state.range(0));
  signing_node n;
  if (!n.error().empty()) {
    state.SkipWithError(n.error().c_str());
    return;
  }
  caf::scoped_actor self{n.system()};
  std::uint64_t i = 0;
  bool failed = false;
  for (auto _ : state) {
    std::vector<messages::submit_command> commands;
    for (int k = 0; k < batch; ++k)
      commands.push_back(std::get<messages::submit_command>(
        transport::prepare_submit(n.body(i++), "self_v1", transport::request_policy{})));
    std::vector<std::string> statuses;
    // Plain sends: the node's replies come back as ordinary messages, so
    // the whole batch is in flight at once.
    for (auto& cmd : commands)
      self->send(n.node().node, std::move(cmd));
    int received = 0;
    self->receive_for(received, batch)(
      [&](messages::node_reply& r) { statuses.push_back(r.result.status); },
      caf::after(std::chrono::seconds(60)) >> [&] { statuses.push_back("timeout"); });
    for (const auto& status : statuses)
      if (status != "READY" && !failed) {
        state.SkipWithError(("not READY: " + status).c_str());
        failed = true;
      }
    if (failed)
      break;
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_NodeSelfV1Ready)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same over HTTP on 127.0.0.1: state.range(0) keep-alive clients, each
// with one submit in flight, answered READY (the submit waits for its job
// to settle, as a coordinator's does).
void BM_HttpSelfV1Ready(benchmark::State& state) {
  const auto clients = static_cast<std::size_t>(state.range(0));
  signing_node n;
  if (!n.error().empty()) {
    state.SkipWithError(n.error().c_str());
    return;
  }
  transport::node_client client{n.system(), n.node().node, n.node().published};
  transport::http_settings settings;
  settings.enable_self_v1 = true;
  transport::http_server server{client, settings};
  auto port = server.start(0);
  if (auto* err = std::get_if<std::string>(&port)) {
    state.SkipWithError(err->c_str());
    return;
  }
  std::vector<std::unique_ptr<httplib::Client>> connections;
  for (std::size_t k = 0; k < clients; ++k) {
    connections.push_back(std::make_unique<httplib::Client>("127.0.0.1", std::get<int>(port)));
    connections.back()->set_read_timeout(std::chrono::seconds(60));
  }
  std::uint64_t i = 0;
  for (auto _ : state) {
    std::vector<std::future<std::string>> answers;
    for (std::size_t k = 0; k < clients; ++k)
      answers.push_back(std::async(std::launch::async, [&, k, body = n.body(i++)] {
        auto res = connections[k]->Post("/v1/self_v1/signer/requests", body, "application/json");
        return res ? std::to_string(res->status) + " " + res->body : std::string{"no answer"};
      }));
    bool failed = false;
    for (auto& answer : answers) {
      auto text = answer.get();
      if (text.find("\"status\":\"READY\"") == std::string::npos && !failed) {
        state.SkipWithError(("not READY: " + text.substr(0, 200)).c_str());
        failed = true;
      }
    }
    if (failed)
      break;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(clients));
  server.stop();
}
BENCHMARK(BM_HttpSelfV1Ready)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
