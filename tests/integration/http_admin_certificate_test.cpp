// POST /v1/admin/signer-approval-certificates over real loopback HTTP
// (reference §1.2-§1.4, §1.7 "Admin issuer body", §6.4; the G6 server
// tests TestServerIssuesSignerApprovalCertificate,
// TestServerReturns501WhenEngineLacksCertificateIssuer,
// TestServerRequiresAdminBearerTokenForCertificateIssuer,
// TestServerRejectsCertificateIssuanceWithForgedApproval,
// TestServerRejectsUnknownFieldsOnCertificateIssuer,
// TestServerRejectsInvalidCertificateIssuerInput).
//
// Two set-ups:
//   * AdminCertificateRoute: the node's actors without a chain, and a
//     recording issuer in place of the node's, so a test sees exactly what
//     the route asked (the reference tests' fake engine);
//   * AdminCertificateIssuance: a node with the local_key signer (dev key
//     0x22) on a fixture chain holding its wallet and a funded qc_v1
//     request; the certificate the route issues must pass the node's own
//     signer approval verification on a submit, which then signs.
#include "covenant/approval_digest.hpp"
#include "covenant/certificate.hpp"
#include "covenant/trust_roots.hpp"
#include "crypto/secp256k1.hpp"
#include "tests/support/actor_system.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/requests.hpp"
#include "tests/support/signing_node.hpp"
#include "tests/support/temp_dir.hpp"
#include "transport/http_server.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <sys/stat.h>
#include <mutex>
#include <thread>

using namespace covsigner;
using namespace std::chrono_literals;
namespace ts = covsigner::test_support;

namespace {

const std::string admin_path = "/v1/admin/signer-approval-certificates";
const std::string admin_token = "admin-secret";
const std::string client_token = "client-secret";

httplib::Headers bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

std::string dev_pkh() {
  return crypto::to_0x_hex(ts::dev_wallet_public_key_hash(0x22));
}

// The issuer body for `request`'s approvals and trust-root scope.
boost::json::object issue_body(const boost::json::object& request, std::uint64_t end_block = 5000) {
  return {{"walletPublicKeyHash", dev_pkh()},
          {"route", request.at("route")},
          {"reserve", request.at("reserve")},
          {"network", request.at("migrationDestination").at("network")},
          {"artifactApprovals", request.at("artifactApprovals")},
          {"endBlock", end_block}};
}

// Roots pinning the development depositor (0x11) and custodian (0x33) keys
// for the scope of `request` (every vector and funded request shares it).
covenant::trust_roots dev_roots(const boost::json::object& request) {
  covenant::trust_roots roots;
  for (const char* route : {"qc_v1", "self_v1"}) {
    covenant::approval_trust_root root{
      route, std::string(request.at("reserve").as_string()),
      std::string(request.at("migrationDestination").at("network").as_string()),
      ts::dev_public_key_hex(0x11), {}};
    roots.depositor.push_back(root);
    if (std::string_view(route) == "qc_v1") {
      root.public_key = ts::dev_public_key_hex(0x33);
      roots.custodian.push_back(root);
    }
  }
  return std::get<covenant::trust_roots>(covenant::normalize_trust_roots(roots));
}

crypto::hash32 payload_digest(const boost::json::object& request) {
  auto decoded = std::get<covenant::route_submit_request>(
    covenant::decode_route_submit_request(boost::json::serialize(request)));
  return std::get<crypto::hash32>(
    covenant::artifact_approval_digest(decoded.artifact_approvals->payload, {}));
}

void expect_text(const httplib::Result& res, int status, const std::string& body) {
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, status) << res->body;
  EXPECT_EQ(res->body, body + "\n");
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; charset=utf-8");
}

// What the recording issuer saw, and what it answers.
struct recorded_calls {
  std::mutex mutex;
  std::vector<messages::certificate_issue> calls;
  messages::certificate_issue_reply reply{messages::issue_code::ok,
                                          R"({"certificateVersion":2,"endBlock":5000})", {}};

  std::vector<messages::certificate_issue> seen() {
    std::lock_guard guard{mutex};
    return calls;
  }
};

messages::certificate_issuer_actor::behavior_type
recording_issuer(std::shared_ptr<recorded_calls> recorded) {
  return {
    [recorded](messages::certificate_issue& req) -> messages::certificate_issue_reply {
      std::lock_guard guard{recorded->mutex};
      recorded->calls.push_back(req);
      return recorded->reply;
    },
  };
}

