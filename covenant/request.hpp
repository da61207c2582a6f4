// The covenant signer request model (reference §1.7, §2.1): the submit and
// poll bodies, RouteSubmitRequest and every nested object, their strict
// decoding (Go rules, covenant/strict_json.hpp), their canonical JSON (Go
// field order and omitempty, §5.9) and the request digest. Each struct's
// JSON names, field order, omitempty and Go type names are written once, in
// its field table in covenant/request_wire.hpp, which drives both the
// decoder and the encoder.
//
// Go pointers and nil-able slices/maps are std::optional here, because
// "absent" and "empty" serialise differently (`null` vs `[]`/`{}`) and so
// change the request digest.
#pragma once

#include "covenant/strict_json.hpp"
#include "crypto/bytes.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace covsigner::covenant {

// Wire strings (§2.1).
inline constexpr std::string_view route_qc_v1 = "qc_v1";
inline constexpr std::string_view route_self_v1 = "self_v1";
inline constexpr std::string_view request_type_reconstruct = "reconstruct";
inline constexpr std::string_view request_type_presign_self_v1 = "presign_self_v1";
inline constexpr std::string_view stage_signer_coordination = "SIGNER_COORDINATION";
inline constexpr std::string_view action_migration = "MIGRATION";
inline constexpr std::string_view action_redeem = "REDEEM";
inline constexpr std::string_view action_renew = "RENEW";
inline constexpr std::string_view status_reserved = "RESERVED";
inline constexpr std::string_view status_committed_to_epoch = "COMMITTED_TO_EPOCH";
inline constexpr std::string_view role_depositor = "D";
inline constexpr std::string_view role_custodian = "C";

/// An input (HTTP 400) error: `message` is the exact response text without
/// the trailing newline. For body decoding failures the HTTP layer answers
/// the generic `malformed request body` and logs `detail`.
struct input_error {
  std::string message;
  std::string detail = {};
};

/// The body text every decode failure maps to (§1.5).
inline constexpr std::string_view malformed_request_body = "malformed request body";

struct covenant_outpoint {
  std::string txid;
  std::uint32_t vout = 0;
  std::string script_hash;
};

struct artifact_record {
  std::string psbt_hash;
  std::string destination_commitment_hash;
  std::string transaction_hex;
  std::string transaction_id;
};

struct migration_destination_reservation {
  std::string reservation_id;
  std::string reserve;
  std::uint64_t epoch = 0;
  std::string route;
  std::string revealer;
  std::string vault;
  std::string network;
  std::string status;
  std::string deposit_script;
  std::string deposit_script_hash;
  std::string migration_extra_data;
  std::string destination_commitment_hash;
};

struct redeem_destination_reservation {
  std::string reservation_id;
  std::string reserve;
  std::uint64_t epoch = 0;
  std::string route;
  std::string revealer;
  std::string vault;
  std::string network;
  std::string status;
  std::string output_script;
  std::string output_script_hash;
  std::uint64_t output_value_sats = 0;
  std::string destination_commitment_hash;
};

struct renew_destination_reservation {
  std::string reservation_id;
  std::string reserve;
  std::uint64_t epoch = 0;
  std::string route;
  std::string revealer;
  std::string vault;
  std::string network;
  std::string status;
  std::string next_covenant_script;
  std::string next_covenant_script_hash;
  std::uint64_t next_maturity_height = 0;
  std::uint64_t output_value_sats = 0;
  std::string destination_commitment_hash;
};

struct transaction_plan {
  std::uint32_t plan_version = 0;
  std::string plan_commitment_hash;
  std::uint64_t input_value_sats = 0;
  std::uint64_t destination_value_sats = 0;
  std::uint64_t anchor_value_sats = 0;
  std::uint64_t fee_sats = 0;
  std::uint32_t input_sequence = 0;
  std::uint32_t lock_time = 0;

  bool operator==(const transaction_plan&) const = default;
};

struct plan_quote_signature {
  std::uint32_t signature_version = 0;
  std::string algorithm;
  std::string key_id;
  std::string signature;
};

struct plan_quote {
  std::string quote_id;
  std::uint32_t quote_version = 0;
  std::string reservation_id;
  std::string reserve;
  std::uint64_t epoch = 0;
  std::string route;
  std::string revealer;
  std::string vault;
  std::string network;
  std::string destination_commitment_hash;
  std::string active_outpoint_txid;
  std::uint32_t active_outpoint_vout = 0;
  std::string plan_commitment_hash;
  std::optional<transaction_plan> migration_transaction_plan;
  std::string idempotency_key;
  std::uint64_t expires_in_seconds = 0;
  std::string issued_at;
  std::string expires_at;
  plan_quote_signature signature;
};

struct approval_payload {
  std::uint32_t approval_version = 0;
  std::string route;
  std::string script_template_id;
  std::string destination_commitment_hash;
  std::string plan_commitment_hash;
};

