// The keep-core covenantsigner_test.go fixtures, rebuilt in C++ so the Go
// validation tests can be ported case by case on the very same requests:
// validMigrationDestination, baseRequest, validArtifactApprovals,
// validSignerApproval, structuredSignerApprovalRequest,
// validMigrationPlanQuote / requestWithValidMigrationPlanQuote,
// testDepositorTrustRoot / testCustodianTrustRoot and the hex variant
// transforms (upperHexBody, mixedCaseHexBody,
// artifactApprovalVariantFromRequest). Keys are the Go tests' fixed
// development keys: depositor 0x11..11, signer 0x22..22, custodian
// 0x33..33 (secp256k1 scalars), quote key Ed25519 seed 0x44 x 32. The
// EIP-712 domain is the Go tests' zero domain (chainId 0, zero salt).
#pragma once

#include "covenant/approval_digest.hpp"
#include "covenant/commitments.hpp"
#include "covenant/normalize.hpp"
#include "covenant/plan_quote.hpp"
#include "covenant/request.hpp"
#include "covenant/strict_json.hpp"
#include "covenant/trust_roots.hpp"
#include "covenant/validation.hpp"
#include "crypto/bytes.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/secp256k1.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <string>
#include <vector>

namespace covsigner::covenant::go_fixture {

namespace cr = covsigner::crypto;

inline cr::private_key fixed_key(std::uint8_t fill) {
  std::array<std::uint8_t, 32> scalar;
  scalar.fill(fill);
  return *cr::parse_private_key(scalar);
}
inline const cr::private_key& depositor_key() {
  static const auto k = fixed_key(0x11);
  return k;
}
inline const cr::private_key& signer_key() {
  static const auto k = fixed_key(0x22);
  return k;
}
inline const cr::private_key& custodian_key() {
  static const auto k = fixed_key(0x33);
  return k;
}
inline std::string compressed_hex(const cr::private_key& k) {
  return cr::to_0x_hex(cr::serialize_compressed(cr::derive_public_key(k)));
}
inline std::string uncompressed_hex(const cr::private_key& k) {
  return cr::to_0x_hex(cr::serialize_uncompressed(cr::derive_public_key(k)));
}

/// Go mustArtifactApprovalSignature: DER, RFC 6979, low-S, zero domain.
inline std::string approval_signature(const cr::private_key& k, const approval_payload& payload) {
  auto digest = std::get<cr::hash32>(artifact_approval_digest(payload, eip712_domain{}));
  return cr::to_0x_hex(cr::sign_der(k, digest));
}

/// Go validMigrationDestination().
inline migration_destination_reservation valid_destination() {
  migration_destination_reservation d;
  d.reservation_id = "cmdr_12345678";
  d.reserve = "0x1111111111111111111111111111111111111111";
  d.epoch = 12;
  d.route = "MIGRATION";
  d.revealer = "0x2222222222222222222222222222222222222222";
  d.vault = "0x3333333333333333333333333333333333333333";
  d.network = "regtest";
  d.status = "RESERVED";
  d.deposit_script = "0x0014aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  d.deposit_script_hash = *script_hash(d.deposit_script);
  d.migration_extra_data = migration_extra_data(d.revealer);
  d.destination_commitment_hash = migration_destination_commitment(d);
  return d;
}

inline strict_json::node json_node(const std::string& text) {
  return std::get<strict_json::node>(
      strict_json::parse(text, strict_json::trailing_policy::whitespace_only));
}

/// Go validSelfTemplate() / validQcTemplate(), with explicit keys.
inline strict_json::node self_template(const std::string& depositor, const std::string& signer) {
  return json_node(R"({"template":"self_v1","depositorPublicKey":")" + depositor +
                   R"(","signerPublicKey":")" + signer + R"(","delta2":4320})");
}
inline strict_json::node qc_template(const std::string& depositor, const std::string& custodian,
                                     const std::string& signer) {
  return json_node(R"({"template":"qc_v1","depositorPublicKey":")" + depositor +
                   R"(","custodianPublicKey":")" + custodian + R"(","signerPublicKey":")" +
                   signer + R"(","beta":144,"delta2":4320})");
}

