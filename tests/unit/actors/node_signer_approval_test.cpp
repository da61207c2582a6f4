// Submits that carry a signer approval certificate, through a node on the
// committed development fixture chain (examples/chain/dev-chain.json: the
// dev signer key's wallet, Live, with a members-IDs hash; host height 1000)
// with simulated faults on one source at a time (issue 6 acceptance): a
// chain outage answers 503 and creates no job, the same submit succeeds
// after recovery, and dedupe hits need no chain at all.
#include "actors/node_bootstrap.hpp"
#include "covenant/signer_approval.hpp"
#include "tests/support/actor_system.hpp"
#include "tests/support/requests.hpp"
#include "tests/support/temp_dir.hpp"
#include "transport/request_pipeline.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <thread>

using namespace covsigner;
using namespace covsigner::messages;
using namespace std::chrono_literals;
namespace ts = covsigner::test_support;

namespace {

const covenant::eip712_domain domain{31337, covenant::default_approval_salt()};

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += s;
  return out;
}

class NodeSignerApproval : public ::testing::Test {
protected:
  test_support::test_actor_system_config cfg;
  caf::actor_system system{cfg};
  test_support::temp_dir dir;
  actors::running_node node;

  void SetUp() override {
    actors::node_options options;
    options.data_dir = dir.path() / "data";
    options.chain = chain::backend_config{};
    options.chain->fixture_file = std::string{COVSIGNER_SOURCE_DIR} + "/examples/chain/dev-chain.json";
    options.eip712 = domain;
    options.head.refresh_interval = 50ms;
    options.head.max_age = 400ms;
    options.head.reader.breaker.open_backoff = 100ms; // recover quickly after a fault
    auto started = actors::start_node(system, options);
    ASSERT_TRUE(std::holds_alternative<actors::running_node>(started))
      << std::get<std::string>(started);
    node = std::move(std::get<actors::running_node>(started));
    ASSERT_TRUE(node.chain_faults);
    std::this_thread::sleep_for(150ms); // the chain head's first refresh
  }

  void TearDown() override { actors::stop_node(system, node); }

  // What the HTTP worker makes of the body: validated against `height`.
  submit_command prepare(const boost::json::object& request, const std::string& rrid,
                         std::uint64_t height = 1000) {
    transport::request_policy policy;
    policy.validation.domain = domain;
    policy.validation.verifier_configured = true;
    policy.validation.current_height = height;
    auto prepared =
      transport::prepare_submit(ts::submit_body(request, rrid), "qc_v1", policy);
    if (auto* e = std::get_if<transport::http_error>(&prepared)) {
      ADD_FAILURE() << e->message << " " << e->log_detail;
      return {};
    }
    auto cmd = std::get<submit_command>(prepared);
    EXPECT_TRUE(cmd.verify_signer_approval);
    cmd.wait_ms = 2000;
    return cmd;
  }

