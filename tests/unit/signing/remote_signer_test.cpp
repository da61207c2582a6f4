// The `remote` signer backend (issue 7): a node whose signer is an actor in
// another actor system, reached over caf::io on loopback. The remote here is
// test_remote_signer (a second actor_system publishing the local_key signer,
// or a signer that never answers). Covered: signing end to end to READY; a
// remote that goes away while it signs fails the session cleanly and in
// bounded time, and the next request reconnects and signs; a repeated
// (request_id, sighash) is answered from the client's cache (the remote sees
// one request); startup refuses a non-loopback host without TLS, a bad port,
// a remote that is not there, and a bad public key.
#include "tests/support/hanging_signer.hpp"
#include "tests/unit/signing/test_remote_signer.hpp"

#include "actors/node_bootstrap.hpp"
#include "actors/remote_signer.hpp"
#include "bitcoin/interpreter.hpp"
#include "crypto/hash160.hpp"
#include "persistence/audit_log.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/funded_requests.hpp"
#include "tests/support/requests.hpp"
#include "tests/support/temp_dir.hpp"
#include "transport/request_pipeline.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

using namespace covsigner;
using namespace covsigner::messages;
using namespace std::chrono_literals;

namespace {

const std::string tls_hint = "a non-loopback remote signer needs TLS (--signer.remote-tls with "
                             "--openssl.certificate, --openssl.key and --openssl.cafile)";

class RemoteSigning : public ::testing::Test {
protected:
  test_support::remoting_actor_system_config cfg;
  caf::actor_system system{cfg};
  test_support::temp_dir dir;
  test_support::funded_request self_v1 = test_support::make_funded_request("self_v1");
  test_support::funded_request qc_v1 = test_support::make_funded_request("qc_v1");
  test_support::test_remote_signer remote;
  actors::running_node node;

  void TearDown() override {
    if (node.node)
      actors::stop_node(system, node);
    remote.stop();
  }

  std::filesystem::path data_dir() const { return dir.path() / "data"; }

  /// A tbtc node (fixture chain, gate on) whose signer is the remote at
  /// 127.0.0.1:`port`, holding dev key 0x22.
  actors::node_options remote_options(int port) {
    auto fixture = dir.path() / "chain.json";
    std::ofstream(fixture) << test_support::fixture_chain_json({{&self_v1, 6}, {&qc_v1, 6}});
    actors::node_options options;
    options.data_dir = data_dir();
    options.chain = chain::backend_config{};
    options.chain->fixture_file = fixture.string();
    options.signer.backend = "remote";
    options.signer.remote.host = "127.0.0.1";
    options.signer.remote.port = port;
    options.signer.remote.public_key = test_support::dev_public_key_hex(0x22);
    options.signer.remote.connect_timeout = 3s;
    options.signer.remote.request_timeout = 5s;
    options.sessions.tbtc.settings.fraud_defense_confirmed = true;
    return options;
  }

  void start(const actors::node_options& options) {
    auto started = actors::start_node(system, options);
    ASSERT_TRUE(std::holds_alternative<actors::running_node>(started))
      << std::get<std::string>(started);
    node = std::move(std::get<actors::running_node>(started));
  }

  std::string start_error(const actors::node_options& options) {
    auto started = actors::start_node(system, options);
    if (auto* running = std::get_if<actors::running_node>(&started)) {
      actors::stop_node(system, *running);
      return "started";
    }
    return std::get<std::string>(started);
  }

