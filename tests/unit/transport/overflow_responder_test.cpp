// The overflow responder's small HTTP/1.1 pieces: request heads and raw
// replies.
#include "transport/overflow_responder.hpp"

#include <gtest/gtest.h>

using namespace covsigner::transport;

TEST(RequestHead, IncompleteHeadsAreNotParsedYet) {
  EXPECT_FALSE(parse_request_head("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  EXPECT_FALSE(parse_request_head(""));
}

TEST(RequestHead, MethodPathWithoutQueryAndAuthorization) {
  auto h = parse_request_head(
    "GET /readyz?verbose=1 HTTP/1.1\r\nHost: x\r\nauthorization: Bearer tok \r\n\r\nbody");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->method, "GET");
  EXPECT_EQ(h->path, "/readyz");
  EXPECT_EQ(h->authorization, "Bearer tok");
}

TEST(RequestHead, BareLineFeedsEndTheHeadToo) {
  auto h = parse_request_head("HEAD /healthz HTTP/1.0\n\n");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->method, "HEAD");
  EXPECT_EQ(h->path, "/healthz");
  EXPECT_TRUE(h->authorization.empty());
}

TEST(RequestHead, AGarbledRequestLineLeavesMethodEmpty) {
  auto h = parse_request_head("garbage\r\n\r\n");
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->method.empty());
}

TEST(RenderReply, ClosesTheConnectionAndCountsTheBody) {
  canned_reply r{503, "text/plain; charset=utf-8", "server overloaded\n", {{"Retry-After", "1"}}};
  EXPECT_EQ(render_reply(r, false),
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Retry-After: 1\r\nContent-Length: 18\r\nConnection: close\r\n\r\nserver overloaded\n");
  EXPECT_EQ(render_reply(r, true),
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Retry-After: 1\r\nContent-Length: 18\r\nConnection: close\r\n\r\n");
}
