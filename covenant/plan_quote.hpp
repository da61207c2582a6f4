// Migration plan quotes (reference §5.7): the quote's structural checks and
// normalisation, its signing payload/preimage/hash, and the policy checks a
// Submit applies (Ed25519 signature against a configured trust root,
// freshness).
#pragma once

#include "covenant/request.hpp"
#include "crypto/bytes.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace covsigner::covenant {

inline constexpr std::string_view plan_quote_signing_domain = "migration-plan-quote-v1:";

/// A configured quote trust root: `keyId` (trimmed at startup) and the
/// Ed25519 public key it names.
struct plan_quote_trust_root {
  std::string key_id;
  std::string public_key_pem;
};

/// Canonical JSON of the signed fields, in this order: quoteVersion,
/// quoteId, reservationId, reserve, epoch, route, revealer, vault, network,
/// destinationCommitmentHash, activeOutpointTxid, activeOutpointVout,
/// planCommitmentHash, issuedAt, expiresAt, expiresInSeconds (hex values
/// lowercased; other strings as given).
std::string plan_quote_signing_payload(const plan_quote& quote);

/// plan_quote_signing_domain + payload.
std::string plan_quote_signing_preimage(const plan_quote& quote);

/// SHA-256 of the preimage: the message the quote service signs with Ed25519.
crypto::hash32 plan_quote_signing_hash(const plan_quote& quote);

/// Milliseconds since the Unix epoch of a `YYYY-MM-DDTHH:MM:SS.mmmZ`
/// timestamp (JavaScript `toISOString()` form), or nullopt when the text
/// does not have that shape or names an impossible date/time.
std::optional<std::int64_t> parse_iso_millis(std::string_view text);

/// Structural checks in the reference's order and the normalised quote
/// (trimmed ids/network, lowercased hex, canonical version/route/algorithm).
/// Preconditions checked here: destination and plan present in `request`.
std::variant<plan_quote, input_error> normalize_plan_quote(const route_submit_request& request,
                                                           const plan_quote& quote);

/// The Submit-only checks on a normalised quote: a trust root whose keyId
/// equals `key_id_as_sent` byte for byte (the reference matches the quote's
/// keyId as sent, untrimmed; roots' keyIds are trimmed at startup), whose
/// PEM holds an Ed25519 SPKI key
/// (`migrationPlanQuoteTrustRoots[i].publicKeyPem must be ...`), an Ed25519
/// signature over plan_quote_signing_hash, and (when `now` is given)
/// `expiresAt >= now` (`request.migrationPlanQuote is expired`).
std::optional<input_error> verify_plan_quote(
    const plan_quote& normalized, std::string_view key_id_as_sent,
    const std::vector<plan_quote_trust_root>& roots,
    std::optional<std::chrono::system_clock::time_point> now);

/// Parses a trust root's PEM after the reference's clean-up (literal `\n`
/// sequences become newlines, surrounding space trimmed). `name` is the
/// message prefix, e.g. `migrationPlanQuoteTrustRoots[0]`.
std::variant<std::array<std::uint8_t, 32>, input_error> parse_plan_quote_trust_root(
    std::string_view name, const plan_quote_trust_root& root);

} // namespace covsigner::covenant
