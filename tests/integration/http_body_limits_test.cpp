// Request bodies over real loopback HTTP, framed by hand: the token is
// checked before a body byte is read; no framing (length, chunked, none)
// lets the node buffer more than the 2 MiB cap; compressed bodies are
// refused, never inflated; a refused body closes its connection.
#include "tests/support/http_node.hpp"
#include "tests/support/raw_http.hpp"
#include "tests/support/requests.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

using namespace covsigner;
using namespace std::chrono_literals;
using test_support::raw_connection;

namespace {

const std::string submit_path = "/v1/qc_v1/signer/requests";
constexpr std::size_t mib = 1u << 20;

transport::http_settings with_token() {
  transport::http_settings s;
  s.workers = 8;
  s.client_tokens = {"token-a"};
  return s;
}

std::string head(const std::string& framing, bool authorized = true) {
  return "POST " + submit_path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
         (authorized ? "Authorization: Bearer token-a\r\n" : "") + framing + "\r\n";
}

std::string chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return std::string{size} + std::string{data} + "\r\n";
}

// gzip of `text`, made by the gzip program (an independent encoder).
std::string gzip_of(const std::string& text) {
  test_support::temp_dir dir;
  auto plain = (dir.path() / "body").string();
  std::ofstream(plain, std::ios::binary) << text;
  EXPECT_EQ(std::system(("gzip -n -f " + plain).c_str()), 0);
  std::ifstream in(plain + ".gz", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class HttpBodyLimits : public ::testing::Test {
protected:
  test_support::http_node node{with_token()};
  std::string body = test_support::submit_body(test_support::vector_request("qc_v1"), "body-1");

  static void expect_malformed_and_closed(raw_connection& conn) {
    auto response = conn.read_some(3s);
    EXPECT_EQ(raw_connection::status_of(response), 400) << response;
    EXPECT_NE(response.find("\r\n\r\nmalformed request body\n"), std::string::npos) << response;
    EXPECT_NE(response.find("Connection: close"), std::string::npos) << response;
    // The server closes after answering: EOF (or a reset) follows.
    EXPECT_EQ(conn.read_some(2s), "");
  }
};

} // namespace

TEST_F(HttpBodyLimits, TheTokenIsCheckedBeforeTheBodyIsRead) {
  raw_connection conn{node.port()};
  ASSERT_TRUE(conn.connected());
  // The declared body never comes: the answer must not wait for it.
  ASSERT_TRUE(conn.send_all(head("Content-Length: 100000\r\n", false)));
  auto response = conn.read_some(3s);
  EXPECT_EQ(raw_connection::status_of(response), 401) << response;
  EXPECT_NE(response.find("WWW-Authenticate: Bearer"), std::string::npos) << response;
  EXPECT_NE(response.find("missing bearer token\n"), std::string::npos) << response;
}

TEST_F(HttpBodyLimits, AChunkedBodyIsCutAtTheCap) {
  raw_connection conn{node.port()};
  ASSERT_TRUE(conn.connected());
  ASSERT_TRUE(conn.send_all(head("Transfer-Encoding: chunked\r\n")));
  // 4 MiB of chunks and no last chunk: the answer comes after 2 MiB, it
  // does not wait for the end of a body it will never take.
  std::string piece(64u << 10, 'x');
  for (std::size_t sent = 0; sent < 4 * mib && conn.send_all(chunk(piece)); sent += piece.size())
    if (conn.readable(0ms))
      break;
  expect_malformed_and_closed(conn);
}

TEST_F(HttpBodyLimits, AnEndlessChunkSizeLineIsCutToo) {
  raw_connection conn{node.port()};
  ASSERT_TRUE(conn.connected());
  ASSERT_TRUE(conn.send_all(head("Transfer-Encoding: chunked\r\n")));
  std::string digits(64u << 10, '0');
  for (std::size_t sent = 0; sent < 4 * mib && conn.send_all(digits); sent += digits.size())
    if (conn.readable(0ms))
      break;
  expect_malformed_and_closed(conn);
}

TEST_F(HttpBodyLimits, ADeclaredLengthOverTheCapIsRefusedUnread) {
  raw_connection conn{node.port()};
  ASSERT_TRUE(conn.connected());
  ASSERT_TRUE(conn.send_all(head("Content-Length: " + std::to_string(300 * mib) + "\r\n")));
  expect_malformed_and_closed(conn);
}

TEST_F(HttpBodyLimits, ACompressedBodyIsRefusedNotInflated) {
  // A valid submit, gzip-compressed: httplib would inflate and accept it;
  // the reference never inflates, so its decoder fails on the bytes.
  auto compressed = gzip_of(body);
  for (auto encoding : {"gzip", "deflate", "br", "GZIP"}) {
    raw_connection conn{node.port()};
    ASSERT_TRUE(conn.connected());
    ASSERT_TRUE(conn.send_all(head(std::string{"Content-Encoding: "} + encoding +
                                   "\r\nContent-Length: " + std::to_string(compressed.size()) +
                                   "\r\n") +
                              compressed));
    expect_malformed_and_closed(conn);
  }
}

TEST_F(HttpBodyLimits, IdentityEncodingAndChunkedBodiesWithinTheCapAreServed) {
  for (auto framing : {std::string{"Content-Encoding: identity\r\nContent-Length: "} +
                         std::to_string(body.size()) + "\r\n",
                       std::string{"Transfer-Encoding: chunked\r\n"}}) {
    raw_connection conn{node.port()};
    ASSERT_TRUE(conn.connected());
    std::string payload = body;
    if (framing.find("chunked") != std::string::npos)
      payload = chunk(body.substr(0, 100)) + chunk(body.substr(100)) + "0\r\n\r\n";
    ASSERT_TRUE(conn.send_all(head(framing) + payload));
    auto response = conn.read_some(10s);
    EXPECT_EQ(raw_connection::status_of(response), 200) << response;
    EXPECT_NE(response.find("\"requestId\":\"kcs_qc_"), std::string::npos) << response;
  }
}

TEST_F(HttpBodyLimits, AKeepAliveConnectionServesTheNextRequestAfterAFramedBody) {
  raw_connection conn{node.port()};
  ASSERT_TRUE(conn.connected());
  auto one = head("Content-Length: " + std::to_string(body.size()) + "\r\n") + body;
  ASSERT_TRUE(conn.send_all(one + one));
  // Both answers, on the same connection (they may arrive in one read).
  std::string answers;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  auto count = [&] {
    std::size_t n = 0;
    for (auto at = answers.find("HTTP/1.1 200 OK"); at != std::string::npos;
         at = answers.find("HTTP/1.1 200 OK", at + 1))
      ++n;
    return n;
  };
  while (count() < 2 && std::chrono::steady_clock::now() < deadline)
    answers += conn.read_some(1s);
  EXPECT_EQ(count(), 2u) << answers;
  EXPECT_EQ(answers.find("Connection: close"), std::string::npos) << answers;
}

TEST_F(HttpBodyLimits, LengthAndChunkedTogetherAreRefused) {
  raw_connection conn{node.port()};
  ASSERT_TRUE(conn.connected());
  ASSERT_TRUE(conn.send_all(head("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n") +
                            "0\r\n\r\n"));
  expect_malformed_and_closed(conn);
}

TEST_F(HttpBodyLimits, OtherTransferCodingsAndBadLengthsAreRefused) {
  for (auto framing : {"Transfer-Encoding: gzip, chunked\r\n", "Content-Length: 12abc\r\n",
                       "Content-Length: -1\r\n", "Content-Length: 5\r\nContent-Length: 5\r\n"}) {
    raw_connection conn{node.port()};
    ASSERT_TRUE(conn.connected());
    ASSERT_TRUE(conn.send_all(head(framing)));
    SCOPED_TRACE(framing);
    expect_malformed_and_closed(conn);
  }
}

// A POST without Content-Length or Transfer-Encoding has an empty body
// (RFC 9112 §6.3), as Go reads it: 401 first, then the decoder's 400.
TEST_F(HttpBodyLimits, ALengthlessPostHasAnEmptyBodyAndIsAuthenticatedFirst) {
  for (bool authorized : {false, true}) {
    raw_connection conn{node.port()};
    ASSERT_TRUE(conn.connected());
    ASSERT_TRUE(conn.send_all(head("", authorized)));
    auto response = conn.read_some(3s);
    EXPECT_EQ(raw_connection::status_of(response), authorized ? 400 : 401) << response;
    EXPECT_NE(response.find(authorized ? "malformed request body\n" : "missing bearer token\n"),
              std::string::npos)
      << response;
  }
}

TEST_F(HttpBodyLimits, ABodyOnARouteThatTakesNoneClosesTheConnection) {
  raw_connection conn{node.port()};
  ASSERT_TRUE(conn.connected());
  std::string request = "POST /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                        "token-a\r\nContent-Length: 5\r\n\r\nGET /";
  ASSERT_TRUE(conn.send_all(request));
  auto response = conn.read_some(3s);
  EXPECT_EQ(raw_connection::status_of(response), 404) << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos) << response;
  EXPECT_EQ(conn.read_some(2s), "");
}
