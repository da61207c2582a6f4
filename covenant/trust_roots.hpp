// Configured trust roots (reference §5.4): the depositor and custodian
// public keys a deployment pins per (route, reserve, network), the optional
// depositor Ethereum identity, and the Ed25519 keys that sign migration
// plan quotes. Startup normalisation rejects ambiguous configurations;
// lookup maps a request to the one entry that governs it.
#pragma once

#include "covenant/plan_quote.hpp"
#include "covenant/request.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace covsigner::covenant {

/// One depositor or custodian trust root. `eth_address` is only meaningful
/// for depositor roots (empty = not pinned).
struct approval_trust_root {
  std::string route;       // self_v1 | qc_v1
  std::string reserve;     // 0x-hex
  std::string network;     // non-blank
  std::string public_key;  // 33-byte compressed secp256k1, 0x-hex
  std::string eth_address; // optional 20-byte 0x-hex, not the zero address
};

struct trust_roots {
  std::vector<approval_trust_root> depositor;
  std::vector<approval_trust_root> custodian;
  std::vector<plan_quote_trust_root> quote;
};

/// The scope a request is governed by: its route, lowercased reserve and
/// the lowercased, trimmed network of whichever destination is present
/// (migration, then redeem, then renew; empty when none is).
struct trust_root_scope {
  std::string route;
  std::string reserve;
  std::string network;
};

/// The Ethereum address rule for a depositor root (Go normalizeEthAddress):
/// surrounding space trimmed, case and the `0x` prefix optional, exactly 20
/// bytes of hex (`<name> must be a 20-byte hex ETH address`), not all zero
/// (`<name> must not be the zero ETH address`). Returns `0x` + lowercase hex.
std::variant<std::string, input_error> normalize_eth_address(std::string_view name,
                                                             std::string_view value);

/// Startup normalisation of one list (`kind` is "depositorTrustRoots" or
/// "custodianTrustRoots"; ETH addresses are accepted only for depositor
/// roots). In the reference's three passes: (1) per entry, route
/// self_v1|qc_v1, reserve hex, network non-blank, compressed on-curve
/// public key (checked after lowercasing), duplicate scope; (2) every
/// non-blank ethAddress; (3) ETH presence per (route, reserve).
/// Reserve/publicKey/ethAddress lowercased, network trimmed and lowercased
/// (ASCII only; Go lowercases Unicode too). Errors (first wins):
///   `<kind>[i] duplicates <kind>[j] for route R reserve V network N`;
///   `<kind> for route R reserve V must set ethAddress on all network
///   entries or on none`.
std::variant<std::vector<approval_trust_root>, input_error> normalize_approval_trust_roots(
    std::string_view kind, const std::vector<approval_trust_root>& roots);

/// Normalises all three lists; quote roots get their keyId trimmed (blank:
/// `migration plan quote trust root KeyID at index i is empty after
/// trimming`, Go NewService) and their PEM checked at startup
/// (`migrationPlanQuoteTrustRoots[i].publicKeyPem must be a PEM-encoded
/// Ed25519 public key`). The reference checks the PEM only when a quote
/// names that keyId; failing at startup instead is deliberate.
std::variant<trust_roots, input_error> normalize_trust_roots(const trust_roots& roots);

/// Reads the three lists from a configuration object (keys
/// `depositorTrustRoots`, `custodianTrustRoots`, `migrationPlanQuoteTrustRoots`;
/// absent = empty) and normalises them. Entries are objects of strings
/// with the reference's field names (route, reserve, network, publicKey,
/// ethAddress; keyId, publicKeyPem). Shape errors:
/// `<kind> must be a list`, `<kind>[i] must be an object`,
/// `<kind>[i].<field> must be a string`, `<kind>[i] has unknown field <f>`.
std::variant<trust_roots, input_error> parse_trust_roots(const boost::json::object& config);

/// The lookup scope of `request` (see trust_root_scope).
trust_root_scope request_trust_root_scope(const route_submit_request& request);

/// The entry of normalised `roots` matching `scope` exactly, or nullptr.
const approval_trust_root* find_trust_root(const std::vector<approval_trust_root>& roots,
                                           const trust_root_scope& scope);

/// The depositor ETH address the normalised roots pin for `request`'s
/// scope; empty when none (stored on the job, reference §3.3 step 4).
std::string pinned_depositor_eth_address(const trust_roots& roots,
                                         const route_submit_request& request);

} // namespace covsigner::covenant
