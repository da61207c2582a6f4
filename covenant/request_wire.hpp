// The field tables of the request model (covenant/request.hpp): every wire
// struct's JSON names, in the reference's Go declaration order (§2.1), with
// Go's omitempty and the Go type names its decoder errors print. Both the
// strict decoders and the canonical encoders (and so the request digest)
// are driven by these tables alone (covenant/wire_struct.hpp).
// Included only by covenant/request.cpp.
#pragma once

#include "covenant/request.hpp"
#include "covenant/wire_struct.hpp"

#include <string_view>
#include <tuple>

namespace covsigner::covenant::wire_struct {

// Go named string types as reflect.Type.String() prints them in decoder
// errors.
inline constexpr std::string_view go_template_id = "covenantsigner.TemplateID";
inline constexpr std::string_view go_request_type = "covenantsigner.RequestType";
inline constexpr std::string_view go_action = "covenantsigner.CovenantAction";
inline constexpr std::string_view go_stage = "covenantsigner.RecoveryStage";
inline constexpr std::string_view go_reservation_route = "covenantsigner.ReservationRoute";
inline constexpr std::string_view go_reservation_status = "covenantsigner.ReservationStatus";
inline constexpr std::string_view go_role = "covenantsigner.ArtifactApprovalRole";
inline constexpr std::string_view go_artifacts =
    "map[covenantsigner.RecoveryPathID]covenantsigner.ArtifactRecord";

template <>
struct wire<covenant_outpoint> {
  using S = covenant_outpoint;
  static constexpr std::string_view go_struct = "CovenantOutpoint";
  static constexpr auto fields =
      std::make_tuple(field("txid", &S::txid), field("vout", &S::vout),
                      field("scriptHash", &S::script_hash).omitempty());
};

template <>
struct wire<artifact_record> {
  using S = artifact_record;
  static constexpr std::string_view go_struct = "ArtifactRecord";
  static constexpr auto fields =
      std::make_tuple(field("psbtHash", &S::psbt_hash),
                      field("destinationCommitmentHash", &S::destination_commitment_hash),
                      field("transactionHex", &S::transaction_hex).omitempty(),
                      field("transactionId", &S::transaction_id).omitempty());
};

// The fields every destination reservation starts with.
template <class S>
constexpr auto reservation_head() {
  return std::make_tuple(field("reservationId", &S::reservation_id).omitempty(),
                         field("reserve", &S::reserve), field("epoch", &S::epoch),
                         field("route", &S::route).go(go_reservation_route),
                         field("revealer", &S::revealer), field("vault", &S::vault),
                         field("network", &S::network),
                         field("status", &S::status).go(go_reservation_status));
}

template <>
struct wire<migration_destination_reservation> {
  using S = migration_destination_reservation;
  static constexpr std::string_view go_struct = "MigrationDestinationReservation";
  static constexpr auto fields = std::tuple_cat(
      reservation_head<S>(),
      std::make_tuple(field("depositScript", &S::deposit_script),
                      field("depositScriptHash", &S::deposit_script_hash),
                      field("migrationExtraData", &S::migration_extra_data),
                      field("destinationCommitmentHash", &S::destination_commitment_hash)));
};

template <>
struct wire<redeem_destination_reservation> {
  using S = redeem_destination_reservation;
  static constexpr std::string_view go_struct = "RedeemDestinationReservation";
  static constexpr auto fields = std::tuple_cat(
      reservation_head<S>(),
      std::make_tuple(field("outputScript", &S::output_script),
                      field("outputScriptHash", &S::output_script_hash),
                      field("outputValueSats", &S::output_value_sats),
                      field("destinationCommitmentHash", &S::destination_commitment_hash)));
};

template <>
struct wire<renew_destination_reservation> {
  using S = renew_destination_reservation;
  static constexpr std::string_view go_struct = "RenewDestinationReservation";
  static constexpr auto fields = std::tuple_cat(
      reservation_head<S>(),
      std::make_tuple(field("nextCovenantScript", &S::next_covenant_script),
                      field("nextCovenantScriptHash", &S::next_covenant_script_hash),
                      field("nextMaturityHeight", &S::next_maturity_height),
                      field("outputValueSats", &S::output_value_sats),
                      field("destinationCommitmentHash", &S::destination_commitment_hash)));
};

template <>
struct wire<transaction_plan> {
  using S = transaction_plan;
  static constexpr std::string_view go_struct = "MigrationTransactionPlan";
  static constexpr auto fields = std::make_tuple(
      field("planVersion", &S::plan_version), field("planCommitmentHash", &S::plan_commitment_hash),
      field("inputValueSats", &S::input_value_sats),
      field("destinationValueSats", &S::destination_value_sats),
      field("anchorValueSats", &S::anchor_value_sats), field("feeSats", &S::fee_sats),
      field("inputSequence", &S::input_sequence), field("lockTime", &S::lock_time));
};

template <>
struct wire<plan_quote_signature> {
  using S = plan_quote_signature;
  static constexpr std::string_view go_struct = "MigrationDestinationPlanQuoteSignature";
  static constexpr auto fields =
      std::make_tuple(field("signatureVersion", &S::signature_version),
                      field("algorithm", &S::algorithm), field("keyId", &S::key_id),
                      field("signature", &S::signature));
};

template <>
struct wire<plan_quote> {
  using S = plan_quote;
  static constexpr std::string_view go_struct = "MigrationDestinationPlanQuote";
  static constexpr auto fields = std::make_tuple(
      field("quoteId", &S::quote_id), field("quoteVersion", &S::quote_version),
      field("reservationId", &S::reservation_id), field("reserve", &S::reserve),
      field("epoch", &S::epoch), field("route", &S::route).go(go_reservation_route),
      field("revealer", &S::revealer), field("vault", &S::vault), field("network", &S::network),
      field("destinationCommitmentHash", &S::destination_commitment_hash),
      field("activeOutpointTxid", &S::active_outpoint_txid),
      field("activeOutpointVout", &S::active_outpoint_vout),
      field("planCommitmentHash", &S::plan_commitment_hash),
      field("migrationTransactionPlan", &S::migration_transaction_plan),
      field("idempotencyKey", &S::idempotency_key),
      field("expiresInSeconds", &S::expires_in_seconds), field("issuedAt", &S::issued_at),
      field("expiresAt", &S::expires_at), field("signature", &S::signature));
};

template <>
struct wire<approval_payload> {
  using S = approval_payload;
  static constexpr std::string_view go_struct = "ArtifactApprovalPayload";
  static constexpr auto fields = std::make_tuple(
      field("approvalVersion", &S::approval_version), field("route", &S::route).go(go_template_id),
      field("scriptTemplateId", &S::script_template_id).go(go_template_id),
      field("destinationCommitmentHash", &S::destination_commitment_hash),
      field("planCommitmentHash", &S::plan_commitment_hash));
};

template <>
struct wire<role_approval> {
  using S = role_approval;
  static constexpr std::string_view go_struct = "ArtifactRoleApproval";
  static constexpr auto fields =
      std::make_tuple(field("role", &S::role).go(go_role), field("signature", &S::signature));
};

template <>
struct wire<approval_envelope> {
  using S = approval_envelope;
  static constexpr std::string_view go_struct = "ArtifactApprovalEnvelope";
  static constexpr auto fields =
      std::make_tuple(field("payload", &S::payload), field("approvals", &S::approvals));
};

template <>
struct wire<signer_approval_certificate> {
  using S = signer_approval_certificate;
  static constexpr std::string_view go_struct = "SignerApprovalCertificate";
  static constexpr auto fields = std::make_tuple(
      field("certificateVersion", &S::certificate_version),
      field("signatureAlgorithm", &S::signature_algorithm),
      field("approvalDigest", &S::approval_digest), field("walletPublicKey", &S::wallet_public_key),
      field("signerSetHash", &S::signer_set_hash), field("signature", &S::signature),
      field("activeMembers", &S::active_members).omitempty(),
      field("inactiveMembers", &S::inactive_members).omitempty(),
      field("endBlock", &S::end_block));
};

template <>
struct wire<signing_requirements> {
  using S = signing_requirements;
  static constexpr std::string_view go_struct = "SigningRequirements";
  static constexpr auto fields = std::make_tuple(field("signerRequired", &S::signer_required),
                                                 field("custodianRequired", &S::custodian_required));
};

template <>
struct wire<route_submit_request> {
  using S = route_submit_request;
  static constexpr std::string_view go_struct = "RouteSubmitRequest";
  static constexpr auto fields = std::make_tuple(
      field("facadeRequestId", &S::facade_request_id), field("idempotencyKey", &S::idempotency_key),
      field("requestType", &S::request_type).go(go_request_type),
      field("route", &S::route).go(go_template_id),
      field("action", &S::action).go(go_action).omitempty(), field("strategy", &S::strategy),
      field("reserve", &S::reserve), field("epoch", &S::epoch),
      field("maturityHeight", &S::maturity_height), field("activeOutpoint", &S::active_outpoint),
      field("destinationCommitmentHash", &S::destination_commitment_hash),
      field("migrationDestination", &S::migration_destination).omitempty(),
      field("redeemDestination", &S::redeem_destination).omitempty(),
      field("renewDestination", &S::renew_destination).omitempty(),
      field("migrationPlanQuote", &S::migration_plan_quote).omitempty(),
      field("migrationTransactionPlan", &S::migration_transaction_plan).omitempty(),
      field("artifactApprovals", &S::artifact_approvals).omitempty(),
      field("signerApproval", &S::signer_approval).omitempty(),
      field("artifactSignatures", &S::artifact_signatures),
      field("artifacts", &S::artifacts).go(go_artifacts),
      field("scriptTemplate", &S::script_template), field("signing", &S::signing));
};

template <>
struct wire<submit_input> {
  using S = submit_input;
  static constexpr std::string_view go_struct = "SignerSubmitInput";
  static constexpr auto fields =
      std::make_tuple(field("routeRequestId", &S::route_request_id),
                      field("request", &S::request), field("stage", &S::stage).go(go_stage));
};

template <>
struct wire<poll_input> {
  using S = poll_input;
  static constexpr std::string_view go_struct = "SignerPollInput";
  static constexpr auto fields = std::make_tuple(
      field("routeRequestId", &S::route_request_id), field("requestId", &S::request_id),
      field("request", &S::request), field("stage", &S::stage).go(go_stage));
};

template <>
struct wire<self_v1_template> {
  using S = self_v1_template;
  static constexpr std::string_view go_struct = "SelfV1Template";
  static constexpr auto fields = std::make_tuple(
      field("template", &S::template_id).go(go_template_id),
      field("depositorPublicKey", &S::depositor_public_key),
      field("signerPublicKey", &S::signer_public_key), field("delta2", &S::delta2));
};

template <>
struct wire<qc_v1_template> {
  using S = qc_v1_template;
  static constexpr std::string_view go_struct = "QcV1Template";
  static constexpr auto fields = std::make_tuple(
      field("template", &S::template_id).go(go_template_id),
      field("depositorPublicKey", &S::depositor_public_key),
      field("custodianPublicKey", &S::custodian_public_key),
      field("signerPublicKey", &S::signer_public_key), field("beta", &S::beta),
      field("delta2", &S::delta2));
};

} // namespace covsigner::covenant::wire_struct
