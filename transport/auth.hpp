// Bearer-token authentication of the reference (§1.3), as pure functions:
// which token a request needs, whether its Authorization header carries it,
// and whether a listen address may serve without tokens.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace covsigner::transport {

/// Which configured tokens guard a request.
enum class auth_scope {
  open,   // GET/HEAD /healthz: never checked
  client, // everything else outside /v1/admin/
  admin,  // /v1/admin/...: the admin token only, never the client token
};

/// The scope of `method` + `path` (the path as the server saw it). Only
/// GET and HEAD of exactly /healthz are open: a POST /healthz with a token
/// configured answers 401, as the Go dispatcher does.
auth_scope scope_of(std::string_view method, std::string_view path);

/// Go's strings.TrimSpace for ASCII input: strips " \t\n\v\f\r" both ends.
std::string_view trim_space(std::string_view s);

/// A request that failed the check: 401 with `WWW-Authenticate: Bearer`.
struct auth_failure {
  std::string message; // "missing bearer token" | "invalid bearer token"
};

/// The outcome of a check: which configured token matched (its index in the
/// list; tokens are never logged, indexes are), or why the request fails.
/// `matched` is nullopt when no token is configured (no check at all).
struct auth_result {
  std::optional<std::size_t> matched;
  std::optional<auth_failure> failure;
};

/// Checks `authorization` (the header value, empty when absent) against
/// `tokens` (already trimmed, none empty). No tokens: passes unchecked.
/// Otherwise the header must start with exactly "Bearer " (case-sensitive,
/// one space); the rest, trimmed, is compared in constant time with every
/// configured token (all of them, so timing does not tell which one
/// matched).
auth_result check_bearer(std::string_view authorization, const std::vector<std::string>& tokens);

/// Reference loopback rule: empty (after trimming), `localhost` in any case,
/// or (without one pair of brackets) a loopback IP literal: 127.0.0.0/8 or
/// ::1. `0.0.0.0` and every other host name are not loopback.
bool is_loopback_address(std::string_view listen_address);

/// Startup check: a non-loopback listen address needs both tokens. Returns
/// the reference's error message, or nullopt when the configuration may
/// serve.
std::optional<std::string> check_listen_tokens(std::string_view listen_address,
                                               bool have_client_token, bool have_admin_token);

/// Tokens from a token file's text: one per line, trimmed; blank lines and
/// lines starting with '#' are skipped. Several lines = several client
/// identities, each with its own rate-limit budgets.
std::vector<std::string> parse_token_lines(std::string_view text);

} // namespace covsigner::transport
