// JSON-RPC framing and URL parsing (the transport is exercised against
// anvil in ethereum_test.cpp).
#include "chain/ethereum.hpp"
#include "chain/json_rpc.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace covsigner::chain {
namespace {

using namespace std::chrono_literals;

TEST(ChainJsonRpc, ParsesHttpUrls) {
  auto ep = parse_http_url("http://alice:secret@127.0.0.1:8332/wallet/x");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->host, "127.0.0.1");
  EXPECT_EQ(ep->port, 8332);
  EXPECT_EQ(ep->path, "/wallet/x");
  EXPECT_EQ(ep->user, "alice");
  EXPECT_EQ(ep->password, "secret");
  ep = parse_http_url("http://localhost");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->port, 80);
  EXPECT_EQ(ep->path, "/");
  EXPECT_FALSE(parse_http_url("https://localhost:8545"));
  EXPECT_FALSE(parse_http_url("http://:8545"));
  EXPECT_FALSE(parse_http_url("http://host:99999"));
}

TEST(ChainJsonRpc, BuildsAndParsesMessages) {
  auto body = build_rpc_request(7, "eth_blockNumber", {});
  EXPECT_EQ(body, R"({"jsonrpc":"2.0","id":7,"method":"eth_blockNumber","params":[]})");
  auto ok = parse_rpc_response(R"({"jsonrpc":"2.0","id":7,"result":"0x1a"})", 7, "eth_blockNumber");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.result.as_string(), "0x1a");
  auto revert = parse_rpc_response(
    R"({"jsonrpc":"2.0","id":7,"error":{"code":3,"message":"execution reverted"}})", 7, "eth_call");
  EXPECT_EQ(revert.failure, rpc_failure::rpc_error);
  EXPECT_EQ(revert.error_code, 3);
  EXPECT_EQ(revert.message, "eth_call failed: RPC error 3: execution reverted");
  EXPECT_EQ(parse_rpc_response(R"({"jsonrpc":"2.0","id":8,"result":"0x1"})", 7, "x").failure,
            rpc_failure::malformed);
  EXPECT_EQ(parse_rpc_response("<html>", 7, "x").failure, rpc_failure::malformed);
}

TEST(ChainJsonRpc, SocketTimeoutsMustEndBeforeTheRequestTimeout) {
  rpc_timeouts t{300ms, 300ms, 1000ms};
  EXPECT_EQ(check_timeouts(t, 2000ms), "");
  EXPECT_EQ(check_timeouts(t, 1600ms),
            "socket timeouts (connect 300 ms + write 300 ms + read 1000 ms) must end a call "
            "before the request timeout (1600 ms)");
}

TEST(ChainJsonRpc, ParsesQuantities) {
  EXPECT_EQ(parse_quantity("0x0"), 0u);
  EXPECT_EQ(parse_quantity("0x1a"), 26u);
  EXPECT_FALSE(parse_quantity("0x"));
  EXPECT_FALSE(parse_quantity("1a"));
  EXPECT_FALSE(parse_quantity("0x1g"));
}

TEST(ChainJsonRpc, UnreachablePeerIsATransportFailureWithinTheSocketTimeouts) {
  // Port 1 on loopback: nothing listens, the connect is refused at once.
  json_rpc_client client(*parse_http_url("http://127.0.0.1:1"), {200ms, 200ms, 200ms});
  auto start = std::chrono::steady_clock::now();
  auto out = client.call("eth_blockNumber", {});
  EXPECT_EQ(out.failure, rpc_failure::transport);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

} // namespace
} // namespace covsigner::chain
