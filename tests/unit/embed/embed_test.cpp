// The embedding API (transport/embed.hpp): a node started in the test's own
// actor_system on the committed development fixture chain, driven with the
// typed messages a host sends. Every degraded answer is a typed
// reply_cause with the reference's text beside it.
#include "tests/support/actor_system.hpp"
#include "tests/support/dev_examples.hpp"
#include "tests/support/requests.hpp"
#include "tests/support/signed_requests.hpp"
#include "tests/support/temp_dir.hpp"
#include "transport/embed.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

using namespace covsigner;
using namespace covsigner::messages;
using namespace std::chrono_literals;
namespace ts = covsigner::test_support;

namespace {

// A port nothing listens on right now (bound to 127.0.0.1:0, then closed).
int unused_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("cannot find an unused port");
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += s;
  return out;
}

// examples/requests/<route>-certified.json's request under another routeRequestId.
std::string dev_submit_body(const std::string& route, const std::string& rrid) {
  auto body = ts::read_json_file(ts::examples_path("requests/" + route + "-certified.json"));
  return ts::submit_body(body.as_object().at("request").as_object(), rrid);
}

class Embed : public ::testing::Test {
protected:
  ts::temp_dir dir;
  embed::node_options options;
  ts::test_actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  std::optional<embed::embedded_node> node;

  void SetUp() override {
    options.port = 0;
    options.data_dir = (dir.path() / "data").string();
    options.enable_self_v1 = true;
    options.chain_backend = "fixture";
    options.chain_fixture_file = ts::examples_path("chain/dev-chain.json");
    options.chain_head_refresh_ms = 50;
    options.chain_breaker_open_ms = 100;
    options.signer_backend = "local_key";
    options.signer_key_file = ts::copy_dev_signer_key(dir.path()).string();
    options.bridge_covenant_fraud_defense_confirmed = true;
    options.shutdown_grace_ms = 0;
  }

  // One actor_system per test (a config builds one system); restarts
  // start a new node in it, as a host would.
  void start() {
    if (!system) {
      embed::prepare_config(cfg, options);
      system = std::make_unique<caf::actor_system>(cfg);
    }
    auto started = embed::embedded_node::start(*system, options);
    ASSERT_TRUE(std::holds_alternative<embed::embedded_node>(started))
      << std::get<std::string>(started);
    node.emplace(std::move(std::get<embed::embedded_node>(started)));
    std::this_thread::sleep_for(150ms); // the chain head's first refresh
  }

  void TearDown() override {
    if (node && node->fixture_faults())
      node->fixture_faults()->set(chain::fault_mode::none);
    node.reset();
  }

  node_reply ask(const submit_command& cmd) {
    node_reply reply;
    caf::scoped_actor self{*system};
    self->request(node->actor(), 30s, cmd)
      .receive([&](node_reply& r) { reply = std::move(r); },
               [&](caf::error& e) { ADD_FAILURE() << system->render(e); });
    return reply;
  }

  node_reply ask(const poll_command& cmd) {
    node_reply reply;
    caf::scoped_actor self{*system};
    self->request(node->actor(), 30s, cmd)
      .receive([&](node_reply& r) { reply = std::move(r); },
               [&](caf::error& e) { ADD_FAILURE() << system->render(e); });
    return reply;
  }

  submit_command prepared(const std::string& route, const std::string& body,
                          std::uint32_t wait_ms = 5000) {
    auto p = node->prepare_submit(route, body);
    if (auto* r = std::get_if<node_reply>(&p)) {
      ADD_FAILURE() << embed::to_string(r->cause) << ": " << r->message;
      return {};
    }
    auto cmd = std::get<submit_command>(std::move(p));
    cmd.wait_ms = wait_ms;
    return cmd;
  }

  node_reply submit(const std::string& route, const std::string& rrid,
                    std::uint32_t wait_ms = 5000) {
    return ask(prepared(route, dev_submit_body(route, rrid), wait_ms));
  }
};

} // namespace

