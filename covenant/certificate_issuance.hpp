// Signer approval certificate issuance for the admin route (reference §6.4;
// keep-core IssueSignerApprovalCertificate), as pure steps. The caller (the
// node, for the admin route) authenticates the artifact approvals against
// its own trust roots and derives the approval digest itself; it never
// passes a caller-asserted digest here. Then:
//
//   check_issuance_request    digest length; wallet controlled by this node
//   plan_certificate_issuance on GetWallet and the host-chain height: wallet
//                             registered, registry data present, Live,
//                             endBlock in the future; the v2 signing digest
//                             and the signer-set hash
//   finish_certificate        the signer's signature checked (strict DER,
//                             low S, valid under the wallet key) and the
//                             certificate built
//
// Errors reuse signer_approval_error's kinds (400 input, 503 registry or
// Bridge unavailable, 500 internal).
#pragma once

#include "covenant/request.hpp"
#include "covenant/signer_approval.hpp"
#include "covenant/wallet.hpp"
#include "crypto/bytes.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>

namespace covsigner::covenant {

struct issuance_request {
  crypto::hash20 wallet_public_key_hash{};
  crypto::bytes approval_digest; // derived by the node from authenticated approvals
  std::uint64_t end_block = 0;   // inclusive expiry height (host chain)
};

/// Before any chain read. Errors (input):
///   "approvalDigest must be exactly 32 bytes"
///   "walletPublicKeyHash does not resolve to a wallet controlled by this node"
///     (no signer, or HASH160 of the signer's compressed key differs)
std::optional<signer_approval_error>
check_issuance_request(const issuance_request& request,
                       std::optional<std::span<const std::uint8_t>> signer_public_key);

/// GetWallet's answer for the request's wallet, as plain values.
struct wallet_lookup {
  enum class outcome { found, not_found, unavailable };
  outcome result = outcome::unavailable;
  wallet_chain_data wallet;
  std::string cause;
};

/// What the signer signs and what the certificate will say.
struct issuance_plan {
  crypto::hash32 approval_digest{};
  crypto::hash32 signing_digest{}; // certificate_signing_digest_v2
  std::uint64_t end_block = 0;
  crypto::bytes wallet_public_key; // uncompressed, 65 bytes
  std::string signer_set_hash;
};

/// After GetWallet and the host-chain height (nullopt: unknown, with
/// `height_cause`). Precondition: check_issuance_request passed. Errors:
///   not registered   -> input "walletPublicKeyHash must resolve to a registered on-chain wallet"
///   Bridge down      -> bridge_unavailable "cannot resolve on-chain wallet for signer approval
///                       certificate: <cause>"
///   registry missing -> registry_unavailable "wallet registry data unavailable for wallet
///                       0x<ecdsaWalletID>: <cause>"
///   not Live         -> input "walletPublicKeyHash resolves to a wallet in state [<State>] that
///                       is not eligible for covenant signing"
///   zero wallet id   -> internal
///   no height        -> internal "cannot get current host-chain block for signer approval
///                       certificate: <cause>"
///   endBlock <= height -> input "endBlock [E] must be greater than the current host-chain block [H]"
std::variant<issuance_plan, signer_approval_error>
plan_certificate_issuance(const issuance_request& request,
                          std::span<const std::uint8_t> signer_public_key,
                          const wallet_lookup& wallet, std::optional<std::uint64_t> height,
                          std::string_view height_cause,
                          std::uint64_t honest_threshold = tbtc_honest_threshold);

/// The certificate from the signer's DER signature (0x-hex, no sighash
/// byte) over plan.signing_digest, completed at host-chain height
/// `completion_height`. Errors (internal): a signature that is not strict
/// DER / is high-S / does not verify under the wallet key; "signing
/// completed at block C, after the requested certificate expiration block
/// E" when C > E (a certificate must not be born expired).
std::variant<signer_approval_certificate, signer_approval_error>
finish_certificate(const issuance_plan& plan, std::string_view der_signature_hex,
                   std::uint64_t completion_height);

} // namespace covsigner::covenant
