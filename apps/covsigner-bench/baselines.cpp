#include "apps/covsigner-bench/baselines.hpp"

#include "apps/covsigner-bench/node_host.hpp"
#include "apps/covsigner-bench/requests.hpp"
#include "apps/covsigner-bench/signing.hpp"
#include "apps/covsignerctl/dev_keys.hpp"
#include "chain/fixture.hpp"
#include "covenant/signer_approval.hpp"
#include "covenant/signing_engine.hpp"
#include "persistence/audit_log.hpp"
#include "persistence/file_system.hpp"
#include "persistence/job_writer.hpp"
#include "persistence/store_layout.hpp"
#include "persistence/timestamp.hpp"
#include "persistence/unsynced_file_system.hpp"
#include "transport/request_pipeline.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace covsigner::bench {

std::variant<fsync_ceiling, std::string> measure_fsync_ceiling(const std::filesystem::path& dir,
                                                               double seconds) {
  persistence::posix_file_system fs;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return "cannot create " + dir.string() + ": " + ec.message();
  // A job file's size: the qc_v1 example job is about 4 KiB.
  const std::string bytes(4096, 'j');
  latency_recorder rec;
  auto start = std::chrono::steady_clock::now();
  auto end = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                       std::chrono::duration<double>(seconds));
  std::uint64_t n = 0;
  std::optional<std::string> error;
  while (std::chrono::steady_clock::now() < end) {
    auto t = std::chrono::steady_clock::now();
    auto target = dir / ("ceiling-" + std::to_string(n) + ".json");
    if (auto e = persistence::write_file_atomic(fs, target, bytes, false)) {
      error = "write " + target.string() + ": " + e->message;
      break;
    }
    if (auto e = fs.fsync_dir(dir)) {
      error = "fsync " + dir.string() + ": " + e->message;
      break;
    }
    auto done = std::chrono::steady_clock::now();
    sample s{};
    s.sent_us = static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(t - start).count());
    s.latency_us = static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(done - t).count());
    rec.record(s);
    ++n;
  }
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::filesystem::remove_all(dir, ec);
  if (error)
    return *error;
  auto sum = rec.summarize(elapsed);
  fsync_ceiling c;
  c.writes = n;
  c.writes_per_s = static_cast<double>(n) / elapsed;
  c.p50_us = sum.p50;
  c.p99_us = sum.p99;
  c.bytes = bytes.size();
  return c;
}

struct bare_server::impl {
  httplib::Server server;
  std::thread thread;
};

bare_server::bare_server(std::size_t workers) : impl_(std::make_unique<impl>()) {
  auto& s = impl_->server;
  s.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  s.set_tcp_nodelay(true);
  s.set_keep_alive_max_count(100);
  s.set_keep_alive_timeout(60);
  s.set_payload_max_length((2u << 20) + 1);
  // The shape of a dedupe hit's answer.
  static const std::string reply =
    R"({"status":"PENDING","requestId":"kcs_qc_0123456789abcdef","detail":"accepted for covenant signing"})"
    "\n";
  s.Post(".*", [](const httplib::Request& req, httplib::Response& res) {
    if (req.body.empty()) {
      res.status = 400;
      return;
    }
    res.set_content(reply, "application/json");
  });
  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"status":"ok"})", "application/json");
  });
  port_ = s.bind_to_any_port("127.0.0.1");
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  while (!s.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

bare_server::~bare_server() {
  impl_->server.stop();
  if (impl_->thread.joinable())
    impl_->thread.join();
}

} // namespace covsigner::bench

