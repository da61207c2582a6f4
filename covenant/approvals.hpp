// Artifact approvals: the structural normalisation of the D/C approval
// envelope, the signer certificate and the legacy `artifactSignatures`
// mirror (reference §5.3). Signature verification is in
// covenant/approval_signatures.hpp.
#pragma once

#include "covenant/approval_digest.hpp"
#include "covenant/request.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace covsigner::covenant {

struct normalized_approvals {
  std::optional<approval_envelope> envelope;              // payload canonical, approvals D then C
  std::optional<signer_approval_certificate> certificate; // see certificate.hpp
  std::vector<std::string> artifact_signatures;           // derived legacy list
};

/// The roles a route requires, in canonical order (qc_v1: D, C; self_v1: D).
/// Empty for an unknown route.
std::vector<std::string_view> required_approval_roles(std::string_view route);

/// Go normalizeArtifactApprovals: certificate first, then the legacy list
/// (non-empty, each hex), then the envelope (plan required, payload version
/// == `contract_version`, route/template id, hashes bound to the request,
/// roles allowed/unique/complete, signatures hex) and finally the legacy
/// list must equal the derived one. When the envelope is absent the
/// lowercased legacy list is returned as is.
std::variant<normalized_approvals, input_error> normalize_artifact_approvals(
    const route_submit_request& request, const eip712_domain& domain,
    std::uint32_t contract_version);

} // namespace covsigner::covenant