class AdminCertificateRoute : public ::testing::Test {
protected:
  ts::test_actor_system_config cfg;
  caf::actor_system system{cfg};
  ts::temp_dir dir;
  actors::running_node node;
  std::unique_ptr<transport::node_client> client;
  std::unique_ptr<transport::http_server> server;
  std::unique_ptr<httplib::Client> http;
  std::shared_ptr<recorded_calls> recorded = std::make_shared<recorded_calls>();
  boost::json::object qc = ts::signed_vector_request("qc_v1");

  // `with_issuer` false: a node that cannot issue (no signer backend).
  void start_server(bool with_issuer) {
    actors::node_options options;
    options.data_dir = dir.path();
    auto started = actors::start_node(system, options);
    ASSERT_TRUE(std::holds_alternative<actors::running_node>(started))
      << std::get<std::string>(started);
    node = std::move(std::get<actors::running_node>(started));
    client = std::make_unique<transport::node_client>(system, node.node, node.published);
    transport::http_settings settings;
    settings.workers = 4;
    settings.admin_tokens = {admin_token};
    settings.client_tokens = {client_token};
    settings.policy.validation.roots = dev_roots(qc);
    if (with_issuer)
      settings.certificate_issuer = system.spawn(recording_issuer, recorded);
    server = std::make_unique<transport::http_server>(*client, settings);
    auto port = server->start(0);
    ASSERT_TRUE(std::holds_alternative<int>(port)) << std::get<std::string>(port);
    http = std::make_unique<httplib::Client>("127.0.0.1", std::get<int>(port));
    http->set_read_timeout(30, 0);
  }

  void TearDown() override {
    http.reset();
    if (server)
      server->stop();
    server.reset();
    client.reset();
    if (node.node)
      actors::stop_node(system, node);
  }

  httplib::Result issue(const std::string& body, const std::string& token = admin_token) {
    return http->Post(admin_path.c_str(), bearer(token), body, "application/json");
  }
  httplib::Result issue(const boost::json::object& body) {
    return issue(boost::json::serialize(body));
  }
};

} // namespace

TEST_F(AdminCertificateRoute, IssuesWithTheDerivedDigestWalletAndEndBlock) {
  // TestServerIssuesSignerApprovalCertificate.
  start_server(true);
  auto res = issue(issue_body(qc, 4242));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(res->body, recorded->reply.certificate_json + "\n");
  auto calls = recorded->seen();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].wallet_public_key_hash, dev_pkh());
  // The digest the node derived from the authenticated payload.
  EXPECT_EQ(calls[0].approval_digest, crypto::to_0x_hex(payload_digest(qc)));
  EXPECT_EQ(calls[0].end_block, 4242u);
}

TEST_F(AdminCertificateRoute, Answers501WhenTheNodeCannotIssue) {
  // TestServerReturns501WhenEngineLacksCertificateIssuer: a valid,
  // authenticated body reaches no issuer.
  start_server(false);
  expect_text(issue(issue_body(qc)), 501,
              "covenant signer engine does not support signer approval certificate issuance");
  // The body is decoded first, as the reference's handler does.
  expect_text(issue("{"), 400, "malformed request body");
}