/// Go validArtifactApprovals(request): D (and C for qc_v1) over the payload.
inline approval_envelope valid_approvals(const route_submit_request& r) {
  approval_envelope e;
  e.payload = approval_payload{2, r.route, r.route, r.destination_commitment_hash,
                               r.migration_transaction_plan->plan_commitment_hash};
  e.approvals.emplace();
  e.approvals->push_back({"D", approval_signature(depositor_key(), e.payload)});
  if (r.route == "qc_v1")
    e.approvals->push_back({"C", approval_signature(custodian_key(), e.payload)});
  return e;
}

/// Go canonicalArtifactSignatures / ...WithSignerApproval: D, C?, cert?.
inline std::vector<std::string> canonical_signatures(const route_submit_request& r) {
  std::vector<std::string> out;
  for (const char* role : {"D", "C"})
    for (const auto& a : *r.artifact_approvals->approvals)
      if (a.role == role)
        out.push_back(a.signature);
  if (r.signer_approval)
    out.push_back(r.signer_approval->signature);
  return out;
}

/// Go baseRequest(route).
inline route_submit_request base_request(const std::string& route) {
  const auto d = valid_destination();
  route_submit_request r;
  r.facade_request_id = "rf_123";
  r.idempotency_key = "idem_123";
  r.request_type = "reconstruct";
  r.route = route;
  r.strategy = "0x1234";
  r.reserve = d.reserve;
  r.epoch = 12;
  r.maturity_height = 912345;
  r.active_outpoint = covenant_outpoint{"0x0102", 1, "0x0304"};
  r.destination_commitment_hash = d.destination_commitment_hash;
  r.migration_destination = d;
  transaction_plan p;
  p.plan_version = 1;
  p.input_value_sats = 1000000;
  p.destination_value_sats = 998000;
  p.anchor_value_sats = 330;
  p.fee_sats = 1670;
  p.input_sequence = 0xFFFFFFFD;
  p.lock_time = 912345;
  r.migration_transaction_plan = p;
  r.artifacts.emplace(); // Go: map[RecoveryPathID]ArtifactRecord{}
  if (route == "self_v1") {
    r.script_template = self_template(compressed_hex(depositor_key()), compressed_hex(signer_key()));
    r.signing = {true, false};
  } else {
    r.script_template = qc_template(compressed_hex(depositor_key()),
                                    compressed_hex(custodian_key()), compressed_hex(signer_key()));
    r.signing = {true, true};
  }
  r.migration_transaction_plan->plan_commitment_hash =
      transaction_plan_commitment(r, *r.migration_transaction_plan);
  r.artifact_approvals = valid_approvals(r);
  r.artifact_signatures = canonical_signatures(r);
  return r;
}

/// Re-signs the approvals and rebuilds the legacy list after a mutation
/// of the payload's inputs.
inline void resign(route_submit_request& r) {
  r.artifact_approvals = valid_approvals(r);
  r.artifact_signatures = canonical_signatures(r);
}

/// Go validSignerApproval(envelope): endBlock 123456, members [2,1]/[4,3].
inline signer_approval_certificate valid_signer_approval(const approval_envelope& e) {
  signer_approval_certificate c;
  c.certificate_version = 2;
  c.signature_algorithm = "tecdsa-secp256k1";
  c.approval_digest =
      cr::to_0x_hex(std::get<cr::hash32>(artifact_approval_digest(e.payload, eip712_domain{})));
  c.wallet_public_key = uncompressed_hex(signer_key());
  c.signer_set_hash = "0x";
  for (int i = 0; i < 32; ++i)
    c.signer_set_hash += "ab";
  c.signature = "0x304402200102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
                "02202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40";
  c.active_members = std::vector<std::uint32_t>{2, 1};
  c.inactive_members = std::vector<std::uint32_t>{4, 3};
  c.end_block = 123456;
  return c;
}

/// Go structuredSignerApprovalRequest(route).
inline route_submit_request structured_request(const std::string& route) {
  auto r = base_request(route);
  r.signer_approval = valid_signer_approval(*r.artifact_approvals);
  r.artifact_signatures = canonical_signatures(r);
  return r;
}

// --- redeem_renew_test.go fixtures ------------------------------------------------