  node_reply submit(const submit_command& cmd) {
    node_reply reply;
    caf::scoped_actor self{system};
    self->request(node.node, 30s, cmd)
      .receive([&](node_reply& r) { reply = std::move(r); },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
    return reply;
  }

  std::uint64_t stored_jobs() {
    std::uint64_t jobs = 0;
    caf::scoped_actor self{system};
    self->request(node.store, 10s, status_atom::value)
      .receive([&](store_status& s) { jobs = s.jobs; },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
    return jobs;
  }

  bool key_claimed(const submit_command& cmd) {
    bool found = true;
    caf::scoped_actor self{system};
    self->request(node.registry, 10s, lookup_atom::value, cmd.draft.route_key())
      .receive([&](route_owner& o) { found = o.found; },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
    return found;
  }
};

} // namespace

TEST_F(NodeSignerApproval, AVerifiedCertificateCreatesTheJob) {
  auto cmd = prepare(ts::certified_vector_request("qc_v1", domain), "rr-ok");
  auto reply = submit(cmd);
  ASSERT_EQ(reply.code, reply_code::ok) << reply.message;
  EXPECT_FALSE(reply.result.request_id.empty());
  EXPECT_EQ(stored_jobs(), 1u);
  EXPECT_TRUE(key_claimed(cmd));
}

TEST_F(NodeSignerApproval, RegistryOutageIs503WithNoJobThenTheSameSubmitSucceeds) {
  auto cmd = prepare(ts::certified_vector_request("qc_v1", domain), "rr-registry");
  node.chain_faults->set(chain::fault_mode::fail, 0ms, "WalletRegistry");
  auto reply = submit(cmd);
  EXPECT_EQ(reply.code, reply_code::unavailable);
  EXPECT_EQ(reply.message, "wallet registry data unavailable for wallet 0x" + repeat("a1", 32) +
                             ": fixture WalletRegistry failed (simulated fault)");
  EXPECT_EQ(stored_jobs(), 0u);
  EXPECT_FALSE(key_claimed(cmd));

  node.chain_faults->set(chain::fault_mode::none);
  reply = submit(cmd);
  ASSERT_EQ(reply.code, reply_code::ok) << reply.message;
  EXPECT_EQ(stored_jobs(), 1u);
  EXPECT_TRUE(key_claimed(cmd));
}

TEST_F(NodeSignerApproval, BridgeOutageIs503NamingTheBridge) {
  auto cmd = prepare(ts::certified_vector_request("qc_v1", domain), "rr-bridge");
  node.chain_faults->set(chain::fault_mode::fail, 0ms, "Bridge");
  auto reply = submit(cmd);
  EXPECT_EQ(reply.code, reply_code::unavailable);
  EXPECT_EQ(reply.message,
            "cannot resolve on-chain wallet for signer approval verification: Bridge unavailable: "
            "cannot get wallet for public key hash " +
              crypto::to_0x_hex(ts::dev_wallet_public_key_hash()) +
              ": fixture Bridge failed (simulated fault)");
  EXPECT_EQ(stored_jobs(), 0u);
  EXPECT_FALSE(key_claimed(cmd));
  node.chain_faults->set(chain::fault_mode::none);
  EXPECT_EQ(submit(cmd).code, reply_code::ok);
}

TEST_F(NodeSignerApproval, DedupeHitsNeedNoChain) {
  auto cmd = prepare(ts::certified_vector_request("qc_v1", domain), "rr-dedupe");
  auto first = submit(cmd);
  ASSERT_EQ(first.code, reply_code::ok) << first.message;
  // Every source down, the head stale: the stored job is still answered.
  node.chain_faults->set(chain::fault_mode::fail);
  std::this_thread::sleep_for(500ms);
  auto again = submit(prepare(ts::certified_vector_request("qc_v1", domain), "rr-dedupe"));
  ASSERT_EQ(again.code, reply_code::ok) << again.message;
  EXPECT_EQ(again.result.request_id, first.result.request_id);
  EXPECT_EQ(stored_jobs(), 1u);
}

TEST_F(NodeSignerApproval, StaleChainHeadIs503WithNoJob) {
  auto cmd = prepare(ts::certified_vector_request("qc_v1", domain), "rr-stale");
  node.chain_faults->set(chain::fault_mode::fail, 0ms, "host chain");
  std::this_thread::sleep_for(600ms); // past the head's maximum age
  auto reply = submit(cmd);
  EXPECT_EQ(reply.code, reply_code::unavailable);
  EXPECT_TRUE(reply.message.starts_with("cannot validate signer approval certificate expiry: "
                                        "chain_head has no fresh host chain height: "))
    << reply.message;
  EXPECT_NE(reply.message.find("is stale"), std::string::npos) << reply.message;
  EXPECT_EQ(stored_jobs(), 0u);
  // The published height (what HTTP workers read) is stale too.
  ASSERT_TRUE(node.head_height);
  EXPECT_FALSE(node.head_height->read().fresh);
  node.chain_faults->set(chain::fault_mode::none);
  std::this_thread::sleep_for(400ms); // breaker half-open, probe, refresh
  EXPECT_TRUE(node.head_height->read().fresh);
  EXPECT_EQ(node.head_height->read().height, 1000u);
  EXPECT_EQ(submit(cmd).code, reply_code::ok);
}

TEST_F(NodeSignerApproval, TheNodeRechecksExpiryAgainstItsOwnHead) {
  // Validated against an older height (999 <= endBlock 999), but the head
  // is at 1000: expired.
  ts::certificate_options o;
  o.end_block = 999;
  auto cmd = prepare(ts::certified_vector_request("qc_v1", domain, o), "rr-expired", 900);
  auto reply = submit(cmd);
  EXPECT_EQ(reply.code, reply_code::bad_request);
  EXPECT_EQ(reply.message, "signer approval certificate has expired");
  EXPECT_EQ(stored_jobs(), 0u);
}

TEST_F(NodeSignerApproval, AnInvalidCertificateIs400WithNoJob) {
  ts::certificate_options o;
  o.members_ids_hash.fill(0xb3); // not the wallet's on-chain signer set
  auto cmd = prepare(ts::certified_vector_request("qc_v1", domain, o), "rr-bad-set");
  auto reply = submit(cmd);
  EXPECT_EQ(reply.code, reply_code::bad_request);
  EXPECT_EQ(reply.message, "request.signerApproval is invalid: signer set hash does not match the "
                           "expected signer set");
  EXPECT_EQ(stored_jobs(), 0u);
  EXPECT_FALSE(key_claimed(cmd));
}

TEST_F(NodeSignerApproval, AnUnknownWalletIs400) {
  // A wallet key the Bridge does not know: template signer and certificate
  // both use key 0x44..44.
  auto request = ts::signed_vector_request("qc_v1", domain);
  request["scriptTemplate"].as_object()["signerPublicKey"] = ts::dev_public_key_hex(0x44);
  ts::sign_approvals(request, domain);
  ts::certificate_options o;
  o.signer_fill = 0x44;
  ts::add_signer_approval(request, domain, o);
  auto reply = submit(prepare(request, "rr-unknown"));
  EXPECT_EQ(reply.code, reply_code::bad_request);
  EXPECT_EQ(reply.message,
            "request.signerApproval.walletPublicKey must resolve to a registered on-chain wallet");
  EXPECT_EQ(stored_jobs(), 0u);
}