TEST_F(AdminCertificateRoute, RequiresTheAdminBearerToken) {
  // TestServerRequiresAdminBearerTokenForCertificateIssuer.
  start_server(true);
  auto body = boost::json::serialize(issue_body(qc));
  auto none = http->Post(admin_path.c_str(), body, "application/json");
  expect_text(none, 401, "missing bearer token");
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer");
  auto as_client = issue(body, client_token);
  expect_text(as_client, 401, "invalid bearer token");
  EXPECT_EQ(as_client->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_TRUE(recorded->seen().empty());
  auto as_admin = issue(body);
  ASSERT_TRUE(as_admin);
  EXPECT_EQ(as_admin->status, 200) << as_admin->body;
  EXPECT_EQ(recorded->seen().size(), 1u);
}

TEST_F(AdminCertificateRoute, RejectsAForgedApprovalWithoutCallingTheIssuer) {
  // TestServerRejectsCertificateIssuanceWithForgedApproval: the D approval
  // signed by a key the node's depositor trust root does not pin.
  start_server(true);
  auto forged = qc;
  auto& d = forged["artifactApprovals"].as_object()["approvals"].as_array()[0].as_object();
  d["signature"] = crypto::to_0x_hex(crypto::sign_der(ts::dev_key(0x44), payload_digest(qc)));
  expect_text(issue(issue_body(forged)), 400,
              "request.artifactApprovals.approvals[0].signature does not verify against the "
              "required public key");
  // Scope without a trust root: nothing to authenticate against.
  auto body = issue_body(qc);
  body["network"] = "mainnet";
  expect_text(issue(body), 400,
              "no depositorTrustRoots entry is configured for the requested "
              "route/reserve/network; certificate issuance requires a pinned depositor identity");
  EXPECT_TRUE(recorded->seen().empty());
}

TEST_F(AdminCertificateRoute, RejectsUnknownFields) {
  // TestServerRejectsUnknownFieldsOnCertificateIssuer. The input has no
  // digest field: a caller cannot assert one.
  start_server(true);
  auto body = issue_body(qc);
  body["approvalDigest"] = crypto::to_0x_hex(payload_digest(qc));
  expect_text(issue(body), 400, "malformed request body");
  body = issue_body(qc);
  body["artifactApprovals"].as_object()["payload"].as_object()["note"] = "x";
  expect_text(issue(body), 400, "malformed request body");
  expect_text(issue(boost::json::serialize(issue_body(qc)) + "{}"), 400,
              "malformed request body");
  EXPECT_TRUE(recorded->seen().empty());
}

TEST_F(AdminCertificateRoute, RejectsInvalidInput) {
  // TestServerRejectsInvalidCertificateIssuerInput.
  start_server(true);
  expect_text(issue(issue_body(qc, 0)), 400, "endBlock is required");
  auto body = issue_body(qc);
  body["walletPublicKeyHash"] = "0x1234";
  expect_text(issue(body), 400, "walletPublicKeyHash must be a 20-byte 0x-prefixed hex string");
  body["walletPublicKeyHash"] = "not hex";
  expect_text(issue(body), 400,
              "walletPublicKeyHash must be a 0x-prefixed even-length hex string");
  EXPECT_TRUE(recorded->seen().empty());
}

TEST_F(AdminCertificateRoute, MapsTheIssuersRefusals) {
  start_server(true);
  {
    std::lock_guard guard{recorded->mutex};
    recorded->reply = {messages::issue_code::bad_request, {},
                       "walletPublicKeyHash does not resolve to a wallet controlled by this node"};
  }
  expect_text(issue(issue_body(qc)), 400,
              "walletPublicKeyHash does not resolve to a wallet controlled by this node");
  {
    std::lock_guard guard{recorded->mutex};
    recorded->reply = {messages::issue_code::unavailable, {},
                       "cannot resolve on-chain wallet for signer approval certificate: down"};
  }
  expect_text(issue(issue_body(qc)), 503,
              "cannot resolve on-chain wallet for signer approval certificate: down");
  {
    std::lock_guard guard{recorded->mutex};
    recorded->reply = {messages::issue_code::internal, {}, "cannot sign: details"};
  }
  expect_text(issue(issue_body(qc)), 500, "internal server error");
}

TEST_F(AdminCertificateRoute, SpendsTheSubmitBudget) {
  // Reference §1.4: the issuer route shares the submit limiter (here the
  // admin token's own budget, burst 5).
  start_server(true);
  auto body = boost::json::serialize(issue_body(qc));
  for (int i = 0; i < 5; ++i) {
    auto res = issue(body);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << i << " " << res->body;
  }
  expect_text(issue(body), 429, "rate limit exceeded");
  EXPECT_EQ(recorded->seen().size(), 5u);
}

// --- the node's own issuer, end to end -----------------------------------------

namespace {

class AdminCertificateIssuance : public ts::signing_node_fixture {
protected:
  std::unique_ptr<transport::node_client> client;
  std::unique_ptr<transport::http_server> server;
  std::unique_ptr<httplib::Client> http;

  // The fixture chain: the funded requests' transactions and the dev
  // signer's wallet (Live, with registry data), host height 1000.
  void SetUp() override {
    auto options = signing_options();
    auto chain = boost::json::parse(ts::fixture_chain_json({{&qc_v1, 6}, {&self_v1, 6}})).as_object();
    chain["wallets"] = boost::json::array{boost::json::object{
      {"walletPubKeyHash", dev_pkh()},
      {"ecdsaWalletID", crypto::to_0x_hex(ts::dev_wallet_id())},
      {"createdAt", 1700000000},
      {"state", 1},
      {"membersIdsHash", crypto::to_0x_hex(ts::dev_members_ids_hash())}}};
    std::ofstream(options.chain->fixture_file) << boost::json::serialize(chain);
    options.head.refresh_interval = 20ms;
    start(options);
    client = std::make_unique<transport::node_client>(system, node.node, node.published);
    transport::http_settings settings;
    settings.workers = 4;
    settings.admin_tokens = {admin_token};
    settings.client_tokens = {client_token};
    // As covsignerd configures a node with a chain and a signer.
    settings.policy.validation.roots = dev_roots(qc_v1.request);
    settings.policy.validation.verifier_configured = true;
    settings.chain_height = node.head_height;
    settings.certificate_issuer = node.certificate_issuer;
    server = std::make_unique<transport::http_server>(*client, settings);
    auto port = server->start(0);
    ASSERT_TRUE(std::holds_alternative<int>(port)) << std::get<std::string>(port);
    http = std::make_unique<httplib::Client>("127.0.0.1", std::get<int>(port));
    http->set_read_timeout(30, 0);
    // The chain head's first refresh.
    for (int i = 0; i < 200 && !node.head_height->read().fresh; ++i)
      std::this_thread::sleep_for(10ms);
  }

  void TearDown() override {
    http.reset();
    if (server)
      server->stop();
    server.reset();
    client.reset();
    stop();
  }

  httplib::Result issue(const boost::json::object& body) {
    return http->Post(admin_path.c_str(), bearer(admin_token), boost::json::serialize(body),
                      "application/json");
  }
  httplib::Result submit(const boost::json::object& request, const std::string& route_request_id) {
    return http->Post(("/v1/" + std::string(request.at("route").as_string()) + "/signer/requests")
                        .c_str(),
                      bearer(client_token), ts::submit_body(request, route_request_id),
                      "application/json");
  }

  // `request` with `certificate` as its signerApproval (the legacy list
  // gains the certificate's signature, reference §5.3).
  static boost::json::object certified(boost::json::object request,
                                       const boost::json::object& certificate) {
    request["artifactSignatures"].as_array().push_back(certificate.at("signature"));
    request["signerApproval"] = certificate;
    return request;
  }
};

} // namespace

TEST_F(AdminCertificateIssuance, IssuesACertificateTheNodesVerifierAccepts) {
  auto res = issue(issue_body(qc_v1.request, 5000));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  ASSERT_TRUE(res->body.ends_with("}\n"));
  auto certificate = boost::json::parse(res->body).as_object();
  // The digest is the one the node derives from the approvals, bound with
  // the endBlock into what the wallet key signed.
  auto digest = payload_digest(qc_v1.request);
  EXPECT_EQ(certificate.at("approvalDigest").as_string(), crypto::to_0x_hex(digest));
  EXPECT_EQ(certificate.at("endBlock").to_number<std::uint64_t>(), 5000u);
  EXPECT_EQ(certificate.at("certificateVersion").to_number<int>(), 2);
  EXPECT_EQ(certificate.at("signatureAlgorithm").as_string(), "tecdsa-secp256k1");
  auto wallet_key = crypto::derive_public_key(ts::dev_key(0x22));
  EXPECT_EQ(certificate.at("walletPublicKey").as_string(),
            crypto::to_0x_hex(crypto::serialize_uncompressed(wallet_key)));
  EXPECT_EQ(certificate.at("signerSetHash").as_string(),
            covenant::signer_set_hash(ts::dev_wallet_id(), crypto::serialize_uncompressed(wallet_key),
                                      ts::dev_members_ids_hash(), 51));
  auto der = crypto::from_0x_hex(std::string(certificate.at("signature").as_string()));
  ASSERT_TRUE(der);
  auto parsed = crypto::parse_der_signature(*der);
  ASSERT_TRUE(std::holds_alternative<crypto::ecdsa_signature>(parsed));
  EXPECT_TRUE(crypto::verify(wallet_key, covenant::certificate_signing_digest_v2(digest, 5000),
                             std::get<crypto::ecdsa_signature>(parsed)));

  // A submit carrying it passes the node's signer approval verification
  // and is signed (qc_v1: the custodian handoff).
  auto submitted = submit(certified(qc_v1.request, certificate), "rr-admin-issued");
  ASSERT_TRUE(submitted);
  ASSERT_EQ(submitted->status, 200) << submitted->body;
  auto step = boost::json::parse(submitted->body).as_object();
  EXPECT_EQ(step.at("status").as_string(), "READY") << submitted->body;
  EXPECT_TRUE(step.contains("handoff")) << submitted->body;

  // The same certificate with another endBlock is not what the wallet signed.
  certificate["endBlock"] = 6000;
  auto tampered = submit(certified(qc_v1.request, certificate), "rr-admin-tampered");
  ASSERT_TRUE(tampered);
  EXPECT_EQ(tampered->status, 400);
  EXPECT_TRUE(tampered->body.starts_with("request.signerApproval is invalid: ")) << tampered->body;
}

TEST_F(AdminCertificateIssuance, TheNodesIssuerRefusals) {
  // At or below the head (1000): a certificate would be born expired.
  auto res = issue(issue_body(qc_v1.request, 1000));
  expect_text(res, 400, "endBlock [1000] must be greater than the current host-chain block [1000]");
  // A wallet this node's signer does not control.
  auto body = issue_body(qc_v1.request);
  body["walletPublicKeyHash"] = crypto::to_0x_hex(ts::dev_wallet_public_key_hash(0x33));
  expect_text(issue(body), 400,
              "walletPublicKeyHash does not resolve to a wallet controlled by this node");
  // The Bridge down: 503, retry later.
  node.chain_faults->set(chain::fault_mode::fail, 0ms, "Bridge");
  res = issue(issue_body(qc_v1.request));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503) << res->body;
  EXPECT_TRUE(res->body.starts_with(
    "cannot resolve on-chain wallet for signer approval certificate: "))
    << res->body;
}