/// Go validRedeemDestination().
inline redeem_destination_reservation valid_redeem_destination() {
  redeem_destination_reservation d;
  d.reservation_id = "crdr_12345678";
  d.reserve = "0x1111111111111111111111111111111111111111";
  d.epoch = 12;
  d.route = "REDEEM";
  d.revealer = "0x2222222222222222222222222222222222222222";
  d.vault = "0x3333333333333333333333333333333333333333";
  d.network = "regtest";
  d.status = "RESERVED";
  d.output_script = "0x0014bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  d.output_value_sats = 998000;
  d.output_script_hash = *script_hash(d.output_script);
  d.destination_commitment_hash = redeem_destination_commitment(d);
  return d;
}

/// Go validRenewDestination().
inline renew_destination_reservation valid_renew_destination() {
  renew_destination_reservation d;
  d.reservation_id = "crnr_12345678";
  d.reserve = "0x1111111111111111111111111111111111111111";
  d.epoch = 12;
  d.route = "RENEW";
  d.revealer = "0x2222222222222222222222222222222222222222";
  d.vault = "0x3333333333333333333333333333333333333333";
  d.network = "regtest";
  d.status = "RESERVED";
  d.next_covenant_script = "0x0014cccccccccccccccccccccccccccccccccccccccc";
  d.next_maturity_height = 987654;
  d.output_value_sats = 998000;
  d.next_covenant_script_hash = *script_hash(d.next_covenant_script);
  d.destination_commitment_hash = renew_destination_commitment(d);
  return d;
}

/// Go rebuildApprovals: plan commitment, approvals and legacy list again.
inline void rebuild_approvals(route_submit_request& r) {
  r.migration_transaction_plan->plan_commitment_hash =
      transaction_plan_commitment(r, *r.migration_transaction_plan);
  resign(r);
}

/// Go redeemSelfV1Request / renewSelfV1Request.
inline route_submit_request redeem_request() {
  auto r = base_request("self_v1");
  auto d = valid_redeem_destination();
  r.action = "REDEEM";
  r.migration_destination.reset();
  r.destination_commitment_hash = d.destination_commitment_hash;
  r.migration_transaction_plan->destination_value_sats = d.output_value_sats;
  r.redeem_destination = std::move(d);
  rebuild_approvals(r);
  return r;
}
inline route_submit_request renew_request() {
  auto r = base_request("self_v1");
  auto d = valid_renew_destination();
  r.action = "RENEW";
  r.migration_destination.reset();
  r.destination_commitment_hash = d.destination_commitment_hash;
  r.migration_transaction_plan->destination_value_sats = d.output_value_sats;
  r.renew_destination = std::move(d);
  rebuild_approvals(r);
  return r;
}

// --- eth_identity_integration_test.go fixtures -------------------------------------

/// Go testDepositorEthPrivateKeyHex (anvil/hardhat development account 1).
inline cr::private_key eth_depositor_key() {
  return *cr::parse_private_key(
      *cr::from_hex("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"));
}

/// Go mustEthArtifactApprovalSignature: 65-byte r || s || v, v in {27, 28}.
inline std::string eth_approval_signature(const cr::private_key& k,
                                          const approval_payload& payload) {
  auto digest = std::get<cr::hash32>(artifact_approval_digest(payload, eip712_domain{}));
  auto sig = cr::sign_recoverable(k, digest);
  sig[64] = static_cast<std::uint8_t>(sig[64] + 27);
  return cr::to_0x_hex(cr::bytes(sig.begin(), sig.end()));
}

/// Signs the D approval of `r` with the ETH key (Go ethSignedSelfV1Request).
inline void eth_sign_depositor(route_submit_request& r, const cr::private_key& k) {
  for (auto& a : *r.artifact_approvals->approvals)
    if (a.role == "D")
      a.signature = eth_approval_signature(k, r.artifact_approvals->payload);
  r.artifact_signatures = canonical_signatures(r);
}

// --- The quote fixtures ------------------------------------------------------

/// Go testMigrationPlanQuoteTrustRoot: keyId "test-plan-quote-key" and the
/// SPKI PEM of the Ed25519 key with seed 0x44 x 32 (`openssl pkey -pubout`
/// of that seed; the test checks it against libsodium's derivation).
inline plan_quote_trust_root quote_trust_root() {
  return {"test-plan-quote-key",
          "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11l5O7wTooGagnx2rbb7qKSa7gB/SfLQmS2ZuCWtLEg=\n"
          "-----END PUBLIC KEY-----\n"};
}
inline cr::ed25519_seed quote_seed() {
  cr::ed25519_seed seed;
  seed.fill(0x44);
  return seed;
}