struct role_approval {
  std::string role;
  std::string signature;
};

struct approval_envelope {
  approval_payload payload;
  std::optional<std::vector<role_approval>> approvals;
};

struct signer_approval_certificate {
  std::uint32_t certificate_version = 0;
  std::string signature_algorithm;
  std::string approval_digest;
  std::string wallet_public_key;
  std::string signer_set_hash;
  std::string signature;
  std::optional<std::vector<std::uint32_t>> active_members;
  std::optional<std::vector<std::uint32_t>> inactive_members;
  std::optional<std::uint64_t> end_block;
};

struct signing_requirements {
  bool signer_required = false;
  bool custodian_required = false;
};

struct self_v1_template {
  std::string template_id;
  std::string depositor_public_key;
  std::string signer_public_key;
  std::uint64_t delta2 = 0;
};

struct qc_v1_template {
  std::string template_id;
  std::string depositor_public_key;
  std::string custodian_public_key;
  std::string signer_public_key;
  std::uint64_t beta = 0;
  std::uint64_t delta2 = 0;
};

struct route_submit_request {
  std::string facade_request_id;
  std::string idempotency_key;
  std::string request_type;
  std::string route;
  std::string action; // empty means MIGRATION
  std::string strategy;
  std::string reserve;
  std::uint64_t epoch = 0;
  std::uint64_t maturity_height = 0;
  covenant_outpoint active_outpoint;
  std::string destination_commitment_hash;
  std::optional<migration_destination_reservation> migration_destination;
  std::optional<redeem_destination_reservation> redeem_destination;
  std::optional<renew_destination_reservation> renew_destination;
  std::optional<plan_quote> migration_plan_quote;
  std::optional<transaction_plan> migration_transaction_plan;
  std::optional<approval_envelope> artifact_approvals;
  std::optional<signer_approval_certificate> signer_approval;
  std::optional<std::vector<std::string>> artifact_signatures;
  std::optional<std::map<std::string, artifact_record>> artifacts; // keys sorted byte-wise
  /// Go json.RawMessage: nullopt when the key was absent (Go nil); a `null`
  /// literal is kept as a null node. Parsed strictly later.
  std::optional<strict_json::node> script_template;
  signing_requirements signing;

  /// The action with the Go default applied (empty -> MIGRATION).
  std::string_view resolved_action() const {
    return action.empty() ? action_migration : std::string_view(action);
  }
};

struct submit_input {
  std::string route_request_id;
  route_submit_request request;
  std::string stage;
};

struct poll_input {
  std::string route_request_id;
  std::string request_id;
  route_submit_request request;
  std::string stage;
};

// --- Decoding ---------------------------------------------------------------

/// Decodes a submit body: strict Go semantics, nothing but whitespace after
/// the object. Error: `malformed request body` with the decoder's text in
/// `detail`.
std::variant<submit_input, input_error> decode_submit_input(std::string_view body);

/// Decodes a poll body (same rules as submit).
std::variant<poll_input, input_error> decode_poll_input(std::string_view body);

/// Decodes a RouteSubmitRequest on its own (e.g. a stored job's `request`),
/// same rules. Error detail is the decoder's text.
std::variant<route_submit_request, input_error> decode_route_submit_request(
    std::string_view json);

/// The reference's strictUnmarshal of a raw script template into the
/// route's template type: unknown keys rejected, Go's `More()` trailing
/// rule. `std::nullopt` raw (key absent) fails with `EOF`, as in Go. The
/// error string is Go's decoder message, which the validator embeds in
/// `request.scriptTemplate is invalid for <route>: <message>`.
std::variant<self_v1_template, strict_json::decode_error> parse_self_v1_template(
    const std::optional<strict_json::node>& raw);
std::variant<qc_v1_template, strict_json::decode_error> parse_qc_v1_template(
    const std::optional<strict_json::node>& raw);

// --- Canonical JSON ---------------------------------------------------------

/// The request as Go's encoding/json would emit it: struct fields in Go
/// declaration order, omitempty honoured, absent pointers/slices/maps as
/// `null`, map keys sorted. Serialise with covenant::canonical_json.
/// Note: the raw script template is emitted as parsed; for a normalised
/// request it is the re-serialised template, which is hex-only after
/// validation (Go would have HTML-escaped `<>&` in it).
boost::json::value to_canonical_value(const route_submit_request& request);
boost::json::value to_canonical_value(const transaction_plan& plan);
boost::json::value to_canonical_value(const signer_approval_certificate& certificate);

/// canonical_json(to_canonical_value(request)).
std::string canonical_request_json(const route_submit_request& request);

/// "0x" + hex(SHA-256("covenant-signer-request-v1:" + canonical JSON)) of an
/// already normalised request (§5.9). Precondition: `normalized` came from
/// normalize_request.
std::string request_digest(const route_submit_request& normalized);

} // namespace covsigner::covenant
