#include "covenant/approvals.hpp"

#include "covenant/certificate.hpp"
#include "covenant/hex_rules.hpp"

#include <map>

namespace covsigner::covenant {

std::vector<std::string_view> required_approval_roles(std::string_view route) {
  if (route == route_qc_v1)
    return {role_depositor, role_custodian};
  if (route == route_self_v1)
    return {role_depositor};
  return {};
}

std::variant<normalized_approvals, input_error> normalize_artifact_approvals(
    const route_submit_request& request, const eip712_domain& domain,
    std::uint32_t contract_version) {
  normalized_approvals out;
  auto certificate = normalize_signer_approval(request, domain, contract_version);
  if (auto* e = std::get_if<input_error>(&certificate))
    return *e;
  out.certificate = std::get<0>(std::move(certificate));

  if (!request.artifact_signatures || request.artifact_signatures->empty())
    return input_error{"request.artifactSignatures must not be empty"};
  std::vector<std::string> legacy;
  for (std::size_t i = 0; i < request.artifact_signatures->size(); ++i) {
    const auto& s = (*request.artifact_signatures)[i];
    if (auto e = check_hex("request.artifactSignatures[" + std::to_string(i) + "]", s))
      return *e;
    legacy.push_back(lower_hex(s));
  }

  if (!request.artifact_approvals) {
    out.artifact_signatures = std::move(legacy);
    return out;
  }
  if (!request.migration_transaction_plan)
    return input_error{"request.migrationTransactionPlan is required when "
                       "request.artifactApprovals is present"};
  const auto& envelope = *request.artifact_approvals;
  const auto& payload = envelope.payload;
  const std::string& route = request.route;
  if (payload.approval_version != contract_version)
    return input_error{"request.artifactApprovals.payload.approvalVersion must equal " +
                       std::to_string(contract_version)};
  if (payload.route != route)
    return input_error{"request.artifactApprovals.payload.route must match request.route"};
  if (payload.script_template_id != route)
    return input_error{
        "request.artifactApprovals.payload.scriptTemplateId must match request.route"};
  if (auto e = check_bytes32("request.artifactApprovals.payload.destinationCommitmentHash",
                             payload.destination_commitment_hash))
    return *e;
  if (auto e = check_bytes32("request.artifactApprovals.payload.planCommitmentHash",
                             payload.plan_commitment_hash))
    return *e;
  std::string dest = lower_hex(payload.destination_commitment_hash);
  if (dest != lower_hex(request.destination_commitment_hash))
    return input_error{"request.artifactApprovals.payload.destinationCommitmentHash must match "
                       "request.destinationCommitmentHash"};
  std::string plan = lower_hex(payload.plan_commitment_hash);
  if (plan != lower_hex(request.migration_transaction_plan->plan_commitment_hash))
    return input_error{"request.artifactApprovals.payload.planCommitmentHash must match "
                       "request.migrationTransactionPlan.planCommitmentHash"};
  if (!envelope.approvals || envelope.approvals->empty())
    return input_error{"request.artifactApprovals.approvals must not be empty"};

  auto roles = required_approval_roles(route);
  if (roles.empty())
    return input_error{"unsupported request.route"};
  std::map<std::string, std::string, std::less<>> by_role;
  for (std::size_t i = 0; i < envelope.approvals->size(); ++i) {
    const auto& a = (*envelope.approvals)[i];
    std::string index = "request.artifactApprovals.approvals[" + std::to_string(i) + "]";
    bool allowed = false;
    for (auto r : roles)
      allowed = allowed || a.role == r;
    if (!allowed)
      return input_error{index + ".role is not allowed for " + route};
    if (by_role.count(a.role))
      return input_error{index + ".role duplicates role " + a.role};
    if (auto e = check_hex(index + ".signature", a.signature))
      return *e;
    by_role[a.role] = lower_hex(a.signature);
  }

  approval_envelope normalized;
  normalized.payload = approval_payload{contract_version, route, route, dest, plan};
  normalized.approvals.emplace();
  std::vector<std::string> derived;
  for (auto role : roles) {
    auto it = by_role.find(role);
    if (it == by_role.end())
      return input_error{"request.artifactApprovals.approvals must include role " +
                         std::string(role) + " for " + route};
    derived.push_back(it->second);
    normalized.approvals->push_back(role_approval{std::string(role), it->second});
  }
  if (out.certificate)
    derived.push_back(out.certificate->signature);

  if (legacy != derived)
    return input_error{out.certificate
                           ? "request.artifactSignatures must match canonical approval role "
                             "order derived from request.artifactApprovals and "
                             "request.signerApproval"
                           : "request.artifactSignatures must match canonical approval role "
                             "order derived from request.artifactApprovals"};
  out.envelope = std::move(normalized);
  out.artifact_signatures = std::move(derived);
  return out;
}

} // namespace covsigner::covenant
