// HTTPS when a certificate and key are configured (httplib::SSLServer),
// with a throwaway self-signed certificate for 127.0.0.1 made by the
// openssl command-line tool; the client verifies it.
#include "tests/support/http_node.hpp"
#include "tests/support/requests.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

using namespace covsigner;
using namespace std::chrono_literals;

namespace {

struct certificate {
  test_support::temp_dir dir;
  std::string cert = (dir.path() / "cert.pem").string();
  std::string key = (dir.path() / "key.pem").string();
  certificate() {
    auto cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
               "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
               key + " -out " + cert + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0)
      throw std::runtime_error("openssl could not make a test certificate");
  }
};

transport::http_settings tls_settings(const certificate& c) {
  transport::http_settings s;
  s.workers = 4;
  s.tls_certificate_file = c.cert;
  s.tls_private_key_file = c.key;
  return s;
}

std::unique_ptr<httplib::SSLClient> https_client(int port, const certificate& c) {
  auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", port);
  client->set_ca_cert_path(c.cert.c_str());
  client->enable_server_certificate_verification(true);
  client->set_connection_timeout(3, 0);
  client->set_read_timeout(5, 0);
  return client;
}

} // namespace

TEST(HttpTls, ServesTheApiOverHttps) {
  certificate c;
  test_support::http_node node{tls_settings(c)};
  auto https = https_client(node.port(), c);
  auto health = https->Get("/healthz");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, R"({"status":"ok"})");
  auto submit = https->Post("/v1/qc_v1/signer/requests",
                            test_support::submit_body(test_support::vector_request("qc_v1"), "tls-1"),
                            "application/json");
  ASSERT_TRUE(submit);
  EXPECT_EQ(submit->status, 200) << submit->body;
  auto wrong = https->Get("/v1/qc_v1/signer/requests");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->get_header_value("Allow"), "POST");
}

TEST(HttpTls, PlainHttpGetsNoAnswerOnTheTlsPort) {
  certificate c;
  test_support::http_node node{tls_settings(c)};
  httplib::Client plain("127.0.0.1", node.port());
  plain.set_read_timeout(3, 0);
  auto res = plain.Get("/healthz");
  EXPECT_TRUE(!res || res->status != 200);
}

TEST(HttpTls, TurnedAwayConnectionsGet503AndProbesStillAnswer) {
  certificate c;
  auto settings = tls_settings(c);
  settings.workers = 2;
  settings.connection.admission.max_waiting = 0;
  settings.connection.admission.max_wait = 300ms;
  test_support::http_node node{settings};
  // Two TCP connections that never send a ClientHello hold both workers
  // in the handshake.
  std::vector<int> holders;
  for (int i = 0; i < 2; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(node.port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    holders.push_back(fd);
  }
  std::this_thread::sleep_for(300ms);
  auto submit = https_client(node.port(), c)
                  ->Post("/v1/qc_v1/signer/requests",
                         test_support::submit_body(test_support::vector_request("qc_v1"), "tls-2"),
                         "application/json");
  auto health = https_client(node.port(), c)->Get("/healthz");
  for (int fd : holders)
    close(fd);
  ASSERT_TRUE(submit) << httplib::to_string(submit.error());
  EXPECT_EQ(submit->status, 503);
  EXPECT_EQ(submit->body, "server overloaded\n");
  EXPECT_EQ(submit->get_header_value("Retry-After"), "1");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
}

TEST(HttpTls, AMissingKeyFailsStartup) {
  certificate c;
  auto settings = tls_settings(c);
  auto start_error = [&] {
    try {
      test_support::http_node node{settings};
    } catch (const std::runtime_error& e) {
      return std::string{e.what()};
    }
    return std::string{"started"};
  };
  settings.tls_private_key_file = c.cert + ".missing";
  EXPECT_EQ(start_error(), "cannot load TLS certificate [" + c.cert + "] and private key [" +
                             c.cert + ".missing]");
  settings.tls_private_key_file.clear();
  EXPECT_EQ(start_error(), "TLS needs both a certificate file and a private key file");
}