// --- covsignerd as users run it -------------------------------------------------

TEST(AdminCertificateCovsignerd, IssuesWithTheLocalKeySigner) {
  // covsignerd wires the route to the node's issuer when a signer backend
  // is configured (the 501 without one is in covsignerd_process_test).
  ts::temp_dir dir;
  auto key = dir.path() / "signer.key";
  std::ofstream(key) << std::string(64, '2') << "\n";
  ::chmod(key.c_str(), 0600);
  auto qc = ts::signed_vector_request("qc_v1");
  boost::json::object roots_json;
  for (const char* kind : {"depositorTrustRoots", "custodianTrustRoots"}) {
    boost::json::object root{{"route", "qc_v1"},
                             {"reserve", qc.at("reserve")},
                             {"network", qc.at("migrationDestination").at("network")},
                             {"publicKey", ts::dev_public_key_hex(kind[0] == 'd' ? 0x11 : 0x33)}};
    roots_json[kind] = boost::json::array{root};
  }
  auto roots = dir.path() / "roots.json";
  std::ofstream(roots) << boost::json::serialize(roots_json);
  auto admin_file = dir.path() / "admin-token";
  std::ofstream(admin_file) << admin_token << "\n";
  int port = ts::free_loopback_port();
  auto log = (dir.path() / "covsignerd.log").string();
  ts::child_process child(
    std::string{COVSIGNER_BINARY_DIR} + "/covsignerd",
    {"--data-dir=" + (dir.path() / "data").string(), "--port=" + std::to_string(port),
     // The zero EIP-712 domain the vectors were signed under.
     "--eip712-salt=0x" + std::string(64, '0'), "--chain.backend=fixture",
     "--chain.fixture-file=" + std::string{COVSIGNER_SOURCE_DIR} + "/examples/chain/dev-chain.json",
     "--signer.backend=local_key", "--signer.key-file=" + key.string(),
     "--trust-roots-file=" + roots.string(), "--admin-auth-token-file=" + admin_file.string()},
    log);
  auto log_text = [&] {
    std::ifstream in(log);
    return std::string{std::istreambuf_iterator<char>(in), {}};
  };
  httplib::Client http("127.0.0.1", port);
  http.set_connection_timeout(0, 200000);
  http.set_read_timeout(30, 0);
  // Ready: the store is loaded and the chain head has a fresh height (the
  // issuer compares endBlock with it).
  bool ready = false;
  for (int i = 0; i < 400 && child.running() && !ready; ++i) {
    if (auto res = http.Get("/readyz"); res && res->status == 200)
      ready = true;
    else
      child.wait_for_exit(50ms);
  }
  ASSERT_TRUE(ready) << log_text();
  auto res = http.Post(admin_path.c_str(), bearer(admin_token),
                       boost::json::serialize(issue_body(qc, 5000)), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body << log_text();
  auto certificate = boost::json::parse(res->body).as_object();
  EXPECT_EQ(certificate.at("approvalDigest").as_string(), crypto::to_0x_hex(payload_digest(qc)));
  EXPECT_EQ(certificate.at("endBlock").to_number<std::uint64_t>(), 5000u);
  EXPECT_EQ(certificate.at("walletPublicKey").as_string(),
            crypto::to_0x_hex(
              crypto::serialize_uncompressed(crypto::derive_public_key(ts::dev_key(0x22)))));
  child.signal(SIGTERM);
  auto status = child.wait_for_exit(20s);
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 0) << log_text();
}
