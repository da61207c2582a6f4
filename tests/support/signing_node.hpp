// A node with the tbtc engine over a fixture chain, for signing tests:
// the funding transactions of funded_requests.hpp on the fixture chain, a
// key file (mode 0600) holding the signer dev key 0x22, the fraud-defense
// gate on, and submits through the transport's own request pipeline.
#pragma once

#include "actors/node_bootstrap.hpp"
#include "persistence/audit_log.hpp"
#include "tests/support/actor_system.hpp"
#include "tests/support/funded_requests.hpp"
#include "tests/support/requests.hpp"
#include "tests/support/temp_dir.hpp"
#include "transport/request_pipeline.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <sys/stat.h>

namespace covsigner::test_support {

class signing_node_fixture : public ::testing::Test {
protected:
  test_actor_system_config cfg;
  caf::actor_system system{cfg};
  temp_dir dir;
  funded_request self_v1 = make_funded_request("self_v1");
  funded_request qc_v1 = make_funded_request("qc_v1");
  actors::running_node node;

  std::filesystem::path data_dir() const { return dir.path() / "data"; }
  std::filesystem::path audit_log() const { return persistence::audit_log_path(data_dir()); }

  /// Writes the fixture chain (every funding tx with `confirmations`) and
  /// the key file; returns options for a local_key node with the gate on.
  actors::node_options signing_options(std::uint64_t confirmations = 6) {
    auto fixture = dir.path() / "chain.json";
    std::ofstream(fixture) << fixture_chain_json({{&self_v1, confirmations}, {&qc_v1, confirmations}});
    auto key = dir.path() / "signer.key";
    std::ofstream(key) << std::string(64, '2') << "\n";
    ::chmod(key.c_str(), 0600);
    actors::node_options options;
    options.data_dir = data_dir();
    options.chain = chain::backend_config{};
    options.chain->fixture_file = fixture.string();
    options.signer.backend = "local_key";
    options.signer.key_file = key;
    options.signer.make_undumpable = false; // keep the test process debuggable
    options.sessions.tbtc.settings.fraud_defense_confirmed = true;
    return options;
  }

  void start(const actors::node_options& options) {
    auto started = actors::start_node(system, options);
    ASSERT_TRUE(std::holds_alternative<actors::running_node>(started))
      << std::get<std::string>(started);
    node = std::move(std::get<actors::running_node>(started));
  }

  void stop() {
    if (node.node)
      actors::stop_node(system, node);
  }

  void TearDown() override { stop(); }

  messages::node_reply submit(const boost::json::object& request, const std::string& route,
                              const std::string& route_request_id,
                              std::uint32_t wait_ms = messages::node_wait_bound) {
    auto prepared = transport::prepare_submit(submit_body(request, route_request_id), route,
                                              transport::request_policy{});
    if (auto* err = std::get_if<transport::http_error>(&prepared)) {
      ADD_FAILURE() << "submit refused: " << err->message << " " << err->log_detail;
      return {};
    }
    auto cmd = std::get<messages::submit_command>(prepared);
    cmd.wait_ms = wait_ms;
    messages::node_reply reply;
    caf::scoped_actor self{system};
    self->request(node.node, std::chrono::seconds(30), std::move(cmd))
      .receive([&](messages::node_reply& r) { reply = std::move(r); },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
    return reply;
  }

  /// The job's durable snapshot.
  messages::store_result stored(const std::string& request_id) {
    messages::store_result out;
    caf::scoped_actor self{system};
    self->request(node.store, std::chrono::seconds(10), caf::get_atom::value, request_id)
      .receive([&](messages::store_result& r) { out = std::move(r); },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
    return out;
  }

  /// Waits (up to 10 s) until the job is in `state`.
  bool wait_for_state(const std::string& request_id, covenant::job_state state) {
    for (int i = 0; i < 1000; ++i) {
      if (stored(request_id).snapshot.job.state == state)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  std::vector<persistence::audit_entry> audit_entries() {
    auto read = persistence::read_audit_log(audit_log());
    if (auto* err = std::get_if<persistence::io_error>(&read)) {
      ADD_FAILURE() << err->message;
      return {};
    }
    return std::get<std::vector<persistence::audit_entry>>(read);
  }
};

} // namespace covsigner::test_support
