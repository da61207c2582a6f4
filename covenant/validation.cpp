#include "covenant/validation.hpp"

#include "covenant/approvals.hpp"
#include "covenant/certificate.hpp"
#include "covenant/destination_rules.hpp"
#include "covenant/hex_rules.hpp"
#include "covenant/normalize.hpp"
#include "covenant/plan_quote.hpp"
#include "covenant/plan_rules.hpp"
#include "covenant/signature_primitives.hpp"
#include "crypto/secp256k1.hpp"

namespace covsigner::covenant {

namespace {

// The approval contract this node speaks (reference G5).
constexpr std::uint32_t approval_contract_version = 2;

validation_error input(input_error e) {
  return validation_error{validation_error_kind::input, std::move(e.message)};
}
validation_error input(std::string message) {
  return validation_error{validation_error_kind::input, std::move(message)};
}

std::optional<input_error> check_identifier_field(std::string_view name, std::string_view value) {
  if (value.empty())
    return input_error{std::string(name) + " is required"};
  return check_request_identifier(name, value);
}

std::optional<input_error> check_request_type(std::string_view route, std::string_view type) {
  if (type == request_type_reconstruct)
    return std::nullopt;
  if (type == request_type_presign_self_v1 && route == route_self_v1)
    return std::nullopt;
  if (route == route_qc_v1)
    return input_error{"request.requestType must be reconstruct for qc_v1"};
  return input_error{"request.requestType must be reconstruct or presign_self_v1"};
}

// Steps 1-4 of validateCommonRequest.
std::optional<input_error> check_identity_and_shape(const route_submit_request& r,
                                                    std::string_view endpoint_route) {
  if (auto e = check_identifier_field("request.facadeRequestId", r.facade_request_id))
    return e;
  if (auto e = check_identifier_field("request.idempotencyKey", r.idempotency_key))
    return e;
  if (r.route != endpoint_route)
    return input_error{"request.route does not match endpoint route"};
  if (auto e = check_request_type(r.route, r.request_type))
    return e;
  if (auto e = check_hex("request.strategy", r.strategy))
    return e;
  if (auto e = check_hex("request.reserve", r.reserve))
    return e;
  if (auto e = check_hex("request.activeOutpoint.txid", r.active_outpoint.txid))
    return e;
  if (!r.active_outpoint.script_hash.empty())
    if (auto e = check_hex("request.activeOutpoint.scriptHash", r.active_outpoint.script_hash))
      return e;
  return check_hex("request.destinationCommitmentHash", r.destination_commitment_hash);
}

// Step 7 (§5.7): only for MIGRATION.
std::optional<input_error> check_plan_quote(const route_submit_request& r,
                                            const validation_policy& policy, bool poll) {
  if (r.resolved_action() != action_migration)
    return std::nullopt;
  const bool roots_configured = !policy.roots.quote.empty();
  if (!r.migration_plan_quote) {
    if (roots_configured && !poll)
      return input_error{
          "request.migrationPlanQuote is required when migrationPlanQuoteTrustRoots are "
          "configured"};
    return std::nullopt;
  }
  if (!poll && !roots_configured)
    return input_error{"request.migrationPlanQuote verification requires configured trust roots"};
  auto normalized = normalize_plan_quote(r, *r.migration_plan_quote);
  if (auto* e = std::get_if<input_error>(&normalized))
    return *e;
  if (poll)
    return std::nullopt;
  return verify_plan_quote(std::get<plan_quote>(normalized),
                           r.migration_plan_quote->signature.key_id, policy.roots.quote,
                           policy.now);
}

// The route's template keys, after the strict parse and shape checks.
struct template_keys {
  std::string depositor;
  std::string custodian; // qc_v1 only
};

std::variant<template_keys, input_error> check_route_template(const route_submit_request& r) {
  const std::string route = r.route;
  auto invalid = [&](const std::string& m) {
    return input_error{"request.scriptTemplate is invalid for " + route + ": " + m};
  };
  template_keys keys;
  if (r.route == route_self_v1) {
    if (!r.signing.signer_required || r.signing.custodian_required)
      return input_error{"request.signing must set signerRequired=true and "
                         "custodianRequired=false for self_v1"};
    auto parsed = parse_self_v1_template(r.script_template);
    if (auto* e = std::get_if<strict_json::decode_error>(&parsed))
      return invalid(e->message);
    const auto& t = std::get<self_v1_template>(parsed);
    if (t.template_id != route_self_v1)
      return input_error{"request.scriptTemplate.template must be self_v1"};
    if (auto e = check_hex("request.scriptTemplate.depositorPublicKey", t.depositor_public_key))
      return *e;
    if (auto e = check_hex("request.scriptTemplate.signerPublicKey", t.signer_public_key))
      return *e;
    keys.depositor = t.depositor_public_key;
    return keys;
  }
  if (r.route == route_qc_v1) {
    if (!r.signing.signer_required || !r.signing.custodian_required)
      return input_error{"request.signing must set signerRequired=true and "
                         "custodianRequired=true for qc_v1"};
    auto parsed = parse_qc_v1_template(r.script_template);
    if (auto* e = std::get_if<strict_json::decode_error>(&parsed))
      return invalid(e->message);
    const auto& t = std::get<qc_v1_template>(parsed);
    if (t.template_id != route_qc_v1)
      return input_error{"request.scriptTemplate.template must be qc_v1"};
    if (auto e = check_hex("request.scriptTemplate.depositorPublicKey", t.depositor_public_key))
      return *e;
    if (auto e = check_hex("request.scriptTemplate.custodianPublicKey", t.custodian_public_key))
      return *e;
    if (auto e = check_hex("request.scriptTemplate.signerPublicKey", t.signer_public_key))
      return *e;
    keys.depositor = t.depositor_public_key;
    keys.custodian = t.custodian_public_key;
    return keys;
  }
  return input_error{"unsupported request.route"};
}

// Trust-root pinning of one template key (§5.4, Submit only). Returns the
// matching root (nullptr when no roots of this kind are configured).
std::variant<const approval_trust_root*, input_error> pin_key(
    std::string_view field, std::string_view kind,
    const std::vector<approval_trust_root>& roots, const trust_root_scope& scope,
    std::string_view template_key) {
  if (roots.empty())
    return static_cast<const approval_trust_root*>(nullptr);
  const std::string prefix = "request.scriptTemplate." + std::string(field);
  const auto* root = find_trust_root(roots, scope);
  if (root == nullptr)
    return input_error{prefix + " requires a matching configured " + std::string(kind) +
                       " entry for " + scope.route};
  if (lower_hex(template_key) != root->public_key)
    return input_error{prefix + " must match the configured " + std::string(kind) +
                       " publicKey for " + scope.route};
  return root;
}

std::variant<crypto::bytes, input_error> compressed_key(std::string_view field,
                                                        std::string_view hex) {
  auto key = decode_checked_hex(hex);
  if (!is_compressed_secp256k1_key(key))
    return input_error{"request.scriptTemplate." + std::string(field) +
                       " must be a compressed secp256k1 public key"};
  return key;
}

// Go verifyEthSignature: the wallet form (65 bytes r||s||v) checked in the
// reference's order (length, low-S, recovery id, ecrecover, address).
std::optional<input_error> verify_eth_signature(const std::string& name,
                                                std::string_view eth_address,
                                                const crypto::hash32& digest,
                                                const crypto::bytes& signature) {
  if (signature.size() != 65)
    return input_error{name + " must be a 65-byte secp256k1 signature"};
  if (!is_low_s(signature.data() + 32))
    return input_error{name + " must be a low-S secp256k1 signature"};
  int recovery_id = 0;
  switch (signature[64]) {
  case 0:
  case 1:
    recovery_id = signature[64];
    break;
  case 27:
  case 28:
    recovery_id = signature[64] - 27;
    break;
  default:
    return input_error{name + " has an invalid recovery id"};
  }
  auto address = recover_eth_address(digest, signature.data(), recovery_id);
  if (!address)
    return input_error{name + " does not recover to a valid public key"};
  if (crypto::to_0x_hex(*address) != lower_hex(eth_address))
    return input_error{name + " does not verify against the required depositor ETH address"};
  return std::nullopt;
}

} // namespace

std::optional<input_error> verify_approval_signatures(const approval_envelope& envelope,
                                                      const std::vector<approval_key>& keys,
                                                      const eip712_domain& domain,
                                                      std::string_view depositor_eth_address) {
  auto digest_or = artifact_approval_digest(envelope.payload, domain, approval_contract_version);
  if (auto* e = std::get_if<input_error>(&digest_or))
    return *e;
  const auto& digest = std::get<crypto::hash32>(digest_or);
  if (!envelope.approvals)
    return std::nullopt;
  auto key_for = [&](std::string_view role) -> const approval_key* {
    for (const auto& k : keys)
      if (k.role == role)
        return &k;
    return nullptr;
  };
  const auto& approvals = *envelope.approvals;
  for (std::size_t i = 0; i < approvals.size(); ++i) {
    const auto& a = approvals[i];
    const std::string index = "request.artifactApprovals.approvals[" + std::to_string(i) + "]";
    const std::string name = index + ".signature";
    auto signature = decode_checked_hex(a.signature);
    if (a.role == role_depositor && !depositor_eth_address.empty()) {
      if (auto e = verify_eth_signature(name, depositor_eth_address, digest, signature))
        return e;
      continue;
    }
    const approval_key* key = nullptr;
    if (a.role == role_depositor || a.role == role_custodian)
      key = key_for(a.role);
    if (key == nullptr) {
      // Normalisation has already rejected roles the route does not allow;
      // these are the reference's defence-in-depth texts.
      if (a.role == role_custodian)
        return input_error{"request.artifactApprovals.approvals includes unexpected custodian role"};
      return input_error{index + ".role is not a recognized role"};
    }
    switch (verify_ecdsa_any_form(key->public_key, digest, signature)) {
    case ecdsa_check::valid:
      break;
    case ecdsa_check::unparseable:
      return input_error{name + " must be a DER or 64/65-byte secp256k1 signature"};
    case ecdsa_check::high_s:
      return input_error{name + " must be a low-S secp256k1 signature"};
    case ecdsa_check::mismatch:
      return input_error{name + " does not verify against the required public key"};
    }
  }
  return std::nullopt;
}

namespace {

// The rule chain; `poll` and `pinned_eth` override the policy's fields so
// the entry points need not copy the policy.
validation_result validate_chain(const route_submit_request& r, std::string_view endpoint_route,
                                 const validation_policy& policy, bool poll,
                                 std::string_view pinned_eth) {
  if (auto e = check_identity_and_shape(r, endpoint_route))
    return input(*e);
  if (auto e = check_action_destination(r))
    return input(*e);
  if (auto e = check_transaction_plan(
          r, r.migration_transaction_plan ? &*r.migration_transaction_plan : nullptr))
    return input(*e);
  if (auto e = check_plan_quote(r, policy, poll))
    return input(*e);
  if (!r.artifact_approvals)
    return input("request.artifactApprovals is required");
  if (!poll && policy.verifier_configured && !r.signer_approval)
    return input(
        "request.signerApproval is required when the signer approval verifier is configured");

  auto approvals_or = normalize_artifact_approvals(r, policy.domain, approval_contract_version);
  if (auto* e = std::get_if<input_error>(&approvals_or))
    return input(*e);
  const auto& approvals = std::get<normalized_approvals>(approvals_or);

  auto keys_or = check_route_template(r);
  if (auto* e = std::get_if<input_error>(&keys_or))
    return input(*e);
  const auto& keys = std::get<template_keys>(keys_or);

  std::string depositor_eth = poll ? lower_hex(pinned_eth) : std::string();
  std::string depositor_key_hex = keys.depositor;
  std::string custodian_key_hex = keys.custodian;
  if (!poll) {
    const auto scope = request_trust_root_scope(r);
    auto d = pin_key("depositorPublicKey", "depositorTrustRoots", policy.roots.depositor, scope,
                     keys.depositor);
    if (auto* e = std::get_if<input_error>(&d))
      return input(*e);
    if (const auto* root = std::get<const approval_trust_root*>(d)) {
      depositor_key_hex = root->public_key;
      depositor_eth = root->eth_address;
    }
    if (r.route == route_qc_v1) {
      auto c = pin_key("custodianPublicKey", "custodianTrustRoots", policy.roots.custodian,
                       scope, keys.custodian);
      if (auto* e = std::get_if<input_error>(&c))
        return input(*e);
      if (const auto* root = std::get<const approval_trust_root*>(c))
        custodian_key_hex = root->public_key;
    }
  }

  // With an ETH identity the D approval is checked by ecrecover, so the
  // template's depositor key is not parsed (Go skips it too).
  std::vector<approval_key> approval_keys;
  if (depositor_eth.empty()) {
    auto d_key = compressed_key("depositorPublicKey", depositor_key_hex);
    if (auto* e = std::get_if<input_error>(&d_key))
      return input(*e);
    approval_keys.push_back({std::string(role_depositor), std::get<crypto::bytes>(d_key)});
  }
  if (r.route == route_qc_v1) {
    auto c_key = compressed_key("custodianPublicKey", custodian_key_hex);
    if (auto* e = std::get_if<input_error>(&c_key))
      return input(*e);
    approval_keys.push_back({std::string(role_custodian), std::get<crypto::bytes>(c_key)});
  }
  // The reference verifies the envelope as sent: request order, raw indices.
  if (auto e = verify_approval_signatures(*r.artifact_approvals, approval_keys, policy.domain,
                                          depositor_eth))
    return input(*e);

  bool verification_due = false;
  if (approvals.certificate) {
    if (!approvals.certificate->end_block)
      return input("request.signerApproval.endBlock is required");
    if (!policy.current_height)
      return validation_error{validation_error_kind::height_unavailable,
                              std::string(height_unavailable_message)};
    if (certificate_expired(*policy.current_height, *approvals.certificate->end_block))
      return input("signer approval certificate has expired");
    if (!poll) {
      if (!policy.verifier_configured)
        return input("request.signerApproval cannot be verified by this signer deployment");
      verification_due = true;
    }
  }

  auto normalized = normalize_request(r, normalize_options{policy.domain, approval_contract_version});
  if (auto* e = std::get_if<input_error>(&normalized))
    return input(*e);
  validated_request out;
  out.normalized = std::get<route_submit_request>(std::move(normalized));
  out.request_digest = request_digest(out.normalized);
  out.depositor_eth_address = std::move(depositor_eth);
  out.signer_approval_verification_due = verification_due;
  return out;
}

} // namespace

validation_result validate_route_request(const route_submit_request& request,
                                         std::string_view endpoint_route,
                                         const validation_policy& policy) {
  return validate_chain(request, endpoint_route, policy, policy.poll,
                        policy.pinned_depositor_eth_address);
}

validation_result validate_submit(const submit_input& in, std::string_view endpoint_route,
                                  const validation_policy& policy) {
  if (in.route_request_id.empty())
    return input("routeRequestId is required");
  if (in.stage != stage_signer_coordination)
    return input("stage must be SIGNER_COORDINATION");
  return validate_chain(in.request, endpoint_route, policy, false, {});
}

validation_result validate_poll(const poll_input& in, std::string_view endpoint_route,
                                const validation_policy& policy) {
  if (in.request_id.empty())
    return input("requestId is required");
  if (in.route_request_id.empty())
    return input("routeRequestId is required");
  if (in.stage != stage_signer_coordination)
    return input("stage must be SIGNER_COORDINATION");
  return validate_chain(in.request, endpoint_route, policy, true,
                        policy.pinned_depositor_eth_address);
}

} // namespace covsigner::covenant
