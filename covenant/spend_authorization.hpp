// The CovenantSpendAuthorization tuple (tBTC Bridge audit remediation TOB-1,
// tbtc-v2 solidity/contracts/bridge/CovenantSpendAuthorization.sol): the
// signer releases a covenant signature only for a spend the chain's registry
// authorized, `isAuthorized(utxoKey, walletPKH, value, outputsHash)`. Pure
// functions over the spend the engine built; no chain access here.
#pragma once

#include "covenant/job.hpp"
#include "covenant/signing_engine.hpp"
#include "crypto/bytes.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace covsigner::covenant {

/// What the registry is asked about, and how an operator posts it
/// (`authorizeCovenantSpend(fundingTxHash, fundingOutputIndex, walletPKH,
/// value, outputsHash)`).
struct spend_authorization {
  crypto::hash32 funding_tx_hash{};    // the active outpoint's txid, internal byte order
  std::uint32_t funding_output_index = 0;
  crypto::hash32 utxo_key{};           // covenant_utxo_key(funding_tx_hash, index), big-endian
  crypto::hash20 wallet_pkh{};         // HASH160 of the signer's compressed key
  std::uint64_t value = 0;             // satoshis of the covenant output spent
  crypto::hash32 outputs_hash{};       // BIP-143 hashOutputs of the spend

  friend bool operator==(const spend_authorization&, const spend_authorization&) = default;
};

/// keccak256(abi.encodePacked(bytes32 fundingTxHash, uint32 index)): the 32
/// txid bytes as given (Bitcoin's internal, little-endian order), then the
/// index as 4 big-endian bytes. The registry reads it as a uint256, so the
/// hash bytes are the big-endian word.
crypto::hash32 covenant_utxo_key(const crypto::hash32& funding_tx_hash_internal,
                                 std::uint32_t funding_output_index);

/// The tuple of the spend the engine is about to sign: the active outpoint
/// of `utxo`, the wallet of `prep`'s signer key, `utxo`'s value and the
/// hashOutputs of `spend.unsigned_tx`. Cannot fail (utxo.value > 0 was
/// checked by resolve_active_outpoint).
spend_authorization spend_authorization_for(const spend_preparation& prep,
                                            const active_utxo& utxo,
                                            const planned_spend& spend);

/// One line naming the tuple, for details and logs:
/// "utxoKey 0x.., walletPKH 0x.., value N, outputsHash 0x..".
std::string describe(const spend_authorization& a);

/// The tuple a request will be checked against, from the request alone (for
/// `covsignerctl spend-key`, an operator or a coordinator that posts the
/// authorization before submitting): `j` carries the route and the
/// normalised request JSON as a stored job does. The spend is built as the
/// engine builds it, for the template's own signer key, over the covenant
/// output the request names with the plan's input value (the engine refuses
/// any other value). Error: the engine's FAILED detail for the request
/// (e.g. "active outpoint txid is invalid").
std::variant<spend_authorization, std::string> spend_authorization_of_request(const job& j);

} // namespace covsigner::covenant
