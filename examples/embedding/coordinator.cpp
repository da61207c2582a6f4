// A host CAF program whose own actor, a toy "coordinator", starts a
// covsigner node in the host's actor_system, submits the development
// requests with typed messages, waits for READY, then switches the fixture
// Wallet Registry into failure and shows the typed degraded reply.
//
//   coordinator --examples-dir=<covsigner>/examples --data-dir=<fresh dir>
//
// Second mode: connect to a running covsignerd's gateway over caf::io
// (covsignerd --caf-io.port=P on the same fixture chain and dev key),
// submit the qc_v1 request, submit it again (deduplicated: the same job),
// poll it:
//
//   coordinator --examples-dir=<covsigner>/examples --connect=127.0.0.1:P
//
// DEVELOPMENT ONLY: the chain is SIMULATED and the keys are PUBLIC
// (covsigner's examples/README.md). Exit code 0 when everything happened
// as described.
#include <covsigner/embed.hpp>

#include <boost/json.hpp>
#include <caf/all.hpp>
#include <caf/io/middleman.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <sys/stat.h>

using namespace covsigner;
using namespace std::chrono_literals;
using messages::node_reply;
using messages::reply_cause;

namespace {

using go_atom = caf::atom_constant<caf::atom("go")>;
using poll_atom = messages::poll_atom;
// The coordinator answers `go` with the program's exit code.
using coordinator_actor =
  caf::typed_actor<caf::replies_to<go_atom>::with<int>, caf::reacts_to<messages::ready_atom>,
                   caf::reacts_to<poll_atom, std::string>>;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// examples/requests/<route>-certified.json under another routeRequestId, or
// as a poll body for `request_id`.
std::string body_for(const std::filesystem::path& examples, const std::string& route,
                     const std::string& route_request_id, const std::string& request_id = {}) {
  auto body =
    boost::json::parse(read_file(examples / "requests" / (route + "-certified.json"))).as_object();
  body["routeRequestId"] = route_request_id;
  if (!request_id.empty())
    body["requestId"] = request_id;
  return boost::json::serialize(body);
}

struct coordinator_state {
  static inline const char* name = "coordinator";
  caf::typed_response_promise<int> done;
  std::map<std::string, std::string> request_ids; // route -> request id
  int ready = 0; // routes READY so far
  int readiness_checks = 0; // readiness asks so far
};

coordinator_actor::behavior_type
coordinator(coordinator_actor::stateful_pointer<coordinator_state> self,
            const embed::embedded_node* node, std::filesystem::path examples) {
  auto fail = [self](const std::string& what) {
    std::cout << "FAILED: " << what << std::endl;
    self->state.done.deliver(1);
  };
  // Every reply the host branches on is typed: reply.cause, with the
  // reference's text in reply.message.
  auto outage = [self, node, examples, fail] {
    node->fixture_faults()->set(chain::fault_mode::fail, 0ms, "WalletRegistry");
    auto cmd = node->prepare_submit("qc_v1", body_for(examples, "qc_v1", "ors_embed_outage"));
    if (auto* early = std::get_if<node_reply>(&cmd))
      return fail("prepare: " + early->message);
    self->request(node->actor(), 30s, std::get<messages::submit_command>(cmd))
      .then(
        [self, fail](node_reply& reply) {
          std::cout << "degraded: " << embed::to_string(reply.cause) << " ("
                    << embed::http_status(reply) << "): " << reply.message << std::endl;
          if (reply.cause != reply_cause::registry_unavailable)
            return fail("expected registry_unavailable");
          self->state.done.deliver(0);
        },
        [fail](caf::error& err) { fail(caf::to_string(err)); });
  };
  auto settled = [self, outage, fail](const std::string& route, const node_reply& reply) {
    if (reply.cause != reply_cause::none)
      return fail(route + ": " + std::string{embed::to_string(reply.cause)} + ": " + reply.message);
    if (reply.result.status == "PENDING") { // not settled yet: poll again shortly
      self->state.request_ids[route] = reply.result.request_id;
      self->delayed_send(self, 200ms, poll_atom::value, route);
      return;
    }
    std::cout << route << ": " << reply.result.status << " " << reply.result.request_id
              << std::endl;
    if (reply.result.status != "READY")
      return fail(route + " settled " + reply.result.status + ": " + reply.result.detail);
    if (++self->state.ready == 2)
      outage();
  };
  auto submit_all = [self, node, examples, settled, fail] {
    // README:begin
    // Submit a request body (the JSON an HTTP client would POST) to the
    // embedded node: validation runs here, the node answers a typed reply.
    for (std::string route : {"qc_v1", "self_v1"}) {
      auto cmd = node->prepare_submit(route, body_for(examples, route, "ors_embed_" + route));
      if (auto* early = std::get_if<messages::node_reply>(&cmd)) {
        fail(route + ": " + early->message); // e.g. reply_cause::invalid_request
        continue;
      }
      self->request(node->actor(), 30s, std::get<messages::submit_command>(cmd))
        .then([route, settled](messages::node_reply& reply) { settled(route, reply); },
              [fail](caf::error& err) { fail(caf::to_string(err)); });
    }
    // README:end
  };
  return {
    [self](go_atom) {
      self->state.done = self->make_response_promise<int>();
      self->send(self, messages::ready_atom::value);
      return self->state.done;
    },
    // Readiness first: the store is loaded and the chain head has a fresh
    // height (the node's first chain read may not have happened yet).
    [self, node, submit_all, fail](messages::ready_atom) {
      self->request(node->actor(), 10s, messages::ready_atom::value)
        .then(
          [self, submit_all, fail](messages::readiness& r) {
            if (r.ready) {
              std::cout << "node ready: " << r.jobs << " jobs" << std::endl;
              return submit_all();
            }
            if (++self->state.readiness_checks == 50)
              return fail("node not ready: " + r.failing.front());
            self->delayed_send(self, 100ms, messages::ready_atom::value);
          },
          [fail](caf::error& err) { fail(caf::to_string(err)); });
    },
    [self, node, examples, settled, fail](poll_atom, const std::string& route) {
      auto body = body_for(examples, route, "ors_embed_" + route, self->state.request_ids[route]);
      auto cmd = node->prepare_poll(route, body);
      if (auto* early = std::get_if<node_reply>(&cmd))
        return fail(route + " poll: " + early->message);
      self->request(node->actor(), 30s, std::get<messages::poll_command>(cmd))
        .then([route, settled](node_reply& reply) { settled(route, reply); },
              [fail](caf::error& err) { fail(caf::to_string(err)); });
    },
  };
}

// The second mode, from a plain scoped_actor: the gateway validates the
// bodies itself (a remote peer never hands the node an unvalidated request).
int run_remote(const std::filesystem::path& examples, const std::string& target) {
  auto colon = target.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "--connect expects HOST:PORT\n";
    return 2;
  }
  caf::actor_system_config cfg;
  embed::prepare_config(cfg, {});
  cfg.load<caf::io::middleman>();
  caf::actor_system system{cfg};
  auto connected =
    embed::connect(system, target.substr(0, colon), std::stoi(target.substr(colon + 1)));
  if (auto* err = std::get_if<std::string>(&connected)) {
    std::cerr << *err << "\n";
    return 1;
  }
  auto gateway = std::get<messages::gateway_actor>(connected);
  caf::scoped_actor self{system};
  auto ask = [&](auto message) {
    node_reply reply;
    reply.message = "no answer";
    self->request(gateway, 30s, std::move(message))
      .receive([&](node_reply& r) { reply = std::move(r); },
               [&](caf::error& err) { reply.message = system.render(err); });
    return reply;
  };
  auto body = body_for(examples, "qc_v1", "ors_embed_remote");
  auto first = ask(messages::body_submit{"qc_v1", body});
  auto again = ask(messages::body_submit{"qc_v1", body});
  if (first.cause != reply_cause::none || again.cause != reply_cause::none) {
    std::cout << "FAILED: " << first.message << " / " << again.message << std::endl;
    return 1;
  }
  std::cout << "remote submit: " << first.result.status << " " << first.result.request_id
            << std::endl;
  std::cout << "remote dedupe: " << again.result.request_id
            << (again.result.request_id == first.result.request_id ? " (same job)" : " (NEW JOB)")
            << std::endl;
  auto polled = ask(messages::body_poll{
    "qc_v1", body_for(examples, "qc_v1", "ors_embed_remote", first.result.request_id)});
  std::cout << "remote poll: " << embed::to_string(polled.cause) << " " << polled.result.status
            << " " << polled.result.request_id << std::endl;
  bool ok = again.result.request_id == first.result.request_id &&
            polled.cause == reply_cause::none && polled.result == first.result;
  return ok ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  std::filesystem::path examples, data_dir;
  std::string connect_to;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.starts_with("--examples-dir="))
      examples = arg.substr(15);
    else if (arg.starts_with("--data-dir="))
      data_dir = arg.substr(11);
    else if (arg.starts_with("--connect="))
      connect_to = arg.substr(10);
  }
  if (!examples.empty() && !connect_to.empty())
    return run_remote(examples, connect_to);
  if (examples.empty() || data_dir.empty()) {
    std::cerr << "usage: coordinator --examples-dir=DIR (--data-dir=DIR | --connect=HOST:PORT)\n";
    return 2;
  }
  std::filesystem::create_directories(data_dir);
  // The PUBLIC dev signer key must be mode 0600 (git checks it out 0644).
  auto key = data_dir / "dev-signer.key";
  std::filesystem::copy_file(examples / "dev-signer.key", key,
                             std::filesystem::copy_options::overwrite_existing);
  ::chmod(key.c_str(), 0600);

  // What examples/dev.ini sets, without HTTP: the fixture chain, the dev key.
  embed::node_options options;
  options.port = 0;
  options.data_dir = (data_dir / "store").string();
  options.enable_self_v1 = true;
  options.bridge_covenant_fraud_defense_confirmed = true;
  options.chain_backend = "fixture";
  options.chain_fixture_file = (examples / "chain" / "dev-chain.json").string();
  options.signer_backend = "local_key";
  options.signer_key_file = key.string();

  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  embed::prepare_config(cfg, options);
  caf::actor_system system{cfg};
  auto started = embed::embedded_node::start(system, options);
  if (auto* err = std::get_if<std::string>(&started)) {
    std::cerr << "cannot start the node: " << *err << "\n";
    return 1;
  }
  auto& node = std::get<embed::embedded_node>(started);
  auto host = system.spawn(coordinator, &node, examples);
  int code = 1;
  caf::scoped_actor self{system};
  self->request(host, 120s, go_atom::value)
    .receive([&](int c) { code = c; },
             [&](caf::error& err) { std::cerr << system.render(err) << "\n"; });
  self->send_exit(host, caf::exit_reason::user_shutdown);
  node.stop(); // sessions settle, the store releases the data dir's lock
  std::cout << "stopped: exit " << code << std::endl;
  return code;
}
