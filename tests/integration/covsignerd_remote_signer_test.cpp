// covsignerd with the `remote` signer backend, as operators run it: the
// options are listed in --help with their defaults, a non-loopback remote
// without TLS and a bad port stop the start with the exact message, and a
// node whose signer is a remote (a second actor system in this test
// process, publishing the local_key signer on 127.0.0.1) issues a signer
// approval certificate through it over caf::io.
#include "covenant/approval_digest.hpp"
#include "covenant/request.hpp"
#include "crypto/secp256k1.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/requests.hpp"
#include "tests/support/signed_requests.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/signing/test_remote_signer.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>

using namespace covsigner;
using namespace std::chrono_literals;
namespace ts = covsigner::test_support;

namespace {

const std::string covsignerd = std::string{COVSIGNER_BINARY_DIR} + "/covsignerd";

class RemoteSignerCovsignerd : public ::testing::Test {
protected:
  ts::temp_dir dir;
  int port = ts::free_loopback_port();
  std::string log = (dir.path() / "covsignerd.log").string();

  std::unique_ptr<ts::child_process> start(std::vector<std::string> extra) {
    std::vector<std::string> args{"--data-dir=" + (dir.path() / "data").string(),
                                  "--port=" + std::to_string(port),
                                  "--eip712-salt=0x" + std::string(64, '0')};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<ts::child_process>(covsignerd, args, log);
  }

  std::string log_text() {
    std::ifstream in(log);
    return {std::istreambuf_iterator<char>(in), {}};
  }

  /// Runs covsignerd with `extra` and expects it to refuse to start.
  std::string refused(std::vector<std::string> extra) {
    auto child = start(std::move(extra));
    auto status = child->wait_for_exit(20s);
    EXPECT_TRUE(status) << "covsignerd kept running";
    if (status) {
      EXPECT_EQ(WEXITSTATUS(*status), 1);
    }
    return log_text();
  }
};

} // namespace

TEST_F(RemoteSignerCovsignerd, HelpListsTheRemoteOptionsWithTheirDefaults) {
  auto child = std::make_unique<ts::child_process>(covsignerd, std::vector<std::string>{"--help"},
                                                   log);
  auto status = child->wait_for_exit(20s);
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  auto text = log_text();
  for (auto option : {"--signer.backend", "none | local_key | remote", "--signer.remote-host",
                      "(default: 127.0.0.1)", "--signer.remote-port", "(default: 0 = unset)",
                      "--signer.remote-public-key", "--signer.remote-tls", "(default: false)",
                      "--signer.remote-connect-timeout-ms", "(default: 5000)",
                      "--signer.remote-request-timeout-ms", "(default: 60000)",
                      "--openssl.certificate", "--openssl.key", "--openssl.cafile"})
    EXPECT_NE(text.find(option), std::string::npos) << option << "\n" << text;
}

TEST_F(RemoteSignerCovsignerd, RefusesANonLoopbackRemoteWithoutTls) {
  auto text = refused({"--signer.backend=remote", "--signer.remote-host=10.0.0.7",
                       "--signer.remote-port=4242",
                       "--signer.remote-public-key=" + ts::dev_public_key_hex(0x22)});
  EXPECT_NE(text.find("cannot start covsignerd: signer: remote signer host [10.0.0.7] is not a "
                      "loopback address; a non-loopback remote signer needs TLS "
                      "(--signer.remote-tls with --openssl.certificate, --openssl.key and "
                      "--openssl.cafile)\n"),
            std::string::npos)
    << text;
}

TEST_F(RemoteSignerCovsignerd, RefusesABadPortAndAnAbsentRemote) {
  auto text = refused({"--signer.backend=remote", "--signer.remote-port=70000",
                       "--signer.remote-public-key=" + ts::dev_public_key_hex(0x22)});
  EXPECT_NE(text.find("cannot start covsignerd: signer: invalid remote signer port [70000]: "
                      "expected 1..65535\n"),
            std::string::npos)
    << text;
  const int nobody = ts::free_loopback_port();
  text = refused({"--signer.backend=remote", "--signer.remote-port=" + std::to_string(nobody),
                  "--signer.remote-public-key=" + ts::dev_public_key_hex(0x22)});
  EXPECT_NE(text.find("cannot start covsignerd: signer: cannot reach the remote signer at "
                      "127.0.0.1:" +
                      std::to_string(nobody) + ": "),
            std::string::npos)
    << text;
}

TEST_F(RemoteSignerCovsignerd, IssuesACertificateThroughTheRemote) {
  ts::test_remote_signer remote;
  ASSERT_EQ(remote.start_local_key(), "");
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
  std::ofstream(admin_file) << "admin-secret\n";
  auto child = start({"--chain.backend=fixture",
                      "--chain.fixture-file=" + std::string{COVSIGNER_SOURCE_DIR} +
                        "/examples/chain/dev-chain.json",
                      "--signer.backend=remote",
                      "--signer.remote-port=" + std::to_string(remote.port()),
                      "--signer.remote-public-key=" + ts::dev_public_key_hex(0x22),
                      "--trust-roots-file=" + roots.string(),
                      "--admin-auth-token-file=" + admin_file.string()});
  httplib::Client http("127.0.0.1", port);
  http.set_connection_timeout(0, 200000);
  http.set_read_timeout(30, 0);
  bool ready = false;
  for (int i = 0; i < 400 && child->running() && !ready; ++i) {
    if (auto res = http.Get("/readyz"); res && res->status == 200)
      ready = true;
    else
      child->wait_for_exit(50ms);
  }
  ASSERT_TRUE(ready) << log_text();
  boost::json::object body{
    {"walletPublicKeyHash", crypto::to_0x_hex(ts::dev_wallet_public_key_hash(0x22))},
    {"route", qc.at("route")},
    {"reserve", qc.at("reserve")},
    {"network", qc.at("migrationDestination").at("network")},
    {"artifactApprovals", qc.at("artifactApprovals")},
    {"endBlock", 5000}};
  auto res = http.Post("/v1/admin/signer-approval-certificates",
                       httplib::Headers{{"Authorization", "Bearer admin-secret"}},
                       boost::json::serialize(body), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body << log_text();
  auto certificate = boost::json::parse(res->body).as_object();
  EXPECT_EQ(certificate.at("walletPublicKey").as_string(),
            crypto::to_0x_hex(
              crypto::serialize_uncompressed(crypto::derive_public_key(ts::dev_key(0x22)))));
  EXPECT_EQ(certificate.at("endBlock").to_number<std::uint64_t>(), 5000u);
  // The signature came from the remote: it saw exactly this one request.
  EXPECT_EQ(remote.requests->load(), 1);
  child->signal(SIGTERM);
  auto status = child->wait_for_exit(20s);
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 0) << log_text();
}