TEST_F(Embed, TheDevRequestsSignAndAnOkReplyHasNoCause) {
  start();
  for (std::string route : {"qc_v1", "self_v1"}) {
    auto reply = submit(route, "ors_embed_" + route);
    ASSERT_EQ(reply.code, reply_code::ok) << reply.message;
    EXPECT_EQ(reply.cause, reply_cause::none);
    EXPECT_EQ(reply.result.status, "READY") << route << " " << reply.result.detail;
    EXPECT_EQ(embed::http_status(reply), 200);
  }
}

TEST_F(Embed, RegistryOutageIsTypedRegistryUnavailable) {
  start();
  node->fixture_faults()->set(chain::fault_mode::fail, 0ms, "WalletRegistry");
  auto reply = submit("qc_v1", "ors_embed_registry");
  EXPECT_EQ(reply.code, reply_code::unavailable);
  EXPECT_EQ(reply.cause, reply_cause::registry_unavailable);
  EXPECT_EQ(embed::http_status(reply), 503);
  EXPECT_EQ(reply.message, "wallet registry data unavailable for wallet 0x" + repeat("a1", 32) +
                             ": fixture WalletRegistry failed (simulated fault)");
  // Nothing was created: the same submit succeeds once the registry is back.
  node->fixture_faults()->set(chain::fault_mode::none);
  auto again = submit("qc_v1", "ors_embed_registry");
  EXPECT_EQ(again.cause, reply_cause::none) << again.message;
}

TEST_F(Embed, BridgeOutageIsTypedBridgeUnavailable) {
  start();
  node->fixture_faults()->set(chain::fault_mode::fail, 0ms, "Bridge");
  auto reply = submit("qc_v1", "ors_embed_bridge");
  EXPECT_EQ(reply.code, reply_code::unavailable);
  EXPECT_EQ(reply.cause, reply_cause::bridge_unavailable);
  EXPECT_NE(reply.message.find("Bridge unavailable: cannot get wallet for public key hash "),
            std::string::npos)
    << reply.message;
  EXPECT_NE(reply.message.find("fixture Bridge failed (simulated fault)"), std::string::npos);
}

TEST_F(Embed, AStaleChainHeadIsTypedChainHeadStaleBeforeTheNodeIsAsked) {
  options.chain_head_max_age_ms = 300;
  start();
  node->fixture_faults()->set(chain::fault_mode::fail, 0ms, "host chain");
  std::this_thread::sleep_for(600ms); // past the head's maximum age
  auto p = node->prepare_submit("qc_v1", dev_submit_body("qc_v1", "ors_embed_stale"));
  ASSERT_TRUE(std::holds_alternative<node_reply>(p));
  const auto& reply = std::get<node_reply>(p);
  EXPECT_EQ(reply.code, reply_code::unavailable);
  EXPECT_EQ(reply.cause, reply_cause::chain_head_stale);
  EXPECT_TRUE(reply.message.starts_with("cannot validate signer approval certificate expiry: "))
    << reply.message;
}

TEST_F(Embed, AnInvalidBodyIsTypedInvalidRequest) {
  start();
  auto p = node->prepare_submit("qc_v1", "{\"routeRequestId\":");
  ASSERT_TRUE(std::holds_alternative<node_reply>(p));
  EXPECT_EQ(std::get<node_reply>(p).cause, reply_cause::invalid_request);
  EXPECT_EQ(std::get<node_reply>(p).code, reply_code::bad_request);
  EXPECT_EQ(std::get<node_reply>(p).message, "malformed request body");
}

TEST_F(Embed, ADifferentPayloadUnderALiveKeyIsTypedConflict) {
  start();
  const covenant::eip712_domain domain{0, covenant::default_approval_salt()};
  ts::certificate_options first_cert;
  first_cert.end_block = 2000;
  ts::certificate_options second_cert;
  second_cert.end_block = 3000;
  auto first = ask(prepared(
    "qc_v1", ts::submit_body(ts::certified_vector_request("qc_v1", domain, first_cert), "rr-c"),
    0));
  ASSERT_EQ(first.cause, reply_cause::none) << first.message;
  auto second = ask(prepared(
    "qc_v1", ts::submit_body(ts::certified_vector_request("qc_v1", domain, second_cert), "rr-c"),
    0));
  EXPECT_EQ(second.code, reply_code::bad_request);
  EXPECT_EQ(second.cause, reply_cause::conflict);
  EXPECT_EQ(second.message, "routeRequestId already exists with a different request payload");
}

