// The admin certificate-issuer route, POST /v1/admin/signer-approval-certificates
// (reference §1.2, §1.7 "Admin issuer body", §6.4; keep-core G6): the work
// an HTTP worker does before and after it asks the node's certificate
// issuer (actors/certificate_issuer.hpp). Auth (admin token only) and the
// submit budget are applied by the server before these run.
//
// Order, as a request meets it:
//   1. decode_issue_body      strict decode (400 `malformed request body`)
//   2. the server: no issuer  501 `covenant signer engine does not support
//                             signer approval certificate issuance` (a node
//                             without a signer backend, like a Go engine
//                             without SignerApprovalCertificateIssuer)
//   3. prepare_issue          PKH / endBlock checks, then the approvals are
//                             authenticated against the node's own trust
//                             roots and the approval digest is derived
//                             here; the caller never supplies it
//   4. the issuer's reply     issue_answer: 200 + certificate JSON, or the
//                             error status
// No actor system is touched here: these run on the HTTP worker.
#pragma once

#include "covenant/certificate_issue_input.hpp"
#include "messages/signing.hpp"
#include "transport/request_pipeline.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace covsigner::transport {

/// The reference's 501 text (keep-core ErrSignerApprovalCertificateIssuerUnsupported).
inline constexpr std::string_view issuer_unsupported_message =
  "covenant signer engine does not support signer approval certificate issuance";

/// Step 1: the body -> the input, or 400 `malformed request body` (decoder
/// text in log_detail).
std::variant<covenant::certificate_issue_input, http_error>
decode_issue_body(std::string_view body);

/// Step 3: the issuer's command (PKH lowercased, the derived digest as
/// 0x + 64 lowercase hex, endBlock), or a 400 with the reference's text
/// (see covenant::check_certificate_issue_input and
/// covenant::derive_issuance_approval_digest). `policy.validation` supplies
/// the node's trust roots and EIP-712 domain.
std::variant<messages::certificate_issue, http_error>
prepare_issue(const covenant::certificate_issue_input& input, const request_policy& policy);

/// Step 4: the issuer's reply -> the response body (ok: the certificate
/// JSON plus the newline Go's json.Encoder writes; sent as 200
/// application/json), or the error: bad_request 400 and unavailable 503
/// with the issuer's message, internal 500 `internal server error` (the
/// issuer's message in log_detail, never sent).
std::variant<std::string, http_error> issue_answer(messages::certificate_issue_reply reply);

} // namespace covsigner::transport
