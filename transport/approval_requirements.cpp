#include "transport/approval_requirements.hpp"

#include <algorithm>

namespace covsigner::transport {

namespace {

constexpr const char* required_when =
  " when covenantSigner.requireApprovalTrustRoots=true or for a non-loopback listen address";

bool has_route(const std::vector<covenant::approval_trust_root>& roots, std::string_view route) {
  return std::any_of(roots.begin(), roots.end(),
                     [&](const covenant::approval_trust_root& r) { return r.route == route; });
}

} // namespace

std::optional<std::string> check_approval_setup(const approval_setup& s) {
  const auto& roots = s.roots;
  if (s.require_trust_roots || !s.loopback) {
    if (s.enable_self_v1 && !has_route(roots.depositor, covenant::route_self_v1))
      return std::string("covenant signer self_v1 routes require depositorTrustRoots") +
             required_when;
    if (!has_route(roots.depositor, covenant::route_qc_v1))
      return std::string("covenant signer qc_v1 routes require depositorTrustRoots") +
             required_when;
    if (!has_route(roots.custodian, covenant::route_qc_v1))
      return std::string("covenant signer qc_v1 routes require custodianTrustRoots") +
             required_when;
    if (!s.verifier)
      return std::string("covenant signer requires a signerApprovalVerifier") + required_when;
  }
  if (s.eip712_chain_id == 0)
    for (const auto& r : roots.depositor)
      if (!r.eth_address.empty())
        return std::string("covenant signer depositorTrustRoots pin an ethAddress but "
                           "covenantSigner.eip712ChainId is unset; set it to the covenant's "
                           "Ethereum chainId so wallet-signed approvals can verify");
  if (!s.verifier && (!roots.depositor.empty() || !roots.custodian.empty() || !roots.quote.empty()))
    return std::string("trust roots are configured but the engine does not implement "
                       "SignerApprovalVerifier; signer approval certificates cannot be verified "
                       "-- remove trust root configuration or use an engine that supports "
                       "approval verification");
  return std::nullopt;
}

std::vector<std::string> approval_setup_warnings(const approval_setup& s) {
  std::vector<std::string> out;
  if (!s.verifier)
    out.emplace_back("covenant signer started without a signer approval verifier; structured "
                     "signerApproval certificates will not be verified and requests without "
                     "signerApproval will be accepted; set "
                     "covenantSigner.requireApprovalTrustRoots=true to enforce approval "
                     "verification");
  if (s.enable_self_v1 && !has_route(s.roots.depositor, covenant::route_self_v1))
    out.emplace_back("covenant signer self_v1 routes are enabled without depositorTrustRoots; "
                     "self_v1 depositor approvals still rely on request-supplied scriptTemplate "
                     "keys");
  if (!has_route(s.roots.depositor, covenant::route_qc_v1))
    out.emplace_back("covenant signer started without qc_v1 depositorTrustRoots; qc_v1 depositor "
                     "approvals still rely on request-supplied scriptTemplate keys");
  if (!has_route(s.roots.custodian, covenant::route_qc_v1))
    out.emplace_back("covenant signer started without custodianTrustRoots; qc_v1 custodian "
                     "approvals still rely on request-supplied scriptTemplate keys");
  return out;
}

} // namespace covsigner::transport
