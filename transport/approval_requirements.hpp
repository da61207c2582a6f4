// The reference's startup rules for approval verification (reference §7.3,
// keep-core covenantsigner server.go Initialize): with
// --require-approval-trust-roots or a non-loopback listen address, the
// route trust roots and a signer approval verifier are mandatory; pinned
// depositor ETH addresses need an EIP-712 chainId; trust roots without a
// verifier are refused. Pure: the caller prints and exits.
#pragma once

#include "covenant/trust_roots.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace covsigner::transport {

struct approval_setup {
  covenant::trust_roots roots; // normalised
  bool require_trust_roots = false;
  bool loopback = true;
  bool enable_self_v1 = false;
  bool verifier = false; // a chain is configured
  std::uint64_t eip712_chain_id = 0;
};

/// The first startup error, in the reference's order and with its text;
/// nullopt: the node may start.
std::optional<std::string> check_approval_setup(const approval_setup& setup);

/// The reference's startup warnings for what is allowed but weak (no
/// verifier; a route without trust roots).
std::vector<std::string> approval_setup_warnings(const approval_setup& setup);

} // namespace covsigner::transport