/// Go validMigrationPlanQuote(request): valid 2099-03-09T00:00 to 00:15.
inline plan_quote valid_quote(const route_submit_request& r) {
  plan_quote q;
  q.quote_id = "cmdq_12345678";
  q.quote_version = 1;
  q.reservation_id = r.migration_destination->reservation_id;
  q.reserve = r.reserve;
  q.epoch = r.epoch;
  q.route = "MIGRATION";
  q.revealer = r.migration_destination->revealer;
  q.vault = r.migration_destination->vault;
  q.network = r.migration_destination->network;
  q.destination_commitment_hash = r.destination_commitment_hash;
  q.active_outpoint_txid = r.active_outpoint.txid;
  q.active_outpoint_vout = r.active_outpoint.vout;
  q.plan_commitment_hash = r.migration_transaction_plan->plan_commitment_hash;
  q.migration_transaction_plan = r.migration_transaction_plan;
  q.idempotency_key = "0x75a998ac6951c2776f3a85f6430fb41321c28c1113a71a52c754806c7a3de9c9";
  q.expires_in_seconds = 900;
  q.issued_at = "2099-03-09T00:00:00.000Z";
  q.expires_at = "2099-03-09T00:15:00.000Z";
  q.signature.signature_version = 1;
  q.signature.algorithm = "ed25519";
  q.signature.key_id = quote_trust_root().key_id;
  const auto hash = plan_quote_signing_hash(q);
  q.signature.signature = cr::to_0x_hex(cr::ed25519_sign(quote_seed(), hash.data(), hash.size()));
  return q;
}

/// Go requestWithValidMigrationPlanQuote(route): 32-byte outpoint txid and
/// script hash, re-committed plan, re-signed approvals, a valid quote.
inline route_submit_request quoted_request(const std::string& route) {
  auto r = base_request(route);
  r.active_outpoint.txid = "0x" + std::string(64, 'a');
  r.active_outpoint.script_hash = "0x" + std::string(64, 'b');
  r.migration_transaction_plan->plan_commitment_hash =
      transaction_plan_commitment(r, *r.migration_transaction_plan);
  resign(r);
  r.migration_plan_quote = valid_quote(r);
  return r;
}

// --- Trust roots ---------------------------------------------------------------

/// Go testDepositorTrustRoot(route) / testCustodianTrustRoot(route).
inline approval_trust_root depositor_root(const std::string& route) {
  const auto d = valid_destination();
  return {route, d.reserve, d.network, compressed_hex(depositor_key()), ""};
}
inline approval_trust_root custodian_root(const std::string& route) {
  const auto d = valid_destination();
  return {route, d.reserve, d.network, compressed_hex(custodian_key()), ""};
}

/// NewService's normalisation of the configured roots (must succeed).
inline trust_roots normalized(const trust_roots& raw) {
  auto n = normalize_trust_roots(raw);
  if (auto* e = std::get_if<input_error>(&n)) {
    ADD_FAILURE() << "trust roots rejected: " << e->message;
    return {};
  }
  return std::get<trust_roots>(n);
}

// --- Hex variants ----------------------------------------------------------------

/// Go upperHexBody: uppercase the body, keep the 0x prefix.
inline std::string upper_hex_body(const std::string& v) {
  std::string out = v;
  for (std::size_t i = v.compare(0, 2, "0x") == 0 ? 2 : 0; i < out.size(); ++i)
    out[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[i])));
  return out;
}

/// Go mixedCaseHexBody: every other hex letter uppercased.
inline std::string mixed_case_hex_body(const std::string& v) {
  if (v.compare(0, 2, "0x") != 0)
    return v;
  std::string out = "0x";
  int letters = 0;
  for (std::size_t i = 2; i < v.size(); ++i) {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(v[i])));
    if (c >= 'a' && c <= 'f' && letters++ % 2 == 0)
      c = static_cast<char>(c - 'a' + 'A');
    out += c;
  }
  return out;
}

