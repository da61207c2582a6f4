// Bearer-token rules of the reference (§1.3): scopes, the exact `Bearer `
// prefix, trimming, constant-time comparison against every token, the
// loopback rule (keep-core TestIsLoopbackListenAddressAcceptsBracketedIPv6Loopback,
// TestInitializeRejectsInvalidOrUnavailablePort) and token files.
#include "transport/auth.hpp"
#include "transport/token_source.hpp"

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace covsigner::transport;

TEST(AuthScope, OnlyGetAndHeadHealthzAreOpen) {
  EXPECT_EQ(scope_of("GET", "/healthz"), auth_scope::open);
  EXPECT_EQ(scope_of("HEAD", "/healthz"), auth_scope::open);
  EXPECT_EQ(scope_of("POST", "/healthz"), auth_scope::client);
  EXPECT_EQ(scope_of("GET", "/healthz/"), auth_scope::client);
  EXPECT_EQ(scope_of("GET", "/readyz"), auth_scope::client);
  EXPECT_EQ(scope_of("GET", "/metrics"), auth_scope::client);
  EXPECT_EQ(scope_of("POST", "/v1/qc_v1/signer/requests"), auth_scope::client);
  EXPECT_EQ(scope_of("POST", "/v1/admin/signer-approval-certificates"), auth_scope::admin);
  EXPECT_EQ(scope_of("GET", "/v1/admin/anything"), auth_scope::admin);
  EXPECT_EQ(scope_of("POST", "/v1/administrator"), auth_scope::client);
}

TEST(CheckBearer, NoConfiguredTokenChecksNothing) {
  auto r = check_bearer("", {});
  EXPECT_FALSE(r.failure);
  EXPECT_FALSE(r.matched);
}

TEST(CheckBearer, TheAuthMatrix) {
  const std::vector<std::string> tokens{"alpha", "beta"};
  struct row {
    const char* header;
    const char* failure; // nullptr: accepted
  };
  for (auto [header, failure] : std::vector<row>{
         {"", "missing bearer token"},
         {"alpha", "missing bearer token"},
         {"bearer alpha", "missing bearer token"},
         {"BEARER alpha", "missing bearer token"},
         {"Bearer", "missing bearer token"},
         {"Basic YWxwaGE=", "missing bearer token"},
         {"Bearer ", "invalid bearer token"},
         {"Bearer wrong", "invalid bearer token"},
         {"Bearer alphax", "invalid bearer token"},
         {"Bearer xalpha", "invalid bearer token"},
         {"Bearer alph", "invalid bearer token"},
         {"Bearer alpha beta", "invalid bearer token"},
         {"Bearer alpha", nullptr},
         {"Bearer beta", nullptr},
         {"Bearer   alpha  ", nullptr}, // trimmed, as Go's strings.TrimSpace
         {"Bearer \talpha\r\n", nullptr},
       }) {
    auto r = check_bearer(header, tokens);
    if (failure) {
      ASSERT_TRUE(r.failure) << header;
      EXPECT_EQ(r.failure->message, failure) << header;
      EXPECT_FALSE(r.matched) << header;
    } else {
      EXPECT_FALSE(r.failure) << header;
      EXPECT_TRUE(r.matched) << header;
    }
  }
}

TEST(CheckBearer, NamesWhichTokenMatched) {
  const std::vector<std::string> tokens{"alpha", "beta", "gamma"};
  EXPECT_EQ(check_bearer("Bearer alpha", tokens).matched, 0u);
  EXPECT_EQ(check_bearer("Bearer gamma", tokens).matched, 2u);
}

TEST(Loopback, TheReferenceRules) {
  for (auto address : {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LocalHost", "",
                       "  ", " 127.0.0.1 ", "::ffff:127.0.0.1"})
    EXPECT_TRUE(is_loopback_address(address)) << "[" << address << "]";
  for (auto address : {"0.0.0.0", "::", "[::]", "10.0.0.1", "192.168.1.1", "example.com",
                       "localhost.localdomain", "128.0.0.1", "[::1", "::2"})
    EXPECT_FALSE(is_loopback_address(address)) << "[" << address << "]";
}

TEST(Loopback, NonLoopbackNeedsBothTokensWithTheReferenceMessages) {
  EXPECT_FALSE(check_listen_tokens("127.0.0.1", false, false));
  EXPECT_FALSE(check_listen_tokens("0.0.0.0", true, true));
  EXPECT_EQ(check_listen_tokens("0.0.0.0", false, true),
            "covenant signer authToken is required for non-loopback listenAddress [0.0.0.0]");
  EXPECT_EQ(check_listen_tokens(" 10.1.2.3 ", true, false),
            "covenant signer adminAuthToken is required for non-loopback listenAddress [10.1.2.3]");
}

TEST(TokenLines, OnePerLineTrimmedSkippingBlanksAndComments) {
  EXPECT_EQ(parse_token_lines("alpha\n\n  beta \r\n# comment\ngamma"),
            (std::vector<std::string>{"alpha", "beta", "gamma"}));
  EXPECT_TRUE(parse_token_lines("\n  \n# only a comment\n").empty());
}

TEST(TokenSource, EnvironmentFileOrNeitherButNeverBoth) {
  covsigner::test_support::temp_dir dir;
  auto file = (dir.path() / "tokens").string();
  std::ofstream(file) << "file-token-1\nfile-token-2\n";
  using tokens = std::vector<std::string>;
  EXPECT_EQ(std::get<tokens>(load_tokens("X_TOKEN", "", "")), tokens{});
  EXPECT_EQ(std::get<tokens>(load_tokens("X_TOKEN", " env-token \n", "")), tokens{"env-token"});
  EXPECT_EQ(std::get<tokens>(load_tokens("X_TOKEN", "", file)),
            (tokens{"file-token-1", "file-token-2"}));
  EXPECT_EQ(std::get<std::string>(load_tokens("X_TOKEN", "env-token", file)),
            "both X_TOKEN and the token file [" + file + "] are set; use one");
  auto missing = (dir.path() / "missing").string();
  EXPECT_EQ(std::get<std::string>(load_tokens("X_TOKEN", "", missing)),
            "cannot read token file [" + missing + "]");
  auto empty = (dir.path() / "empty").string();
  std::ofstream(empty) << "# nothing\n";
  EXPECT_EQ(std::get<std::string>(load_tokens("X_TOKEN", "", empty)),
            "token file [" + empty + "] holds no token");
}
