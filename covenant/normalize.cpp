#include "covenant/normalize.hpp"

#include "covenant/approvals.hpp"
#include "covenant/destination_rules.hpp"
#include "covenant/hex_rules.hpp"
#include "covenant/plan_quote.hpp"
#include "covenant/plan_rules.hpp"

namespace covsigner::covenant {

namespace {

using strict_json::node;

node string_node(std::string s) {
  node n;
  n.type = node::kind::string;
  n.text = std::move(s);
  return n;
}

node number_node(std::uint64_t v) {
  node n;
  n.type = node::kind::number;
  n.text = std::to_string(v);
  return n;
}

std::optional<input_error> check_request_type(std::string_view route, std::string_view type) {
  if (type == request_type_reconstruct)
    return std::nullopt;
  if (type == request_type_presign_self_v1) {
    if (route != route_self_v1)
      return input_error{"request.requestType must be reconstruct for qc_v1"};
    return std::nullopt;
  }
  return input_error{"request.requestType must be reconstruct or presign_self_v1"};
}

} // namespace

std::variant<strict_json::node, input_error> normalize_script_template(
    std::string_view route, const std::optional<strict_json::node>& raw) {
  node out;
  out.type = node::kind::object;
  auto invalid = [&](const std::string& message) {
    return input_error{"request.scriptTemplate is invalid for " + std::string(route) + ": " +
                       message};
  };
  if (route == route_self_v1) {
    auto parsed = parse_self_v1_template(raw);
    if (auto* e = std::get_if<strict_json::decode_error>(&parsed))
      return invalid(e->message);
    const auto& t = std::get<self_v1_template>(parsed);
    out.members.emplace_back("template", string_node(t.template_id));
    out.members.emplace_back("depositorPublicKey", string_node(lower_hex(t.depositor_public_key)));
    out.members.emplace_back("signerPublicKey", string_node(lower_hex(t.signer_public_key)));
    out.members.emplace_back("delta2", number_node(t.delta2));
    return out;
  }
  if (route == route_qc_v1) {
    auto parsed = parse_qc_v1_template(raw);
    if (auto* e = std::get_if<strict_json::decode_error>(&parsed))
      return invalid(e->message);
    const auto& t = std::get<qc_v1_template>(parsed);
    out.members.emplace_back("template", string_node(t.template_id));
    out.members.emplace_back("depositorPublicKey", string_node(lower_hex(t.depositor_public_key)));
    out.members.emplace_back("custodianPublicKey", string_node(lower_hex(t.custodian_public_key)));
    out.members.emplace_back("signerPublicKey", string_node(lower_hex(t.signer_public_key)));
    out.members.emplace_back("beta", number_node(t.beta));
    out.members.emplace_back("delta2", number_node(t.delta2));
    return out;
  }
  return input_error{"unsupported request.route"};
}

std::variant<route_submit_request, input_error> normalize_request(
    const route_submit_request& r, const normalize_options& options) {
  auto approvals =
      normalize_artifact_approvals(r, options.domain, options.approval_contract_version);
  if (auto* e = std::get_if<input_error>(&approvals))
    return *e;
  auto& a = std::get<normalized_approvals>(approvals);

  auto script_template = normalize_script_template(r.route, r.script_template);
  if (auto* e = std::get_if<input_error>(&script_template))
    return *e;

  std::optional<plan_quote> quote;
  if (r.resolved_action() == action_migration && r.migration_plan_quote) {
    auto normalized = normalize_plan_quote(r, *r.migration_plan_quote);
    if (auto* e = std::get_if<input_error>(&normalized))
      return *e;
    quote = std::get<plan_quote>(std::move(normalized));
  }
  if (auto e = check_request_type(r.route, r.request_type))
    return *e;

  route_submit_request out;
  out.facade_request_id = r.facade_request_id;
  out.idempotency_key = r.idempotency_key;
  out.request_type = r.request_type;
  out.route = r.route;
  out.action = r.action;
  out.strategy = lower_hex(r.strategy);
  out.reserve = lower_hex(r.reserve);
  out.epoch = r.epoch;
  out.maturity_height = r.maturity_height;
  out.active_outpoint.txid = lower_hex(r.active_outpoint.txid);
  out.active_outpoint.vout = r.active_outpoint.vout;
  out.active_outpoint.script_hash = lower_hex(r.active_outpoint.script_hash);
  out.destination_commitment_hash = lower_hex(r.destination_commitment_hash);
  if (r.migration_destination)
    out.migration_destination = normalize_destination(*r.migration_destination);
  if (r.redeem_destination)
    out.redeem_destination = normalize_destination(*r.redeem_destination);
  if (r.renew_destination)
    out.renew_destination = normalize_destination(*r.renew_destination);
  out.migration_plan_quote = std::move(quote);
  if (r.migration_transaction_plan)
    out.migration_transaction_plan = normalize_transaction_plan(*r.migration_transaction_plan);
  out.artifact_approvals = std::move(a.envelope);
  out.signer_approval = std::move(a.certificate);
  out.artifact_signatures = std::move(a.artifact_signatures);
  if (r.artifacts) {
    out.artifacts.emplace();
    for (const auto& [path, record] : *r.artifacts) {
      artifact_record n;
      n.psbt_hash = lower_hex(record.psbt_hash);
      n.destination_commitment_hash = lower_hex(record.destination_commitment_hash);
      n.transaction_hex = lower_hex(record.transaction_hex);
      n.transaction_id = lower_hex(record.transaction_id);
      (*out.artifacts)[path] = std::move(n);
    }
  }
  out.script_template = std::get<strict_json::node>(std::move(script_template));
  out.signing = r.signing;
  return out;
}

std::variant<std::string, input_error> normalized_request_digest(
    const route_submit_request& request, const normalize_options& options) {
  auto normalized = normalize_request(request, options);
  if (auto* e = std::get_if<input_error>(&normalized))
    return *e;
  return request_digest(std::get<route_submit_request>(normalized));
}

} // namespace covsigner::covenant