TEST_F(Embed, PollingAnUnknownJobIsTypedNotFound) {
  start();
  auto body = ts::read_json_file(ts::examples_path("requests/qc_v1-certified.json"));
  auto p = node->prepare_poll("qc_v1", ts::poll_body(body.as_object().at("request").as_object(),
                                                     "ors_embed_none", "kcs_qc_00112233445566aa"));
  ASSERT_TRUE(std::holds_alternative<poll_command>(p)) << std::get<node_reply>(p).message;
  auto reply = ask(std::get<poll_command>(p));
  EXPECT_EQ(reply.code, reply_code::not_found);
  EXPECT_EQ(reply.cause, reply_cause::not_found);
  EXPECT_EQ(embed::http_status(reply), 404);
  EXPECT_EQ(reply.message, "covenant signer job not found");
}

TEST_F(Embed, ACorruptJobPoisonsItsKeyTypedPoisonedKey) {
  start();
  auto created = submit("qc_v1", "ors_embed_poison", 0);
  ASSERT_EQ(created.cause, reply_cause::none) << created.message;
  // Let its session settle, then corrupt the job file; its route marker
  // stays, so the next load poisons the key.
  std::this_thread::sleep_for(500ms);
  node.reset();
  auto job = dir.path() / "data" / "covenant-signer-jobs" / (created.result.request_id + ".json");
  ASSERT_TRUE(std::filesystem::exists(job)) << job;
  std::ofstream(job, std::ios::trunc) << "{\"requestId\":";
  start();
  auto reply = submit("qc_v1", "ors_embed_poison");
  EXPECT_EQ(reply.code, reply_code::unavailable);
  EXPECT_EQ(reply.cause, reply_cause::poisoned_key);
  EXPECT_NE(reply.message.find("is poisoned"), std::string::npos) << reply.message;
}

TEST_F(Embed, AFullSigningQueueIsTypedQueueFull) {
  options.sessions_max_in_flight = 1;
  options.sessions_max_queued = 1;
  start();
  // The one session in flight waits for its (slowed) Bitcoin read; the
  // next job queues behind it; the queue is then full.
  node->fixture_faults()->set(chain::fault_mode::slow, 1500ms, "Bitcoin");
  auto running = submit("self_v1", "ors_embed_running", 0);
  ASSERT_EQ(running.cause, reply_cause::none) << running.message;
  auto queued = submit("self_v1", "ors_embed_queued", 0);
  ASSERT_EQ(queued.cause, reply_cause::none) << queued.message;
  auto refused = submit("self_v1", "ors_embed_refused", 0);
  EXPECT_EQ(refused.code, reply_code::unavailable);
  EXPECT_EQ(refused.cause, reply_cause::queue_full);
  EXPECT_EQ(refused.message, "the signing queue is full (1 jobs wait for a session); retry later");
  // A duplicate of a queued job is still answered.
  EXPECT_EQ(submit("self_v1", "ors_embed_queued", 0).result.request_id, queued.result.request_id);
}

TEST_F(Embed, StopReleasesTheDataDirLock) {
  start();
  // A second node on the same data dir is refused while the first runs.
  {
    ts::test_actor_system_config other_cfg;
    caf::actor_system other{other_cfg};
    auto second = embed::embedded_node::start(other, options);
    ASSERT_TRUE(std::holds_alternative<std::string>(second));
    EXPECT_NE(std::get<std::string>(second).find(".lock"), std::string::npos)
      << std::get<std::string>(second);
  }
  node->stop();
  node->stop(); // idempotent
  ts::test_actor_system_config other_cfg;
  caf::actor_system other{other_cfg};
  auto third = embed::embedded_node::start(other, options);
  ASSERT_TRUE(std::holds_alternative<embed::embedded_node>(third)) << std::get<std::string>(third);
}

