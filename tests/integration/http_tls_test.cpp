// HTTPS when a certificate and key are configured, with a throwaway
// self-signed certificate for 127.0.0.1 made by the openssl command-line
// tool; the client verifies it. The reference's deadlines and caps hold
// under TLS as on plain HTTP.
#include "tests/support/http_node.hpp"
#include "tests/support/raw_tls.hpp"
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

// --- Deadlines and caps under TLS (the same connection loop as plain HTTP) ---

namespace {

transport::http_settings tight(const certificate& c) {
  auto s = tls_settings(c);
  s.connection.timeouts.read_header = 1000ms;
  s.connection.timeouts.read = 2000ms;
  return s;
}

// Sends `bytes` one at a time, `pace` apart, until the server closes or
// answers; returns how long the connection lived.
std::chrono::milliseconds dribble(test_support::raw_tls_connection& conn, std::string_view bytes,
                                  std::chrono::milliseconds pace) {
  auto started = std::chrono::steady_clock::now();
  for (char b : bytes) {
    if (!conn.send_all(std::string_view(&b, 1)) || conn.closed_or_answered(pace))
      break;
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               started);
}

} // namespace

TEST(HttpTls, AHeaderDribbledByteByByteIsCutAtTheHeaderDeadline) {
  certificate c;
  test_support::http_node node{tight(c)};
  test_support::raw_tls_connection conn{node.port()};
  ASSERT_TRUE(conn.handshake_ok());
  // One byte every 600 ms never trips a per-read timeout of 1 s; the
  // deadline is for the whole header block.
  auto lived = dribble(conn, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 600ms);
  EXPECT_LT(lived, 2500ms) << "the connection outlived the 1 s header deadline";
  EXPECT_EQ(conn.received.find("200 OK"), std::string::npos) << conn.received;
}

TEST(HttpTls, ABodyDribbledByteByByteIsCutAtTheRequestDeadline) {
  certificate c;
  test_support::http_node node{tight(c)};
  test_support::raw_tls_connection conn{node.port()};
  ASSERT_TRUE(conn.handshake_ok());
  ASSERT_TRUE(conn.send_all("POST /v1/qc_v1/signer/requests HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Content-Length: 64\r\n\r\n"));
  auto lived = dribble(conn, std::string(64, '{'), 500ms);
  EXPECT_LT(lived, 4000ms) << "the connection outlived the 2 s request deadline";
}

TEST(HttpTls, TheHeaderBlockCapHoldsUnderTls) {
  certificate c;
  test_support::http_node node{tls_settings(c)};
  test_support::raw_tls_connection conn{node.port()};
  ASSERT_TRUE(conn.handshake_ok());
  // 100 short headers: each line is small, the block is over 8 KiB.
  std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; i < 100; ++i)
    request += "X-Fill-" + std::to_string(i) + ": " + std::string(90, 'a') + "\r\n";
  ASSERT_TRUE(conn.send_all(request + "\r\n"));
  ASSERT_TRUE(conn.closed_or_answered(3s));
  EXPECT_EQ(conn.received.find("200 OK"), std::string::npos) << conn.received;
}

TEST(HttpTls, ProtocolsBelowTls12AreRefused) {
  certificate c;
  test_support::http_node node{tls_settings(c)};
  test_support::raw_tls_connection old{node.port(), TLS1_1_VERSION};
  EXPECT_FALSE(old.handshake_ok());
  test_support::raw_tls_connection current{node.port(), TLS1_2_VERSION};
  ASSERT_TRUE(current.handshake_ok());
  ASSERT_TRUE(current.send_all("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  ASSERT_TRUE(current.closed_or_answered(3s));
  EXPECT_NE(current.received.find("200 OK"), std::string::npos) << current.received;
}

TEST(HttpTls, BodiesAreBoundedUnderTlsToo) {
  certificate c;
  auto settings = tls_settings(c);
  settings.client_tokens = {"token-a"};
  test_support::http_node node{settings};
  test_support::raw_tls_connection conn{node.port()};
  ASSERT_TRUE(conn.handshake_ok());
  // Unauthenticated, with a declared body that never comes: 401 at once.
  ASSERT_TRUE(conn.send_all("POST /v1/qc_v1/signer/requests HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Content-Length: 100000\r\n\r\n"));
  ASSERT_TRUE(conn.closed_or_answered(3s));
  EXPECT_NE(conn.received.find("401 Unauthorized"), std::string::npos) << conn.received;
}

TEST(HttpTls, TheKeyFileIsCheckedLikeTheSignerKey) {
  certificate c;
  auto settings = tls_settings(c);
  std::filesystem::permissions(c.key, std::filesystem::perms(0644));
  try {
    test_support::http_node node{settings};
    FAIL() << "started with a world-readable TLS key";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string{e.what()},
              "TLS private key file " + c.key + " has mode 0644; it must be 0600 (owner read/write only)");
  }
  auto link = c.key + ".link";
  std::filesystem::permissions(c.key, std::filesystem::perms(0600));
  std::filesystem::create_symlink(c.key, link);
  settings.tls_private_key_file = link;
  try {
    test_support::http_node node{settings};
    FAIL() << "started with a symlinked TLS key";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find("TLS private key file " + link + ": cannot open"),
              std::string::npos)
      << e.what();
  }
}
