#include "covenant/plan_quote.hpp"

#include "covenant/canonical_json.hpp"
#include "covenant/hashing.hpp"
#include "covenant/hex_rules.hpp"
#include "covenant/plan_rules.hpp"
#include "covenant/signature_primitives.hpp"

#include <boost/json.hpp>

namespace covsigner::covenant {

namespace {

bool digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9')
      return false;
  return true;
}

int number(std::string_view s) {
  int v = 0;
  for (char c : s)
    v = v * 10 + (c - '0');
  return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

unsigned days_in_month(int year, int month) {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

input_error fail(const char* m) { return input_error{m}; }

} // namespace

std::string plan_quote_signing_payload(const plan_quote& q) {
  boost::json::object o;
  o["quoteVersion"] = q.quote_version;
  o["quoteId"] = q.quote_id;
  o["reservationId"] = q.reservation_id;
  o["reserve"] = lower_hex(q.reserve);
  o["epoch"] = q.epoch;
  o["route"] = q.route;
  o["revealer"] = lower_hex(q.revealer);
  o["vault"] = lower_hex(q.vault);
  o["network"] = q.network;
  o["destinationCommitmentHash"] = lower_hex(q.destination_commitment_hash);
  o["activeOutpointTxid"] = lower_hex(q.active_outpoint_txid);
  o["activeOutpointVout"] = q.active_outpoint_vout;
  o["planCommitmentHash"] = lower_hex(q.plan_commitment_hash);
  o["issuedAt"] = q.issued_at;
  o["expiresAt"] = q.expires_at;
  o["expiresInSeconds"] = q.expires_in_seconds;
  return canonical_json(o);
}

std::string plan_quote_signing_preimage(const plan_quote& quote) {
  return std::string(plan_quote_signing_domain) + plan_quote_signing_payload(quote);
}

crypto::hash32 plan_quote_signing_hash(const plan_quote& quote) {
  return sha256_of(plan_quote_signing_preimage(quote));
}

std::optional<std::int64_t> parse_iso_millis(std::string_view t) {
  // ^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$
  if (t.size() != 24 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
      t[16] != ':' || t[19] != '.' || t[23] != 'Z')
    return std::nullopt;
  for (auto [pos, len] : {std::pair{0, 4}, {5, 2}, {8, 2}, {11, 2}, {14, 2}, {17, 2}, {20, 3}})
    if (!digits(t.substr(pos, len)))
      return std::nullopt;
  int year = number(t.substr(0, 4)), month = number(t.substr(5, 2)), day = number(t.substr(8, 2));
  int hour = number(t.substr(11, 2)), minute = number(t.substr(14, 2));
  int second = number(t.substr(17, 2)), millis = number(t.substr(20, 3));
  // Go's time.Parse range checks.
  if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > days_in_month(year, month) ||
      hour > 23 || minute > 59 || second > 59)
    return std::nullopt;
  std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ((days * 24 + hour) * 60 + minute) * 60000 + second * 1000LL + millis;
}

namespace {

bool iso_shape(std::string_view t) {
  if (t.size() != 24 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
      t[16] != ':' || t[19] != '.' || t[23] != 'Z')
    return false;
  for (auto [pos, len] : {std::pair{0, 4}, {5, 2}, {8, 2}, {11, 2}, {14, 2}, {17, 2}, {20, 3}})
    if (!digits(t.substr(pos, len)))
      return false;
  return true;
}

} // namespace

std::variant<plan_quote, input_error> normalize_plan_quote(const route_submit_request& request,
                                                           const plan_quote& q) {
  if (!request.migration_destination)
    return fail("request.migrationDestination is required when request.migrationPlanQuote is "
                "present");
  if (!request.migration_transaction_plan)
    return fail("request.migrationTransactionPlan is required when request.migrationPlanQuote is "
                "present");
  const auto& dest = *request.migration_destination;
  const std::string p = "request.migrationPlanQuote";
  if (q.quote_version != 1)
    return fail("request.migrationPlanQuote.quoteVersion must equal 1");
  if (trim_space(q.quote_id).empty())
    return fail("request.migrationPlanQuote.quoteId is required");
  if (trim_space(q.reservation_id).empty())
    return fail("request.migrationPlanQuote.reservationId is required");
  if (trim_space(q.idempotency_key).empty())
    return fail("request.migrationPlanQuote.idempotencyKey is required");
  if (q.route != action_migration)
    return fail("request.migrationPlanQuote.route must be MIGRATION");
  if (auto e = check_address(p + ".reserve", q.reserve))
    return *e;
  if (auto e = check_address(p + ".revealer", q.revealer))
    return *e;
  if (auto e = check_address(p + ".vault", q.vault))
    return *e;
  if (trim_space(q.network).empty())
    return fail("request.migrationPlanQuote.network is required");
  if (auto e = check_bytes32(p + ".destinationCommitmentHash", q.destination_commitment_hash))
    return *e;
  if (auto e = check_bytes32(p + ".activeOutpointTxid", q.active_outpoint_txid))
    return *e;
  if (auto e = check_bytes32(p + ".planCommitmentHash", q.plan_commitment_hash))
    return *e;
  if (q.expires_in_seconds == 0)
    return fail("request.migrationPlanQuote.expiresInSeconds must be greater than zero");
  if (q.signature.signature_version != 1)
    return fail("request.migrationPlanQuote.signature.signatureVersion must equal 1");
  if (q.signature.algorithm != "ed25519")
    return fail("request.migrationPlanQuote.signature.algorithm must equal ed25519");
  if (trim_space(q.signature.key_id).empty())
    return fail("request.migrationPlanQuote.signature.keyId is required");
  if (auto e = check_hex(p + ".signature.signature", q.signature.signature))
    return *e;
  if (!iso_shape(q.issued_at))
    return fail("request.migrationPlanQuote.issuedAt must be a UTC ISO-8601 timestamp from "
                "Date.toISOString()");
  auto issued = parse_iso_millis(q.issued_at);
  if (!issued)
    return fail("request.migrationPlanQuote.issuedAt must be a parseable UTC ISO-8601 timestamp");
  if (!iso_shape(q.expires_at))
    return fail("request.migrationPlanQuote.expiresAt must be a UTC ISO-8601 timestamp from "
                "Date.toISOString()");
  auto expires = parse_iso_millis(q.expires_at);
  if (!expires)
    return fail("request.migrationPlanQuote.expiresAt must be a parseable UTC ISO-8601 timestamp");
  if (*expires <= *issued)
    return fail("request.migrationPlanQuote.expiresAt must be after "
                "request.migrationPlanQuote.issuedAt");
  // Go compares time.Durations (int64 nanoseconds); expiresInSeconds*1e9
  // wraps for huge values exactly as here with unsigned arithmetic.
  std::uint64_t span_ns = static_cast<std::uint64_t>(*expires - *issued) * 1000000ull;
  if (span_ns != q.expires_in_seconds * 1000000000ull)
    return fail("request.migrationPlanQuote.expiresAt must equal "
                "request.migrationPlanQuote.issuedAt + expiresInSeconds");
  if (q.epoch != request.epoch)
    return fail("request.migrationPlanQuote.epoch must match request.epoch");
  if (lower_hex(q.reserve) != lower_hex(request.reserve))
    return fail("request.migrationPlanQuote.reserve must match request.reserve");
  if (q.reservation_id != dest.reservation_id)
    return fail("request.migrationPlanQuote.reservationId must match "
                "request.migrationDestination.reservationId");
  if (lower_hex(q.revealer) != lower_hex(dest.revealer))
    return fail("request.migrationPlanQuote.revealer must match "
                "request.migrationDestination.revealer");
  if (lower_hex(q.vault) != lower_hex(dest.vault))
    return fail("request.migrationPlanQuote.vault must match request.migrationDestination.vault");
  if (trim_space(q.network) != trim_space(dest.network))
    return fail("request.migrationPlanQuote.network must match "
                "request.migrationDestination.network");
  if (lower_hex(q.destination_commitment_hash) != lower_hex(request.destination_commitment_hash))
    return fail("request.migrationPlanQuote.destinationCommitmentHash must match "
                "request.destinationCommitmentHash");
  if (lower_hex(q.destination_commitment_hash) != lower_hex(dest.destination_commitment_hash))
    return fail("request.migrationPlanQuote.destinationCommitmentHash must match "
                "request.migrationDestination.destinationCommitmentHash");
  if (lower_hex(q.active_outpoint_txid) != lower_hex(request.active_outpoint.txid))
    return fail("request.migrationPlanQuote.activeOutpointTxid must match "
                "request.activeOutpoint.txid");
  if (q.active_outpoint_vout != request.active_outpoint.vout)
    return fail("request.migrationPlanQuote.activeOutpointVout must match "
                "request.activeOutpoint.vout");
  if (lower_hex(q.plan_commitment_hash) !=
      lower_hex(request.migration_transaction_plan->plan_commitment_hash))
    return fail("request.migrationPlanQuote.planCommitmentHash must match "
                "request.migrationTransactionPlan.planCommitmentHash");
  if (!q.migration_transaction_plan)
    return fail("request.migrationPlanQuote.migrationTransactionPlan is required");
  if (auto e = check_transaction_plan(request, &*q.migration_transaction_plan))
    return *e;
  transaction_plan quote_plan = normalize_transaction_plan(*q.migration_transaction_plan);
  if (!(quote_plan == normalize_transaction_plan(*request.migration_transaction_plan)))
    return fail("request.migrationPlanQuote.migrationTransactionPlan must match "
                "request.migrationTransactionPlan");

  plan_quote out;
  out.quote_id = trim_space(q.quote_id);
  out.quote_version = 1;
  out.reservation_id = trim_space(q.reservation_id);
  out.reserve = lower_hex(q.reserve);
  out.epoch = q.epoch;
  out.route = std::string(action_migration);
  out.revealer = lower_hex(q.revealer);
  out.vault = lower_hex(q.vault);
  out.network = trim_space(q.network);
  out.destination_commitment_hash = lower_hex(q.destination_commitment_hash);
  out.active_outpoint_txid = lower_hex(q.active_outpoint_txid);
  out.active_outpoint_vout = q.active_outpoint_vout;
  out.plan_commitment_hash = lower_hex(q.plan_commitment_hash);
  out.migration_transaction_plan = quote_plan;
  out.idempotency_key = trim_space(q.idempotency_key);
  out.expires_in_seconds = q.expires_in_seconds;
  out.issued_at = q.issued_at;
  out.expires_at = q.expires_at;
  out.signature.signature_version = 1;
  out.signature.algorithm = "ed25519";
  out.signature.key_id = trim_space(q.signature.key_id);
  out.signature.signature = lower_hex(q.signature.signature);
  return out;
}

std::variant<std::array<std::uint8_t, 32>, input_error> parse_plan_quote_trust_root(
    std::string_view name, const plan_quote_trust_root& root) {
  std::string pem;
  for (std::size_t i = 0; i < root.public_key_pem.size(); ++i) {
    if (root.public_key_pem.compare(i, 2, "\\n") == 0) {
      pem += '\n';
      ++i;
    } else {
      pem += root.public_key_pem[i];
    }
  }
  auto key = ed25519_public_key_from_pem(trim_space(pem));
  if (auto* e = std::get_if<pem_key_error>(&key))
    return input_error{std::string(name) + (*e == pem_key_error::not_pem
                                                ? ".publicKeyPem must be a PEM-encoded public key"
                                                : ".publicKeyPem must be a PEM-encoded Ed25519 "
                                                  "public key")};
  return std::get<std::array<std::uint8_t, 32>>(key);
}

std::optional<input_error> verify_plan_quote(
    const plan_quote& q, std::string_view key_id_as_sent,
    const std::vector<plan_quote_trust_root>& roots,
    std::optional<std::chrono::system_clock::time_point> now) {
  std::optional<std::array<std::uint8_t, 32>> key;
  for (std::size_t i = 0; i < roots.size(); ++i) {
    if (roots[i].key_id != key_id_as_sent)
      continue;
    auto parsed =
        parse_plan_quote_trust_root("migrationPlanQuoteTrustRoots[" + std::to_string(i) + "]",
                                    roots[i]);
    if (auto* e = std::get_if<input_error>(&parsed))
      return *e;
    key = std::get<0>(parsed);
    break;
  }
  if (!key)
    return fail("request.migrationPlanQuote.signature.keyId does not match a configured trust "
                "root");
  auto hash = plan_quote_signing_hash(q);
  auto signature = decode_checked_hex(q.signature.signature);
  if (!ed25519_verify_signature(*key, hash.data(), hash.size(), signature))
    return fail("request.migrationPlanQuote.signature does not verify against the configured "
                "trust root");
  if (now) {
    auto expires = parse_iso_millis(q.expires_at);
    auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now->time_since_epoch());
    // Go: expiresAt.Before(now), compared at nanosecond precision.
    bool expired = !expires || std::chrono::nanoseconds(*expires * 1000000) < now_ns;
    if (expired)
      return fail("request.migrationPlanQuote is expired");
  }
  return std::nullopt;
}

} // namespace covsigner::covenant
