// The engine's signer approval verification (reference §6.3,
// VerifySignerApproval): a submit's signer approval certificate must be a
// threshold signature of a Live on-chain tBTC wallet whose key is the
// template's signer key, over the request's artifact approval digest and
// the certificate's endBlock, bound to that wallet's signer set.
//
// Pure and split in two around the one chain read (GetWallet): the caller
// resolves the subject first (no chain needed), reads the wallet by the
// subject's public key hash, then verifies against what the chain said.
// Expiry (endBlock against the host chain height) is validation's
// (covenant/validation.hpp), not repeated here.
#pragma once

#include "covenant/approval_digest.hpp"
#include "covenant/request.hpp"
#include "covenant/wallet.hpp"
#include "crypto/bytes.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace covsigner::covenant {

/// How a failed verification is answered.
enum class signer_approval_error_kind {
  input,                // HTTP 400: the request is wrong (reference texts)
  registry_unavailable, // HTTP 503: the Wallet Registry's data is missing; retry later
  bridge_unavailable,   // HTTP 503: the Bridge could not be read; retry later
  internal,             // HTTP 500: inconsistent chain data (fail closed)
};

struct signer_approval_error {
  signer_approval_error_kind kind = signer_approval_error_kind::input;
  std::string message; // the response text (for internal: logged only)
};

/// tBTC's group parameter HonestThreshold (51 of a 100-member group), part
/// of the signer-set hash preimage.
inline constexpr std::uint64_t tbtc_honest_threshold = 51;

/// What the pre-chain steps established: whose wallet to read.
struct signer_approval_subject {
  /// The template's signerPublicKey, 65-byte uncompressed (0x04 || X || Y).
  crypto::bytes wallet_public_key;
  /// HASH160 of the 33-byte compressed signer key: the Bridge wallet key.
  crypto::hash20 wallet_public_key_hash{};
};

/// Steps 1-3: certificate and artifact approvals present; approvalDigest
/// equal (case-insensitively) to the artifact approval digest under
/// `domain`; the template's signer key, uncompressed, equal to the
/// certificate's walletPublicKey. Precondition: `normalized` passed
/// validation (a failure of a rule validation already enforces is still
/// answered as an input error, never assumed away). Errors: input only.
std::variant<signer_approval_subject, signer_approval_error>
resolve_signer_approval_subject(const route_submit_request& normalized,
                                const eip712_domain& domain);

/// Steps 5-8 on GetWallet's answer for `subject.wallet_public_key_hash`:
/// registry data present (else registry_unavailable, "wallet registry data
/// unavailable for wallet 0x<ecdsaWalletID>: <cause>"), wallet Live (input),
/// then the certificate: version 2, algorithm, endBlock present, signer-set
/// hash equal to the one derived from the wallet, DER low-S signature by the
/// wallet key over certificate_signing_digest_v2 (input, "request.
/// signerApproval is invalid: <reason>"). A zero ECDSA wallet id is
/// internal. nullopt: verified.
std::optional<signer_approval_error>
verify_signer_approval(const route_submit_request& normalized,
                       const signer_approval_subject& subject, const wallet_chain_data& wallet,
                       std::uint64_t honest_threshold = tbtc_honest_threshold);

/// Step 4 answers when GetWallet fails. The Bridge has no such wallet: 400
/// "request.signerApproval.walletPublicKey must resolve to a registered
/// on-chain wallet".
signer_approval_error wallet_not_registered();

/// The Bridge read failed (RPC error, timeout, open breaker, reader down):
/// 503 "cannot resolve on-chain wallet for signer approval verification:
/// Bridge unavailable: <cause>".
signer_approval_error bridge_unavailable(std::string_view cause);

/// The wire name of a wallet state as the reference prints it (Live,
/// MovingFunds, ...).
std::string_view wallet_state_name(wallet_state state);

/// Certificate expiry cannot be checked because the host chain height is
/// stale or unknown (HTTP 503, the node's chain_head fails closed):
/// "cannot validate signer approval certificate expiry: chain_head has no
/// fresh host chain height: <cause>".
std::string stale_chain_height_message(std::string_view cause);

} // namespace covsigner::covenant
