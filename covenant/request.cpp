#include "covenant/request.hpp"

#include "covenant/canonical_json.hpp"

#include <boost/json.hpp>

namespace covsigner::covenant {

namespace sj = strict_json;
using sj::context;
using sj::make_field;
using sj::node;

namespace {

// Go type names as reflect.Type.String() prints them in decoder errors.
constexpr char go_template_id[] = "covenantsigner.TemplateID";
constexpr char go_request_type[] = "covenantsigner.RequestType";
constexpr char go_action[] = "covenantsigner.CovenantAction";
constexpr char go_stage[] = "covenantsigner.RecoveryStage";
constexpr char go_reservation_route[] = "covenantsigner.ReservationRoute";
constexpr char go_reservation_status[] = "covenantsigner.ReservationStatus";
constexpr char go_role[] = "covenantsigner.ArtifactApprovalRole";

template <const char* GoType>
void typed_string(context& c, const node& n, std::string& out) {
  sj::decode_string(c, n, out, GoType);
}

void plain_string(context& c, const node& n, std::string& out) { sj::decode_string(c, n, out); }

// A Go pointer-to-struct field: `null` resets it, otherwise Go allocates the
// target if needed and decodes into it (merging duplicate keys).
template <class T, void (*F)(context&, const node&, T&)>
void pointer_to(context& c, const node& n, std::optional<T>& out) {
  if (n.type == node::kind::null) {
    out.reset();
    return;
  }
  if (!out)
    out.emplace();
  F(c, n, *out);
}

#define STR(name, target) make_field<std::string, plain_string>(name, target)
#define TSTR(go, name, target) make_field<std::string, typed_string<go>>(name, target)
#define U64(name, target) make_field<std::uint64_t, sj::decode_uint64>(name, target)
#define U32(name, target) make_field<std::uint32_t, sj::decode_uint32>(name, target)
#define BOOL(name, target) make_field<bool, sj::decode_bool>(name, target)

void decode_outpoint(context& c, const node& n, covenant_outpoint& v) {
  sj::decode_object(c, n, "CovenantOutpoint", "covenantsigner.CovenantOutpoint",
                    {STR("txid", v.txid), U32("vout", v.vout), STR("scriptHash", v.script_hash)});
}

void decode_artifact_record(context& c, const node& n, artifact_record& v) {
  sj::decode_object(c, n, "ArtifactRecord", "covenantsigner.ArtifactRecord",
                    {STR("psbtHash", v.psbt_hash),
                     STR("destinationCommitmentHash", v.destination_commitment_hash),
                     STR("transactionHex", v.transaction_hex),
                     STR("transactionId", v.transaction_id)});
}

void decode_migration_destination(context& c, const node& n, migration_destination_reservation& v) {
  sj::decode_object(c, n, "MigrationDestinationReservation",
                    "covenantsigner.MigrationDestinationReservation",
                    {STR("reservationId", v.reservation_id), STR("reserve", v.reserve),
                     U64("epoch", v.epoch), TSTR(go_reservation_route, "route", v.route),
                     STR("revealer", v.revealer), STR("vault", v.vault),
                     STR("network", v.network), TSTR(go_reservation_status, "status", v.status),
                     STR("depositScript", v.deposit_script),
                     STR("depositScriptHash", v.deposit_script_hash),
                     STR("migrationExtraData", v.migration_extra_data),
                     STR("destinationCommitmentHash", v.destination_commitment_hash)});
}

void decode_redeem_destination(context& c, const node& n, redeem_destination_reservation& v) {
  sj::decode_object(c, n, "RedeemDestinationReservation",
                    "covenantsigner.RedeemDestinationReservation",
                    {STR("reservationId", v.reservation_id), STR("reserve", v.reserve),
                     U64("epoch", v.epoch), TSTR(go_reservation_route, "route", v.route),
                     STR("revealer", v.revealer), STR("vault", v.vault),
                     STR("network", v.network), TSTR(go_reservation_status, "status", v.status),
                     STR("outputScript", v.output_script),
                     STR("outputScriptHash", v.output_script_hash),
                     U64("outputValueSats", v.output_value_sats),
                     STR("destinationCommitmentHash", v.destination_commitment_hash)});
}

void decode_renew_destination(context& c, const node& n, renew_destination_reservation& v) {
  sj::decode_object(c, n, "RenewDestinationReservation",
                    "covenantsigner.RenewDestinationReservation",
                    {STR("reservationId", v.reservation_id), STR("reserve", v.reserve),
                     U64("epoch", v.epoch), TSTR(go_reservation_route, "route", v.route),
                     STR("revealer", v.revealer), STR("vault", v.vault),
                     STR("network", v.network), TSTR(go_reservation_status, "status", v.status),
                     STR("nextCovenantScript", v.next_covenant_script),
                     STR("nextCovenantScriptHash", v.next_covenant_script_hash),
                     U64("nextMaturityHeight", v.next_maturity_height),
                     U64("outputValueSats", v.output_value_sats),
                     STR("destinationCommitmentHash", v.destination_commitment_hash)});
}

void decode_plan(context& c, const node& n, transaction_plan& v) {
  sj::decode_object(c, n, "MigrationTransactionPlan", "covenantsigner.MigrationTransactionPlan",
                    {U32("planVersion", v.plan_version),
                     STR("planCommitmentHash", v.plan_commitment_hash),
                     U64("inputValueSats", v.input_value_sats),
                     U64("destinationValueSats", v.destination_value_sats),
                     U64("anchorValueSats", v.anchor_value_sats), U64("feeSats", v.fee_sats),
                     U32("inputSequence", v.input_sequence), U32("lockTime", v.lock_time)});
}

void decode_quote_signature(context& c, const node& n, plan_quote_signature& v) {
  sj::decode_object(c, n, "MigrationDestinationPlanQuoteSignature",
                    "covenantsigner.MigrationDestinationPlanQuoteSignature",
                    {U32("signatureVersion", v.signature_version),
                     STR("algorithm", v.algorithm), STR("keyId", v.key_id),
                     STR("signature", v.signature)});
}

void decode_quote(context& c, const node& n, plan_quote& v) {
  sj::decode_object(
      c, n, "MigrationDestinationPlanQuote", "covenantsigner.MigrationDestinationPlanQuote",
      {STR("quoteId", v.quote_id), U32("quoteVersion", v.quote_version),
       STR("reservationId", v.reservation_id), STR("reserve", v.reserve), U64("epoch", v.epoch),
       TSTR(go_reservation_route, "route", v.route), STR("revealer", v.revealer),
       STR("vault", v.vault), STR("network", v.network),
       STR("destinationCommitmentHash", v.destination_commitment_hash),
       STR("activeOutpointTxid", v.active_outpoint_txid),
       U32("activeOutpointVout", v.active_outpoint_vout),
       STR("planCommitmentHash", v.plan_commitment_hash),
       make_field<std::optional<transaction_plan>, pointer_to<transaction_plan, decode_plan>>(
           "migrationTransactionPlan", v.migration_transaction_plan),
       STR("idempotencyKey", v.idempotency_key), U64("expiresInSeconds", v.expires_in_seconds),
       STR("issuedAt", v.issued_at), STR("expiresAt", v.expires_at),
       make_field<plan_quote_signature, decode_quote_signature>("signature", v.signature)});
}

void decode_payload(context& c, const node& n, approval_payload& v) {
  sj::decode_object(c, n, "ArtifactApprovalPayload", "covenantsigner.ArtifactApprovalPayload",
                    {U32("approvalVersion", v.approval_version),
                     TSTR(go_template_id, "route", v.route),
                     TSTR(go_template_id, "scriptTemplateId", v.script_template_id),
                     STR("destinationCommitmentHash", v.destination_commitment_hash),
                     STR("planCommitmentHash", v.plan_commitment_hash)});
}

void decode_role_approval(context& c, const node& n, role_approval& v) {
  sj::decode_object(c, n, "ArtifactRoleApproval", "covenantsigner.ArtifactRoleApproval",
                    {TSTR(go_role, "role", v.role), STR("signature", v.signature)});
}

void decode_role_approvals(context& c, const node& n,
                           std::optional<std::vector<role_approval>>& out) {
  if (n.type == node::kind::null) {
    out.reset();
    return;
  }
  if (n.type != node::kind::array) {
    c.type_error(sj::kind_name(n), "[]covenantsigner.ArtifactRoleApproval");
    return;
  }
  // Go decodes into existing elements, then truncates (see strict_json).
  std::vector<role_approval> values = out.value_or(std::vector<role_approval>{});
  values.resize(std::max(values.size(), n.items.size()));
  for (std::size_t i = 0; i < n.items.size(); ++i)
    decode_role_approval(c, n.items[i], values[i]);
  values.resize(n.items.size());
  out = std::move(values);
}

void decode_envelope(context& c, const node& n, approval_envelope& v) {
  sj::decode_object(c, n, "ArtifactApprovalEnvelope", "covenantsigner.ArtifactApprovalEnvelope",
                    {make_field<approval_payload, decode_payload>("payload", v.payload),
                     make_field<std::optional<std::vector<role_approval>>, decode_role_approvals>(
                         "approvals", v.approvals)});
}

void decode_certificate(context& c, const node& n, signer_approval_certificate& v) {
  sj::decode_object(
      c, n, "SignerApprovalCertificate", "covenantsigner.SignerApprovalCertificate",
      {U32("certificateVersion", v.certificate_version),
       STR("signatureAlgorithm", v.signature_algorithm),
       STR("approvalDigest", v.approval_digest), STR("walletPublicKey", v.wallet_public_key),
       STR("signerSetHash", v.signer_set_hash), STR("signature", v.signature),
       make_field<std::optional<std::vector<std::uint32_t>>, sj::decode_uint32_slice>(
           "activeMembers", v.active_members),
       make_field<std::optional<std::vector<std::uint32_t>>, sj::decode_uint32_slice>(
           "inactiveMembers", v.inactive_members),
       make_field<std::optional<std::uint64_t>, sj::decode_optional_uint64>("endBlock",
                                                                            v.end_block)});
}

void decode_signing(context& c, const node& n, signing_requirements& v) {
  sj::decode_object(c, n, "SigningRequirements", "covenantsigner.SigningRequirements",
                    {BOOL("signerRequired", v.signer_required),
                     BOOL("custodianRequired", v.custodian_required)});
}

void decode_artifacts(context& c, const node& n,
                      std::optional<std::map<std::string, artifact_record>>& out) {
  if (n.type == node::kind::null) {
    out.reset();
    return;
  }
  if (n.type != node::kind::object) {
    c.type_error(sj::kind_name(n),
                 "map[covenantsigner.RecoveryPathID]covenantsigner.ArtifactRecord");
    return;
  }
  // Go reuses an existing map (duplicate keys merge maps) but decodes each
  // element into a fresh zero value (duplicate map keys: last wins).
  if (!out)
    out.emplace();
  for (const auto& [key, value] : n.members) {
    artifact_record record;
    decode_artifact_record(c, value, record);
    (*out)[key] = std::move(record);
  }
}

void decode_raw(context&, const node& n, std::optional<node>& out) { out = n; }

void decode_request(context& c, const node& n, route_submit_request& v) {
  sj::decode_object(
      c, n, "RouteSubmitRequest", "covenantsigner.RouteSubmitRequest",
      {STR("facadeRequestId", v.facade_request_id), STR("idempotencyKey", v.idempotency_key),
       TSTR(go_request_type, "requestType", v.request_type),
       TSTR(go_template_id, "route", v.route), TSTR(go_action, "action", v.action),
       STR("strategy", v.strategy), STR("reserve", v.reserve), U64("epoch", v.epoch),
       U64("maturityHeight", v.maturity_height),
       make_field<covenant_outpoint, decode_outpoint>("activeOutpoint", v.active_outpoint),
       STR("destinationCommitmentHash", v.destination_commitment_hash),
       make_field<std::optional<migration_destination_reservation>,
                  pointer_to<migration_destination_reservation, decode_migration_destination>>(
           "migrationDestination", v.migration_destination),
       make_field<std::optional<redeem_destination_reservation>,
                  pointer_to<redeem_destination_reservation, decode_redeem_destination>>(
           "redeemDestination", v.redeem_destination),
       make_field<std::optional<renew_destination_reservation>,
                  pointer_to<renew_destination_reservation, decode_renew_destination>>(
           "renewDestination", v.renew_destination),
       make_field<std::optional<plan_quote>, pointer_to<plan_quote, decode_quote>>(
           "migrationPlanQuote", v.migration_plan_quote),
       make_field<std::optional<transaction_plan>, pointer_to<transaction_plan, decode_plan>>(
           "migrationTransactionPlan", v.migration_transaction_plan),
       make_field<std::optional<approval_envelope>,
                  pointer_to<approval_envelope, decode_envelope>>("artifactApprovals",
                                                                  v.artifact_approvals),
       make_field<std::optional<signer_approval_certificate>,
                  pointer_to<signer_approval_certificate, decode_certificate>>(
           "signerApproval", v.signer_approval),
       make_field<std::optional<std::vector<std::string>>, sj::decode_string_slice>(
           "artifactSignatures", v.artifact_signatures),
       make_field<std::optional<std::map<std::string, artifact_record>>, decode_artifacts>(
           "artifacts", v.artifacts),
       make_field<std::optional<node>, decode_raw>("scriptTemplate", v.script_template),
       make_field<signing_requirements, decode_signing>("signing", v.signing)});
}

void decode_submit(context& c, const node& n, submit_input& v) {
  sj::decode_object(c, n, "SignerSubmitInput", "covenantsigner.SignerSubmitInput",
                    {STR("routeRequestId", v.route_request_id),
                     make_field<route_submit_request, decode_request>("request", v.request),
                     TSTR(go_stage, "stage", v.stage)});
}

void decode_poll(context& c, const node& n, poll_input& v) {
  sj::decode_object(c, n, "SignerPollInput", "covenantsigner.SignerPollInput",
                    {STR("routeRequestId", v.route_request_id),
                     STR("requestId", v.request_id),
                     make_field<route_submit_request, decode_request>("request", v.request),
                     TSTR(go_stage, "stage", v.stage)});
}

void decode_self_template(context& c, const node& n, self_v1_template& v) {
  sj::decode_object(c, n, "SelfV1Template", "covenantsigner.SelfV1Template",
                    {TSTR(go_template_id, "template", v.template_id),
                     STR("depositorPublicKey", v.depositor_public_key),
                     STR("signerPublicKey", v.signer_public_key), U64("delta2", v.delta2)});
}

void decode_qc_template(context& c, const node& n, qc_v1_template& v) {
  sj::decode_object(c, n, "QcV1Template", "covenantsigner.QcV1Template",
                    {TSTR(go_template_id, "template", v.template_id),
                     STR("depositorPublicKey", v.depositor_public_key),
                     STR("custodianPublicKey", v.custodian_public_key),
                     STR("signerPublicKey", v.signer_public_key), U64("beta", v.beta),
                     U64("delta2", v.delta2)});
}

#undef STR
#undef TSTR
#undef U64
#undef U32
#undef BOOL

// Parses `text` and decodes it with `F` into a T; HTTP body rule for
// trailing content.
template <class T, void (*F)(context&, const node&, T&)>
std::variant<T, input_error> decode_body(std::string_view text) {
  auto parsed = sj::parse(text, sj::trailing_policy::whitespace_only);
  if (auto* err = std::get_if<sj::decode_error>(&parsed))
    return input_error{std::string(malformed_request_body), err->message};
  context ctx;
  T out{};
  F(ctx, std::get<node>(parsed), out);
  if (ctx.failed())
    return input_error{std::string(malformed_request_body), *ctx.error()};
  return out;
}

// The reference's strictUnmarshal over a RawMessage.
template <class T, void (*F)(context&, const node&, T&)>
std::variant<T, sj::decode_error> strict_unmarshal(const std::optional<node>& raw) {
  if (!raw)
    return sj::decode_error{"EOF"}; // Go: decoding an empty RawMessage
  context ctx;
  T out{};
  F(ctx, *raw, out);
  if (ctx.failed())
    return sj::decode_error{*ctx.error()};
  return out;
}

// --- canonical value builders ---------------------------------------------

namespace bj = boost::json;

bj::value strings_or_null(const std::optional<std::vector<std::string>>& v) {
  if (!v)
    return nullptr;
  bj::array a;
  for (const auto& s : *v)
    a.emplace_back(s);
  return a;
}

bj::array uints(const std::vector<std::uint32_t>& v) {
  bj::array a;
  for (auto x : v)
    a.emplace_back(x);
  return a;
}

bj::object outpoint_value(const covenant_outpoint& o) {
  bj::object v;
  v["txid"] = o.txid;
  v["vout"] = o.vout;
  if (!o.script_hash.empty())
    v["scriptHash"] = o.script_hash;
  return v;
}

bj::object migration_destination_value(const migration_destination_reservation& d) {
  bj::object v;
  if (!d.reservation_id.empty())
    v["reservationId"] = d.reservation_id;
  v["reserve"] = d.reserve;
  v["epoch"] = d.epoch;
  v["route"] = d.route;
  v["revealer"] = d.revealer;
  v["vault"] = d.vault;
  v["network"] = d.network;
  v["status"] = d.status;
  v["depositScript"] = d.deposit_script;
  v["depositScriptHash"] = d.deposit_script_hash;
  v["migrationExtraData"] = d.migration_extra_data;
  v["destinationCommitmentHash"] = d.destination_commitment_hash;
  return v;
}

bj::object redeem_destination_value(const redeem_destination_reservation& d) {
  bj::object v;
  if (!d.reservation_id.empty())
    v["reservationId"] = d.reservation_id;
  v["reserve"] = d.reserve;
  v["epoch"] = d.epoch;
  v["route"] = d.route;
  v["revealer"] = d.revealer;
  v["vault"] = d.vault;
  v["network"] = d.network;
  v["status"] = d.status;
  v["outputScript"] = d.output_script;
  v["outputScriptHash"] = d.output_script_hash;
  v["outputValueSats"] = d.output_value_sats;
  v["destinationCommitmentHash"] = d.destination_commitment_hash;
  return v;
}

bj::object renew_destination_value(const renew_destination_reservation& d) {
  bj::object v;
  if (!d.reservation_id.empty())
    v["reservationId"] = d.reservation_id;
  v["reserve"] = d.reserve;
  v["epoch"] = d.epoch;
  v["route"] = d.route;
  v["revealer"] = d.revealer;
  v["vault"] = d.vault;
  v["network"] = d.network;
  v["status"] = d.status;
  v["nextCovenantScript"] = d.next_covenant_script;
  v["nextCovenantScriptHash"] = d.next_covenant_script_hash;
  v["nextMaturityHeight"] = d.next_maturity_height;
  v["outputValueSats"] = d.output_value_sats;
  v["destinationCommitmentHash"] = d.destination_commitment_hash;
  return v;
}

bj::object quote_value(const plan_quote& q) {
  bj::object v;
  v["quoteId"] = q.quote_id;
  v["quoteVersion"] = q.quote_version;
  v["reservationId"] = q.reservation_id;
  v["reserve"] = q.reserve;
  v["epoch"] = q.epoch;
  v["route"] = q.route;
  v["revealer"] = q.revealer;
  v["vault"] = q.vault;
  v["network"] = q.network;
  v["destinationCommitmentHash"] = q.destination_commitment_hash;
  v["activeOutpointTxid"] = q.active_outpoint_txid;
  v["activeOutpointVout"] = q.active_outpoint_vout;
  v["planCommitmentHash"] = q.plan_commitment_hash;
  if (q.migration_transaction_plan)
    v["migrationTransactionPlan"] = to_canonical_value(*q.migration_transaction_plan);
  else
    v["migrationTransactionPlan"] = nullptr;
  v["idempotencyKey"] = q.idempotency_key;
  v["expiresInSeconds"] = q.expires_in_seconds;
  v["issuedAt"] = q.issued_at;
  v["expiresAt"] = q.expires_at;
  bj::object sig;
  sig["signatureVersion"] = q.signature.signature_version;
  sig["algorithm"] = q.signature.algorithm;
  sig["keyId"] = q.signature.key_id;
  sig["signature"] = q.signature.signature;
  v["signature"] = std::move(sig);
  return v;
}

bj::object envelope_value(const approval_envelope& e) {
  bj::object payload;
  payload["approvalVersion"] = e.payload.approval_version;
  payload["route"] = e.payload.route;
  payload["scriptTemplateId"] = e.payload.script_template_id;
  payload["destinationCommitmentHash"] = e.payload.destination_commitment_hash;
  payload["planCommitmentHash"] = e.payload.plan_commitment_hash;
  bj::object v;
  v["payload"] = std::move(payload);
  if (e.approvals) {
    bj::array approvals;
    for (const auto& a : *e.approvals) {
      bj::object o;
      o["role"] = a.role;
      o["signature"] = a.signature;
      approvals.push_back(std::move(o));
    }
    v["approvals"] = std::move(approvals);
  } else {
    v["approvals"] = nullptr;
  }
  return v;
}

} // namespace

boost::json::value to_canonical_value(const transaction_plan& p) {
  bj::object v;
  v["planVersion"] = p.plan_version;
  v["planCommitmentHash"] = p.plan_commitment_hash;
  v["inputValueSats"] = p.input_value_sats;
  v["destinationValueSats"] = p.destination_value_sats;
  v["anchorValueSats"] = p.anchor_value_sats;
  v["feeSats"] = p.fee_sats;
  v["inputSequence"] = p.input_sequence;
  v["lockTime"] = p.lock_time;
  return v;
}

boost::json::value to_canonical_value(const signer_approval_certificate& c) {
  bj::object v;
  v["certificateVersion"] = c.certificate_version;
  v["signatureAlgorithm"] = c.signature_algorithm;
  v["approvalDigest"] = c.approval_digest;
  v["walletPublicKey"] = c.wallet_public_key;
  v["signerSetHash"] = c.signer_set_hash;
  v["signature"] = c.signature;
  // omitempty: a nil and an empty slice are both omitted.
  if (c.active_members && !c.active_members->empty())
    v["activeMembers"] = uints(*c.active_members);
  if (c.inactive_members && !c.inactive_members->empty())
    v["inactiveMembers"] = uints(*c.inactive_members);
  if (c.end_block)
    v["endBlock"] = *c.end_block;
  else
    v["endBlock"] = nullptr;
  return v;
}

boost::json::value to_canonical_value(const route_submit_request& r) {
  bj::object v;
  v["facadeRequestId"] = r.facade_request_id;
  v["idempotencyKey"] = r.idempotency_key;
  v["requestType"] = r.request_type;
  v["route"] = r.route;
  if (!r.action.empty())
    v["action"] = r.action;
  v["strategy"] = r.strategy;
  v["reserve"] = r.reserve;
  v["epoch"] = r.epoch;
  v["maturityHeight"] = r.maturity_height;
  v["activeOutpoint"] = outpoint_value(r.active_outpoint);
  v["destinationCommitmentHash"] = r.destination_commitment_hash;
  if (r.migration_destination)
    v["migrationDestination"] = migration_destination_value(*r.migration_destination);
  if (r.redeem_destination)
    v["redeemDestination"] = redeem_destination_value(*r.redeem_destination);
  if (r.renew_destination)
    v["renewDestination"] = renew_destination_value(*r.renew_destination);
  if (r.migration_plan_quote)
    v["migrationPlanQuote"] = quote_value(*r.migration_plan_quote);
  if (r.migration_transaction_plan)
    v["migrationTransactionPlan"] = to_canonical_value(*r.migration_transaction_plan);
  if (r.artifact_approvals)
    v["artifactApprovals"] = envelope_value(*r.artifact_approvals);
  if (r.signer_approval)
    v["signerApproval"] = to_canonical_value(*r.signer_approval);
  v["artifactSignatures"] = strings_or_null(r.artifact_signatures);
  if (r.artifacts) {
    // std::map iterates keys in byte-wise order, as Go sorts map keys.
    bj::object artifacts;
    for (const auto& [path, record] : *r.artifacts) {
      bj::object o;
      o["psbtHash"] = record.psbt_hash;
      o["destinationCommitmentHash"] = record.destination_commitment_hash;
      if (!record.transaction_hex.empty())
        o["transactionHex"] = record.transaction_hex;
      if (!record.transaction_id.empty())
        o["transactionId"] = record.transaction_id;
      artifacts[path] = std::move(o);
    }
    v["artifacts"] = std::move(artifacts);
  } else {
    v["artifacts"] = nullptr;
  }
  if (r.script_template)
    v["scriptTemplate"] = sj::to_value(*r.script_template);
  else
    v["scriptTemplate"] = nullptr;
  bj::object signing;
  signing["signerRequired"] = r.signing.signer_required;
  signing["custodianRequired"] = r.signing.custodian_required;
  v["signing"] = std::move(signing);
  return v;
}

std::string canonical_request_json(const route_submit_request& request) {
  return canonical_json(to_canonical_value(request));
}

std::variant<submit_input, input_error> decode_submit_input(std::string_view body) {
  return decode_body<submit_input, decode_submit>(body);
}

std::variant<poll_input, input_error> decode_poll_input(std::string_view body) {
  return decode_body<poll_input, decode_poll>(body);
}

std::variant<route_submit_request, input_error> decode_route_submit_request(
    std::string_view json) {
  return decode_body<route_submit_request, decode_request>(json);
}

std::variant<self_v1_template, strict_json::decode_error> parse_self_v1_template(
    const std::optional<strict_json::node>& raw) {
  return strict_unmarshal<self_v1_template, decode_self_template>(raw);
}

std::variant<qc_v1_template, strict_json::decode_error> parse_qc_v1_template(
    const std::optional<strict_json::node>& raw) {
  return strict_unmarshal<qc_v1_template, decode_qc_template>(raw);
}

} // namespace covsigner::covenant