namespace covsigner::bench {

namespace {

// What every job of the CPU-limit loop shares: the body template, the
// fixture chain's wallet and funding transaction, the key, the store.
struct signing_bench_setup {
  request_factory bodies;
  transport::request_policy policy;
  covenant::wallet_chain_data wallet;
  covenant::outpoint_lookup lookup;
  crypto::private_key key;
  crypto::bytes public_key;
  covenant::engine_settings settings;
};

std::variant<signing_bench_setup, std::string> make_signing_setup(const std::filesystem::path& dir) {
  auto bodies = request_factory::make_certified(bench_domain(), "self_v1");
  if (auto* e = std::get_if<std::string>(&bodies))
    return *e;
  auto fixture = write_signing_fixture(dir / "data");
  if (auto* e = std::get_if<std::string>(&fixture))
    return *e;
  std::string error;
  auto chain = chain::load_fixture_file(std::get<signing_fixture>(fixture).chain_file.string(), error);
  if (!chain || chain->bridge.empty() || chain->transactions.empty())
    return "development fixture chain: " + error;
  auto key = ctl::dev_private_key(ctl::dev_signer_fill);
  signing_bench_setup s{std::move(std::get<request_factory>(bodies)), bench_policy(),
                        chain->bridge.begin()->second, {}, key,
                        crypto::serialize_compressed(crypto::derive_public_key(key)), {}};
  s.wallet.members_ids_hash = chain->registry.at(s.wallet.ecdsa_wallet_id);
  s.policy.validation.verifier_configured = true;
  s.policy.validation.current_height = chain->host_chain_height;
  s.settings.fraud_defense_confirmed = true;
  // The funding transaction the self_v1 body spends: the fixture keys
  // transactions by their display-order txid, as the request names it.
  auto probe = transport::prepare_submit(s.bodies.submit("cpu-probe"), "self_v1", s.policy);
  if (auto* e = std::get_if<transport::http_error>(&probe))
    return "prepare_submit: " + e->message;
  const auto& probe_json = std::get<messages::submit_command>(probe).draft.request_json;
  for (const auto& [id, tx] : chain->transactions)
    if (probe_json.find(crypto::to_hex(crypto::bytes(id.begin(), id.end()))) != std::string::npos) {
      s.lookup.result = covenant::outpoint_lookup::outcome::found;
      s.lookup.confirmations = tx.confirmations;
      s.lookup.output = covenant::output_spend::unspent;
      s.lookup.transaction_hex = tx.hex;
    }
  if (s.lookup.transaction_hex.empty())
    return "the fixture chain does not fund the self_v1 body";
  return s;
}

// One job's work; the error names the step.
std::optional<std::string> sign_one(const signing_bench_setup& s, persistence::file_system& fs,
                                    const persistence::store_layout& layout, const std::filesystem::path& audit,
                                    std::uint64_t i) {
  auto prepared = transport::prepare_submit(s.bodies.submit("cpu-" + std::to_string(i)), "self_v1", s.policy);
  if (auto* e = std::get_if<transport::http_error>(&prepared))
    return "prepare_submit: " + e->message;
  auto j = std::get<messages::submit_command>(std::move(prepared)).draft;
  auto request = std::get<covenant::route_submit_request>(covenant::decode_route_submit_request(j.request_json));
  auto subject = covenant::resolve_signer_approval_subject(request, s.policy.validation.domain);
  if (!std::holds_alternative<covenant::signer_approval_subject>(subject) ||
      covenant::verify_signer_approval(request, std::get<covenant::signer_approval_subject>(subject), s.wallet))
    return "the certificate does not verify";
  char id[32];
  std::snprintf(id, sizeof id, "kcs_self_%016llx", static_cast<unsigned long long>(i));
  j.request_id = id;
  j.created_at = j.updated_at = persistence::now_rfc3339nano();
  auto write = [&](persistence::write_op::kind kind) {
    std::optional<persistence::io_error> latched;
    auto out = persistence::run_batched_round(fs, layout, {persistence::write_op{kind, j, {}}}, latched);
    return out.at(0).ok;
  };
  if (!write(persistence::write_op::kind::create))
    return "create";
  auto prep = std::get<covenant::spend_preparation>(covenant::prepare_spend(j, s.settings, s.public_key));
  auto utxo = covenant::resolve_active_outpoint(prep, s.lookup, s.settings);
  if (auto* t = std::get_if<covenant::job_transition>(&utxo))
    return "resolve_active_outpoint: " + t->detail;
  auto spend = std::get<covenant::planned_spend>(covenant::plan_spend(prep, std::get<covenant::active_utxo>(utxo)));
  covenant::job_transition signing;
  signing.state = covenant::job_state::signing;
  covenant::apply_transition(j, signing, persistence::now_rfc3339nano());
  if (!write(persistence::write_op::kind::update))
    return "update SIGNING";
  // The audit line as the node appends it, minus the fsync.
  auto line = persistence::format_audit_line(
    {persistence::now_rfc3339nano(), j.request_id, crypto::to_0x_hex(spend.sighash), spend.txid_display});
  int fd = ::open(audit.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  bool appended = fd >= 0 && ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  if (fd >= 0)
    ::close(fd);
  if (!appended)
    return "audit line";
  auto der = crypto::to_0x_hex(crypto::sign_der(s.key, spend.sighash));
  auto t = covenant::finish_spend(prep, std::get<covenant::active_utxo>(utxo), spend, der);
  if (t.state != covenant::job_state::artifact_ready)
    return "finish_spend: " + t.detail;
  covenant::apply_transition(j, t, persistence::now_rfc3339nano());
  if (!write(persistence::write_op::kind::update))
    return "update ARTIFACT_READY";
  return std::nullopt;
}

} // namespace

std::variant<signing_cpu_limit, std::string> measure_signing_cpu_limit(const std::filesystem::path& dir,
                                                                       double seconds) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  auto setup = make_signing_setup(dir);
  if (auto* e = std::get_if<std::string>(&setup))
    return "signing CPU limit: " + *e;
  persistence::unsynced_file_system fs(std::make_unique<persistence::posix_file_system>());
  auto layout = persistence::store_layout::for_data_dir(dir / "data");
  if (auto e = persistence::ensure_store_dirs(fs, layout))
    return "signing CPU limit: " + e->message;
  const auto audit = persistence::audit_log_path(dir / "data");
  std::optional<std::string> error;
  std::uint64_t n = 0;
  auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double>(seconds));
  while (!error && (n == 0 || std::chrono::steady_clock::now() < end))
    error = sign_one(std::get<signing_bench_setup>(setup), fs, layout, audit, n++);
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::filesystem::remove_all(dir, ec);
  if (error)
    return "signing CPU limit, job " + std::to_string(n - 1) + ": " + *error;
  signing_cpu_limit l;
  l.jobs = n;
  l.cost_per_job_us = elapsed / static_cast<double>(n) * 1e6;
  l.cores = std::max(1u, std::thread::hardware_concurrency());
  l.limit_per_s = l.cores / (elapsed / static_cast<double>(n));
  return l;
}

} // namespace covsigner::bench
