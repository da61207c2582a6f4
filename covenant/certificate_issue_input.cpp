#include "covenant/certificate_issue_input.hpp"

#include "covenant/approvals.hpp"
#include "covenant/hex_rules.hpp"
#include "covenant/strict_json.hpp"
#include "covenant/validation.hpp"

#include <algorithm>
#include <vector>

namespace covsigner::covenant {

namespace sj = strict_json;

namespace {

constexpr std::string_view artifact_approvals_key = "artifactApprovals";

void plain_string(sj::context& c, const sj::node& n, std::string& out) {
  sj::decode_string(c, n, out);
}

void template_id(sj::context& c, const sj::node& n, std::string& out) {
  sj::decode_string(c, n, out, "covenantsigner.TemplateID");
}

// Keeps every `artifactApprovals` value in document order. A `null` leaves
// a Go value field unchanged, so it is dropped here.
void collect_envelopes(sj::context&, const sj::node& n, std::vector<sj::node>& out) {
  if (n.type != sj::node::kind::null)
    out.push_back(n);
}

// The envelope values, decoded by the RouteSubmitRequest decoder (the one
// submit bodies use) from an object holding only those members, in their
// order: Go decodes a repeated key into the value already there, and so
// does that decoder.
std::variant<approval_envelope, input_error> decode_envelopes(const std::vector<sj::node>& values) {
  if (values.empty())
    return approval_envelope{};
  sj::node holder;
  holder.type = sj::node::kind::object;
  for (const auto& v : values)
    holder.members.emplace_back(std::string(artifact_approvals_key), v);
  auto decoded = decode_route_submit_request(sj::serialize(holder));
  if (auto* err = std::get_if<input_error>(&decoded))
    return *err;
  auto& request = std::get<route_submit_request>(decoded);
  return request.artifact_approvals.value_or(approval_envelope{});
}

input_error malformed(std::string detail) {
  return input_error{std::string(malformed_request_body), std::move(detail)};
}

} // namespace

std::variant<certificate_issue_input, input_error> decode_certificate_issue_input(
    std::string_view body) {
  auto parsed = sj::parse(body, sj::trailing_policy::whitespace_only);
  if (auto* err = std::get_if<sj::decode_error>(&parsed))
    return malformed(err->message);
  certificate_issue_input out;
  std::vector<sj::node> envelopes;
  sj::context ctx;
  sj::decode_object(
      ctx, std::get<sj::node>(parsed), "IssueSignerApprovalCertificateInput",
      "covenantsigner.IssueSignerApprovalCertificateInput",
      {sj::make_field<std::string, plain_string>("walletPublicKeyHash", out.wallet_public_key_hash),
       sj::make_field<std::string, template_id>("route", out.route),
       sj::make_field<std::string, plain_string>("reserve", out.reserve),
       sj::make_field<std::string, plain_string>("network", out.network),
       sj::make_field<std::vector<sj::node>, collect_envelopes>(artifact_approvals_key, envelopes),
       sj::make_field<std::uint64_t, sj::decode_uint64>("endBlock", out.end_block)});
  if (ctx.failed())
    return malformed(*ctx.error());
  auto envelope = decode_envelopes(envelopes);
  if (auto* err = std::get_if<input_error>(&envelope))
    return malformed(err->detail);
  out.artifact_approvals = std::move(std::get<approval_envelope>(envelope));
  return out;
}

std::optional<input_error> check_certificate_issue_input(const certificate_issue_input& input) {
  constexpr std::string_view pkh = "walletPublicKeyHash";
  if (auto e = check_hex(pkh, input.wallet_public_key_hash))
    return e;
  if (input.wallet_public_key_hash.size() != 2 + 2 * 20)
    return input_error{std::string(pkh) + " must be a 20-byte 0x-prefixed hex string"};
  if (input.end_block == 0)
    return input_error{"endBlock is required"};
  return std::nullopt;
}

namespace {

// keep-core validateIssuanceApprovalRoles.
std::optional<input_error> check_issuance_roles(const std::vector<role_approval>& approvals,
                                                const std::vector<std::string_view>& required) {
  if (approvals.size() != required.size())
    return input_error{
        "artifactApprovals.approvals must include exactly the roles required for route"};
  std::vector<std::string_view> seen;
  for (std::size_t i = 0; i < approvals.size(); ++i) {
    const auto& a = approvals[i];
    const std::string index = "artifactApprovals.approvals[" + std::to_string(i) + "]";
    if (std::find(required.begin(), required.end(), a.role) == required.end())
      return input_error{index + ".role is not allowed for route"};
    if (std::find(seen.begin(), seen.end(), a.role) != seen.end())
      return input_error{index + ".role duplicates role " + a.role};
    if (auto e = check_hex(index + ".signature", a.signature))
      return e;
    seen.push_back(a.role);
  }
  return std::nullopt;
}

} // namespace

std::variant<crypto::hash32, input_error> derive_issuance_approval_digest(
    const certificate_issue_input& input, const trust_roots& roots, const eip712_domain& domain) {
  auto required = required_approval_roles(input.route);
  if (required.empty())
    return input_error{"unsupported request.route"};
  const auto& envelope = input.artifact_approvals;
  const auto& payload = envelope.payload;
  if (payload.approval_version != 2)
    return input_error{"artifactApprovals.payload.approvalVersion must equal 2"};
  if (payload.route != input.route)
    return input_error{"artifactApprovals.payload.route must match route"};
  if (payload.script_template_id != input.route)
    return input_error{"artifactApprovals.payload.scriptTemplateId must match route"};
  if (auto e = check_bytes32("artifactApprovals.payload.destinationCommitmentHash",
                             payload.destination_commitment_hash))
    return *e;
  if (auto e = check_bytes32("artifactApprovals.payload.planCommitmentHash",
                             payload.plan_commitment_hash))
    return *e;
  static const std::vector<role_approval> none;
  if (auto e = check_issuance_roles(envelope.approvals ? *envelope.approvals : none, required))
    return *e;

  // The reference's trust-root scope of a request, with a redeem
  // reservation carrying only the network: issuance has no destination of
  // its own, just (route, reserve, network).
  route_submit_request carrier;
  carrier.route = input.route;
  carrier.reserve = input.reserve;
  carrier.redeem_destination.emplace();
  carrier.redeem_destination->network = input.network;
  auto scope = request_trust_root_scope(carrier);

  const auto* depositor = find_trust_root(roots.depositor, scope);
  if (depositor == nullptr)
    return input_error{"no depositorTrustRoots entry is configured for the requested "
                       "route/reserve/network; certificate issuance requires a pinned "
                       "depositor identity"};
  std::vector<approval_key> keys;
  // A pinned ETH identity replaces the D key (ecrecover against it).
  if (depositor->eth_address.empty())
    keys.push_back({std::string(role_depositor), decode_checked_hex(depositor->public_key)});
  if (std::find(required.begin(), required.end(), role_custodian) != required.end()) {
    const auto* custodian = find_trust_root(roots.custodian, scope);
    if (custodian == nullptr)
      return input_error{"no custodianTrustRoots entry is configured for the requested "
                         "route/reserve/network; certificate issuance requires a pinned "
                         "custodian identity"};
    keys.push_back({std::string(role_custodian), decode_checked_hex(custodian->public_key)});
  }
  if (auto e = verify_approval_signatures(envelope, keys, domain, depositor->eth_address))
    return *e;
  return artifact_approval_digest(payload, domain, 2);
}

} // namespace covsigner::covenant
