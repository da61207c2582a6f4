#include "actors/node_bootstrap.hpp"

#include "actors/bitcoin_reader.hpp"
#include "actors/node_core.hpp"
#include "actors/registry_reader.hpp"
#include "actors/spend_authorization_reader.hpp"
#include "persistence/audit_log.hpp"

#include <caf/all.hpp>

#include <thread>

namespace covsigner::actors {

using namespace messages;

std::variant<running_node, std::string> start_node(caf::actor_system& system,
                                                   const node_options& options) {
  // Configuration errors first: nothing is locked or spawned for a bad one.
  std::optional<chain::chain_sources> sources;
  if (options.chain) {
    std::string error;
    sources = chain::make_chain_sources(*options.chain, error);
    if (!sources)
      return "chain configuration: " + error;
  }
  std::optional<crypto::private_key> signer_key;
  signer_actor remote_signer; // remote backend: the connected remote
  if (options.signer.backend == "local_key") {
    auto key = load_local_key(options.signer.key_file, options.signer.make_undumpable);
    if (auto* err = std::get_if<std::string>(&key))
      return "signer: " + *err;
    signer_key = std::get<crypto::private_key>(key);
  } else if (options.signer.backend == "remote") {
    // Connects once (blocking, this is not an actor thread): a remote that
    // is not there, or not a signer, stops the start here.
    auto connected = connect_remote_signer(system, options.signer.remote);
    if (auto* err = std::get_if<std::string>(&connected))
      return "signer: " + *err;
    remote_signer = std::get<signer_actor>(std::move(connected));
  } else if (options.signer.backend != "none" && !options.signer.backend.empty()) {
    return "signer: unknown backend \"" + options.signer.backend + "\" (none | local_key | remote)";
  }
  core_options core;
  core.data_dir = options.data_dir;
  core.sync = options.sync;
  core.unsafe_no_fsync = options.unsafe_no_fsync;
  core.make_file_system = options.make_file_system;
  core.store_timeout = options.timeouts.store;
  core.published = std::make_shared<published_jobs>();
  core.latch = std::make_shared<store_latch>();
  // The store is scanned before anything is spawned: a held lock or an
  // unreadable data dir starts nothing.
  auto scanned = scan_core(core);
  if (auto* err = std::get_if<std::string>(&scanned))
    return *err;
  running_node running;
  running.published = core.published;
  if (sources) {
    running.registry_reader =
      spawn_registry_reader(system, sources->registry, options.registry, options.reader_restarts);
    running.bridge_reader = spawn_bridge_reader(system, sources->bridge, running.registry_reader,
                                                options.bridge, options.reader_restarts);
    auto head = options.head;
    if (!head.published)
      head.published = std::make_shared<chain::published_height>(head.max_age);
    running.head_height = head.published;
    running.chain_head = spawn_chain_head(system, sources->height, head, options.reader_restarts);
    running.bitcoin_reader =
      spawn_bitcoin_reader(system, sources->bitcoin, options.bitcoin, options.reader_restarts);
    running.chain_faults = sources->faults;
    if (sources->spend_authorization)
      running.spend_authorization_reader = spawn_spend_authorization_reader(
        system, sources->spend_authorization, options.spend_authorization, options.reader_restarts);
  }
  // Sessions get the readers, the signer and the audit log.
  auto sessions = options.sessions;
  if (signer_key || remote_signer) {
    auto handle = signer_key ? spawn_local_key_signer(system, *signer_key)
                             : spawn_remote_signer(system, options.signer.remote,
                                                   std::move(remote_signer));
    running.signer = handle.actor;
    sessions.tbtc.signer = std::move(handle);
    sessions.engine = engine_kind::tbtc;
  }
  if (!sessions.tbtc.bitcoin_reader)
    sessions.tbtc.bitcoin_reader = running.bitcoin_reader;
  if (!sessions.tbtc.bridge_reader)
    sessions.tbtc.bridge_reader = running.bridge_reader;
  auto& gate = sessions.tbtc.spend_authorization;
  if (!gate.reader) {
    gate.reader = running.spend_authorization_reader;
    gate.unset_cause = !sources ? "no chain backend is configured (--chain.backend)"
                                : sources->spend_authorization_unset;
  }
  if (sessions.tbtc.audit_log.empty())
    sessions.tbtc.audit_log = persistence::audit_log_path(options.data_dir);
  certificate_issuer_settings issuer{sessions.tbtc.signer, running.bridge_reader,
                                     running.chain_head, sessions.tbtc.chain_timeout,
                                     sessions.tbtc.signer_timeout};
  running.certificate_issuer = system.spawn(certificate_issuer, std::move(issuer));
  if (!sessions.backlog)
    sessions.backlog = std::make_shared<session_backlog>(sessions.max_queued);
  core.sessions = std::move(sessions);
  // Published before anything is spawned, so the dedupe fast path sees
  // every live key from the first request on.
  publish_scan(std::get<scanned_core>(scanned), *core.published);
  auto built = spawn_core(system, std::move(std::get<scanned_core>(scanned)), core);
  running.load_summary = built.load_summary;
  running.store = built.store;
  running.registry = built.registry;
  running.supervisor = built.supervisor;
  running.node = system.spawn(node, running.store, running.registry, running.supervisor,
                              options.timeouts,
                              node_chain_readers{running.bridge_reader, running.chain_head,
                                                 options.eip712,
                                                 covenant::tbtc_honest_threshold,
                                                 running.registry_reader, running.bitcoin_reader,
                                                 core.sessions.engine == engine_kind::tbtc,
                                                 running.spend_authorization_reader},
                              core);
  // Jobs that never reached SIGNING resume; SIGNING ones were already failed
  // as interrupted by the load.
  for (auto& job : built.resumable)
    caf::anon_send(running.supervisor, session_start{job_snapshot{std::move(job), 1}});
  return running;
}

void stop_node(caf::actor_system& system, running_node& node, std::chrono::milliseconds grace) {
  caf::scoped_actor self{system};
  // The core may have been rebuilt since start_node: stop the current one.
  if (node.node)
    self->request(node.node, std::chrono::seconds(5), core_atom::value)
      .receive(
        [&](node_core& current) {
          if (current.store)
            node.store = std::move(current.store);
          if (current.registry)
            node.registry = std::move(current.registry);
          if (current.supervisor)
            node.supervisor = std::move(current.supervisor);
        },
        [](caf::error&) {});
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (node.supervisor && std::chrono::steady_clock::now() < deadline) {
    std::uint64_t in_flight = 0;
    self->request(node.supervisor, std::chrono::seconds(1), status_atom::value)
      .receive([&](supervisor_status& s) { in_flight = s.in_flight + s.queued; },
               [&](caf::error&) {});
    if (in_flight == 0)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto addr : {node.node.address(), node.supervisor.address(), node.signer.address(),
                    node.certificate_issuer.address(),
                    node.registry.address(),
                    node.bridge_reader.address(), node.registry_reader.address(),
                    node.chain_head.address(), node.bitcoin_reader.address(),
                    node.spend_authorization_reader.address()})
    if (auto handle = caf::actor_cast<caf::actor>(addr))
      self->send_exit(handle, caf::exit_reason::user_shutdown);
  // The store goes last so in-flight writes finish; waiting for its down
  // message means its files (writer, lock) are released.
  if (node.store) {
    self->monitor(node.store);
    self->send_exit(node.store, caf::exit_reason::user_shutdown);
    self->receive([](const caf::down_msg&) {});
  }
  node = running_node{};
}

} // namespace covsigner::actors