/// Go artifactApprovalVariantFromRequest: every hex field transformed,
/// approvals reversed, member lists rotated, template keys transformed.
inline route_submit_request hex_variant(route_submit_request r,
                                        const std::function<std::string(const std::string&)>& f) {
  r.strategy = f(r.strategy);
  r.reserve = f(r.reserve);
  r.active_outpoint.txid = f(r.active_outpoint.txid);
  if (!r.active_outpoint.script_hash.empty())
    r.active_outpoint.script_hash = f(r.active_outpoint.script_hash);
  r.destination_commitment_hash = f(r.destination_commitment_hash);
  if (auto& d = r.migration_destination) {
    d->reserve = f(d->reserve);
    d->revealer = f(d->revealer);
    d->vault = f(d->vault);
    d->deposit_script = f(d->deposit_script);
    d->deposit_script_hash = f(d->deposit_script_hash);
    d->migration_extra_data = f(d->migration_extra_data);
    d->destination_commitment_hash = f(d->destination_commitment_hash);
  }
  if (auto& p = r.migration_transaction_plan)
    p->plan_commitment_hash = f(p->plan_commitment_hash);
  if (auto& s = r.artifact_signatures)
    for (auto& x : *s)
      x = f(x);
  if (auto& c = r.signer_approval) {
    c->approval_digest = f(c->approval_digest);
    c->wallet_public_key = f(c->wallet_public_key);
    c->signer_set_hash = f(c->signer_set_hash);
    c->signature = f(c->signature);
    for (auto* members : {&c->active_members, &c->inactive_members})
      if (*members && (*members)->size() > 1)
        std::rotate((*members)->rbegin(), (*members)->rbegin() + 1, (*members)->rend());
  }
  if (auto& a = r.artifacts)
    for (auto& [id, record] : *a) {
      record.psbt_hash = f(record.psbt_hash);
      record.destination_commitment_hash = f(record.destination_commitment_hash);
      if (!record.transaction_hex.empty())
        record.transaction_hex = f(record.transaction_hex);
      if (!record.transaction_id.empty())
        record.transaction_id = f(record.transaction_id);
    }
  if (auto& e = r.artifact_approvals) {
    e->payload.destination_commitment_hash = f(e->payload.destination_commitment_hash);
    e->payload.plan_commitment_hash = f(e->payload.plan_commitment_hash);
    std::reverse(e->approvals->begin(), e->approvals->end());
    for (auto& a : *e->approvals)
      a.signature = f(a.signature);
  }
  if (r.route == "qc_v1") {
    auto t = std::get<qc_v1_template>(parse_qc_v1_template(r.script_template));
    r.script_template = qc_template(f(t.depositor_public_key), f(t.custodian_public_key),
                                    f(t.signer_public_key));
  } else {
    auto t = std::get<self_v1_template>(parse_self_v1_template(r.script_template));
    r.script_template = self_template(f(t.depositor_public_key), f(t.signer_public_key));
  }
  return r;
}

// --- Running the validator ---------------------------------------------------------

inline submit_input submit_of(route_submit_request r, std::string route_request_id = "ors_1") {
  return submit_input{std::move(route_request_id), std::move(r), "SIGNER_COORDINATION"};
}
inline poll_input poll_of(route_submit_request r) {
  return poll_input{"ors_1", "kcs_self_0011223344556677", std::move(r), "SIGNER_COORDINATION"};
}

/// The first error Submit reports on `route` ("<accepted>" when none).
inline std::string submit_error(const route_submit_request& r, const validation_policy& policy = {},
                                std::string route = {}) {
  auto result = validate_submit(submit_of(r), route.empty() ? r.route : route, policy);
  if (const auto* e = std::get_if<validation_error>(&result))
    return e->message;
  return "<accepted>";
}

inline validated_request accepted(const validation_result& result) {
  if (const auto* e = std::get_if<validation_error>(&result)) {
    ADD_FAILURE() << "rejected: " << e->message;
    return {};
  }
  return std::get<validated_request>(result);
}

/// Go requestDigest(request, validationOptions{}): the policy-independent
/// normalisation and digest (zero domain).
inline std::string digest_of(const route_submit_request& r) {
  auto d = normalized_request_digest(r, {});
  if (auto* e = std::get_if<input_error>(&d)) {
    ADD_FAILURE() << "not digestible: " << e->message;
    return {};
  }
  return std::get<std::string>(d);
}

} // namespace covsigner::covenant::go_fixture