  node_reply submit(const boost::json::object& request, const std::string& route,
                    const std::string& route_request_id, std::uint32_t wait_ms = node_wait_bound) {
    auto prepared = transport::prepare_submit(test_support::submit_body(request, route_request_id),
                                              route, transport::request_policy{});
    if (auto* err = std::get_if<transport::http_error>(&prepared)) {
      ADD_FAILURE() << "submit refused: " << err->message;
      return {};
    }
    auto cmd = std::get<submit_command>(prepared);
    cmd.wait_ms = wait_ms;
    node_reply reply;
    caf::scoped_actor self{system};
    self->request(node.node, 30s, std::move(cmd))
      .receive([&](node_reply& r) { reply = std::move(r); },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
    return reply;
  }

  covenant::job stored(const std::string& request_id) {
    covenant::job out;
    caf::scoped_actor self{system};
    self->request(node.store, 10s, caf::get_atom::value, request_id)
      .receive([&](store_result& r) { out = std::move(r.snapshot.job); },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
    return out;
  }

  /// Waits up to `bound` for the job to reach `state`.
  bool wait_for_state(const std::string& request_id, covenant::job_state state,
                      std::chrono::milliseconds bound) {
    auto deadline = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < deadline) {
      if (stored(request_id).state == state)
        return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
};

} // namespace

TEST_F(RemoteSigning, SelfV1ToArtifactReadyThroughTheRemote) {
  ASSERT_EQ(remote.start_local_key(), "");
  start(remote_options(remote.port()));
  auto reply = submit(self_v1.request, "self_v1", "ors_remote_1");
  ASSERT_EQ(reply.code, reply_code::ok) << reply.message;
  const auto& r = reply.result;
  ASSERT_EQ(r.status, "READY") << r.detail;
  EXPECT_EQ(r.detail, "self_v1 artifact ready");
  auto raw = crypto::from_0x_hex(r.transaction_hex);
  ASSERT_TRUE(raw);
  auto tx = bitcoin::parse_transaction(*raw);
  ASSERT_TRUE(tx.tx) << tx.error;
  EXPECT_EQ(bitcoin::verify_input(*tx.tx, 0, self_v1.script_pubkey, 1000000),
            bitcoin::script_error::ok);
  EXPECT_EQ(stored(r.request_id).state, covenant::job_state::artifact_ready);
  EXPECT_EQ(remote.requests->load(), 1);
}

TEST_F(RemoteSigning, RemoteGoneWhileSigningFailsTheSessionAndTheNextRequestReconnects) {
  auto probe = std::make_shared<test_support::hang_probe>();
  ASSERT_EQ(remote.start([probe](caf::actor_system& sys) {
    return test_support::spawn_hanging_signer(sys, probe).actor;
  }),
            "");
  const auto port = remote.port();
  start(remote_options(port));
  auto pending = submit(self_v1.request, "self_v1", "ors_remote_gone", 0);
  ASSERT_EQ(pending.code, reply_code::ok) << pending.message;
  const auto id = pending.result.request_id;
  // The remote holds the request unanswered; then its process goes away.
  for (int i = 0; i < 500 && probe->requests.load() == 0; ++i)
    std::this_thread::sleep_for(10ms);
  ASSERT_EQ(probe->requests.load(), 1);
  auto gone = std::chrono::steady_clock::now();
  remote.stop();
  // Bounded: the lost connection is noticed, the one resend finds nobody,
  // and the session records the cause; well before the 5 s request timeout.
  ASSERT_TRUE(wait_for_state(id, covenant::job_state::failed, 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - gone, 4s);
  auto job = stored(id);
  EXPECT_EQ(job.reason, covenant::failure_reason::provider_failed);
  EXPECT_TRUE(job.detail.starts_with(
    "cannot sign covenant transaction: the connection to the remote signer was lost while it "
    "was signing; cannot reach the remote signer at 127.0.0.1:" +
    std::to_string(port) + ": "))
    << job.detail;

  // The remote comes back on the same port: the next request reconnects.
  ASSERT_EQ(remote.start_local_key(port), "");
  auto reply = submit(qc_v1.request, "qc_v1", "ors_remote_back");
  ASSERT_EQ(reply.code, reply_code::ok) << reply.message;
  EXPECT_EQ(reply.result.status, "READY") << reply.result.detail;
  EXPECT_EQ(remote.requests->load(), 1);
}

// The remote holds the request past the client's request_timeout: it may
// have signed (the answer is late, not a refusal), so the job ends FAILED
// "interrupted; may have been signed", not "did not answer".
TEST_F(RemoteSigning, ARemoteThatDoesNotAnswerInTimeMayHaveSigned) {
  auto probe = std::make_shared<test_support::hang_probe>();
  ASSERT_EQ(remote.start([probe](caf::actor_system& sys) {
    return test_support::spawn_hanging_signer(sys, probe).actor;
  }),
            "");
  auto options = remote_options(remote.port());
  options.signer.remote.request_timeout = 300ms;
  start(options);
  auto started = std::chrono::steady_clock::now();
  auto reply = submit(self_v1.request, "self_v1", "ors_remote_slow", 5000);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
  ASSERT_EQ(reply.code, reply_code::ok) << reply.message;
  EXPECT_EQ(probe->requests.load(), 1);
  EXPECT_EQ(reply.result.status, "FAILED");
  EXPECT_EQ(reply.result.reason, covenant::failure_reason::provider_failed);
  EXPECT_EQ(reply.result.detail, "interrupted; may have been signed");
  EXPECT_EQ(stored(reply.result.request_id).detail, "interrupted; may have been signed");
}

TEST_F(RemoteSigning, ARequestWhileTheRemoteIsDownFailsWithTheCause) {
  ASSERT_EQ(remote.start_local_key(), "");
  const auto port = remote.port();
  start(remote_options(port));
  remote.stop();
  // The client learns of the lost connection from CAF (a down message);
  // a request that races it is resent once and fails the same way.
  std::this_thread::sleep_for(300ms);
  auto reply = submit(self_v1.request, "self_v1", "ors_remote_down");
  ASSERT_EQ(reply.code, reply_code::ok) << reply.message;
  EXPECT_EQ(reply.result.status, "FAILED");
  EXPECT_EQ(reply.result.reason, covenant::failure_reason::provider_failed);
  EXPECT_TRUE(reply.result.detail.starts_with("cannot sign covenant transaction: "))
    << reply.result.detail;
  EXPECT_NE(reply.result.detail.find("cannot reach the remote signer at 127.0.0.1:" +
                                     std::to_string(port) + ": "),
            std::string::npos)
    << reply.result.detail;
  EXPECT_EQ(remote.requests->load(), 0);
}

TEST_F(RemoteSigning, RepeatedRequestIsAnsweredFromTheCache) {
  ASSERT_EQ(remote.start_local_key(), "");
  actors::remote_signer_settings settings;
  settings.port = remote.port();
  settings.public_key = test_support::dev_public_key_hex(0x22);
  auto connected = actors::connect_remote_signer(system, settings);
  ASSERT_TRUE(std::holds_alternative<signer_actor>(connected)) << std::get<std::string>(connected);
  auto signer = actors::spawn_remote_signer(system, settings, std::get<signer_actor>(connected));
  EXPECT_EQ(crypto::to_0x_hex(signer.public_key), test_support::dev_public_key_hex(0x22));

  auto wallet = crypto::to_0x_hex(crypto::hash160(signer.public_key));
  const std::string sighash = "0x" + std::string(64, 'a');
  signature_request req{"kcs_self_cache", wallet, sighash};
  auto first = test_support::ask<signature_reply>(system, signer.actor, 10s, req);
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->ok) << first->cause;
  // The same pair again (a retry after a lost reply), in another letter
  // case: the same signature, and the remote is not asked again.
  req.sighash = "0x" + std::string(64, 'A');
  auto again = test_support::ask<signature_reply>(system, signer.actor, 10s, req);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->ok);
  EXPECT_EQ(again->der_signature, first->der_signature);
  EXPECT_EQ(remote.requests->load(), 1);
  // Identical requests at once join one remote request (or hit the cache).
  signature_request other{"kcs_self_join", wallet, "0x" + std::string(64, 'b')};
  caf::scoped_actor self{system};
  self->send(signer.actor, other);
  self->send(signer.actor, other);
  std::vector<signature_reply> joined;
  for (int i = 0; i < 2; ++i)
    self->receive([&](signature_reply& r) { joined.push_back(r); },
                  caf::after(10s) >> [] { ADD_FAILURE() << "no reply"; });
  ASSERT_EQ(joined.size(), 2u);
  EXPECT_TRUE(joined[0].ok) << joined[0].cause;
  EXPECT_TRUE(joined[1].ok);
  EXPECT_EQ(joined[0].der_signature, joined[1].der_signature);
  EXPECT_EQ(remote.requests->load(), 2);
  // A different sighash for a request id already signed: refused locally.
  req.sighash = "0x" + std::string(64, 'c');
  auto different = test_support::ask<signature_reply>(system, signer.actor, 10s, req);
  ASSERT_TRUE(different);
  EXPECT_FALSE(different->ok);
  EXPECT_EQ(different->cause, "request kcs_self_cache was already signed over sighash 0x" +
                                std::string(64, 'a') + "; refusing to sign a different sighash");
  EXPECT_EQ(remote.requests->load(), 2);
  caf::anon_send_exit(signer.actor, caf::exit_reason::user_shutdown);
}

TEST_F(RemoteSigning, NonLoopbackHostWithoutTlsIsRefusedAtStartup) {
  auto options = remote_options(4242);
  for (std::string host : {"10.0.0.7", "0.0.0.0", "signer.example.com", "::"}) {
    options.signer.remote.host = host;
    EXPECT_EQ(start_error(options),
              "signer: remote signer host [" + host + "] is not a loopback address; " + tls_hint);
  }
  // Nothing was locked or created for a refused configuration.
  EXPECT_FALSE(std::filesystem::exists(data_dir()));
}

TEST_F(RemoteSigning, BadPortIsRefusedAtStartup) {
  for (int port : {0, -1, 65536}) {
    EXPECT_EQ(start_error(remote_options(port)),
              "signer: invalid remote signer port [" + std::to_string(port) +
                "]: expected 1..65535");
  }
  // A port where no remote signer listens.
  const int nobody = test_support::free_loopback_port();
  auto error = start_error(remote_options(nobody));
  EXPECT_TRUE(error.starts_with("signer: cannot reach the remote signer at 127.0.0.1:" +
                                std::to_string(nobody) + ": "))
    << error;
  EXPECT_FALSE(std::filesystem::exists(data_dir()));
}

TEST_F(RemoteSigning, BadPublicKeyAndMissingTlsSetupAreRefusedAtStartup) {
  auto options = remote_options(4242);
  options.signer.remote.public_key = "0x04" + std::string(64, '1');
  EXPECT_EQ(start_error(options), "signer: invalid remote signer public key [0x04" +
                                    std::string(64, '1') +
                                    "]: expected 0x + 66 hex (a compressed secp256k1 key)");
  options = remote_options(4242);
  options.signer.remote.tls = true;
  options.signer.remote.host = "10.0.0.7";
  EXPECT_EQ(start_error(options),
            "signer: TLS for the remote signer needs the actor system to load "
            "caf::openssl::manager");
}

TEST(RemoteSignerHost, LoopbackOnly) {
  for (auto host : {"127.0.0.1", "127.1.2.3", "::1", "localhost"})
    EXPECT_TRUE(actors::is_loopback_host(host)) << host;
  for (auto host : {"10.0.0.1", "0.0.0.0", "::", "128.0.0.1", "localhost.example.com", "",
                    "::ffff:10.0.0.1"})
    EXPECT_FALSE(actors::is_loopback_host(host)) << host;
}

TEST(RemoteSignerStartup, NeedsTheMiddleman) {
  test_support::test_actor_system_config cfg; // no caf::io
  caf::actor_system system{cfg};
  actors::remote_signer_settings settings;
  settings.port = 4242;
  settings.public_key = test_support::dev_public_key_hex(0x22);
  auto connected = actors::connect_remote_signer(system, settings);
  ASSERT_TRUE(std::holds_alternative<std::string>(connected));
  EXPECT_EQ(std::get<std::string>(connected),
            "the remote signer needs the actor system to load caf::io::middleman");
}