TEST_F(Embed, InvalidOptionsAreRefusedWithCovsignerdsMessages) {
  ts::test_actor_system_config c;
  caf::actor_system sys{c};
  auto refused = [&](embed::node_options o) {
    auto r = embed::embedded_node::start(sys, o);
    return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : std::string{};
  };
  auto o = options;
  o.port = 70000;
  EXPECT_EQ(refused(o), "invalid covenant signer port [70000]");
  o = options;
  o.store_sync = "sometimes";
  EXPECT_EQ(refused(o), "invalid --store.sync [sometimes]: expected group, per-job or none");
  o = options;
  o.chain_backend = "carrier-pigeon";
  EXPECT_EQ(refused(o),
            "invalid --chain.backend [carrier-pigeon]: expected none, fixture or ethereum");
}

// --caf-io: another actor_system (as another process would) reaches the
// gateway over 127.0.0.1 with the installed messages: submit, dedupe, poll.
TEST_F(Embed, TheGatewayOverCafIoSubmitsDedupesAndPolls) {
  options.caf_io_port = unused_loopback_port();
  start();
  ASSERT_EQ(node->caf_io_port(), options.caf_io_port);
  ts::test_actor_system_config client_cfg;
  embed::prepare_config(client_cfg, {});
  client_cfg.load<caf::io::middleman>();
  caf::actor_system client{client_cfg};
  auto connected = embed::connect(client, "127.0.0.1", options.caf_io_port);
  ASSERT_TRUE(std::holds_alternative<gateway_actor>(connected)) << std::get<std::string>(connected);
  auto gw = std::get<gateway_actor>(connected);
  auto ask_gw = [&](auto msg) {
    node_reply reply;
    caf::scoped_actor self{client};
    self->request(gw, 30s, std::move(msg))
      .receive([&](node_reply& r) { reply = std::move(r); },
               [&](caf::error& e) { ADD_FAILURE() << client.render(e); });
    return reply;
  };
  auto body = dev_submit_body("self_v1", "ors_embed_caf_io");
  auto first = ask_gw(body_submit{"self_v1", body});
  ASSERT_EQ(first.cause, reply_cause::none) << first.message;
  EXPECT_EQ(first.result.status, "READY");
  auto again = ask_gw(body_submit{"self_v1", body});
  EXPECT_EQ(again.cause, reply_cause::none) << again.message;
  EXPECT_EQ(again.result.request_id, first.result.request_id); // deduplicated, signed once
  auto request = ts::read_json_file(ts::examples_path("requests/self_v1-certified.json"));
  auto polled =
    ask_gw(body_poll{"self_v1", ts::poll_body(request.as_object().at("request").as_object(),
                                              "ors_embed_caf_io", first.result.request_id)});
  EXPECT_EQ(polled.cause, reply_cause::none) << polled.message;
  EXPECT_EQ(polled.result, first.result);
  // The gateway validates: a body the node would refuse never reaches it.
  auto bad = ask_gw(body_submit{"self_v1", "{}"});
  EXPECT_EQ(bad.cause, reply_cause::invalid_request);
  EXPECT_EQ(bad.code, reply_code::bad_request);
}

TEST_F(Embed, CafIoOnANonLoopbackAddressIsRefused) {
  options.caf_io_port = 4242;
  options.caf_io_address = "0.0.0.0";
  ts::test_actor_system_config c;
  embed::prepare_config(c, options);
  caf::actor_system sys{c};
  auto r = embed::embedded_node::start(sys, options);
  ASSERT_TRUE(std::holds_alternative<std::string>(r));
  EXPECT_EQ(std::get<std::string>(r),
            "--caf-io.address [0.0.0.0] is not a loopback address: caf::io access has no "
            "authentication and no TLS here, so it is loopback only");
  // Nothing was left running: the data dir is not locked.
  options.caf_io_port = 0;
  auto ok = embed::embedded_node::start(sys, options);
  EXPECT_TRUE(std::holds_alternative<embed::embedded_node>(ok));
}
