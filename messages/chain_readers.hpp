// Interfaces of the chain readers. Each owns one source and its circuit
// breaker; network calls run off CAF's scheduler threads.
#pragma once

#include "messages/atoms.hpp"
#include "messages/chain_messages.hpp"

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace covsigner::messages {

/// Bridge-only read: `wallets(bytes20)` without the registry (members_ids_hash
/// stays empty, registry_unavailable_cause says it was not requested).
using bridge_only_atom = caf::atom_constant<caf::atom("bridgeonly")>;

/// Bridge `wallets(bytes20)` (a required source). The argument is the
/// wallet public key hash as 0x-hex (an invalid argument is answered with
/// caf::sec::invalid_argument). GetWallet (wallet_atom): this actor also
/// asks the registry reader, best effort and with its own timeout, and fills
/// members_ids_hash or registry_unavailable_cause (the bare reason; a
/// consumer refuses with "wallet registry data unavailable for wallet
/// 0x<ecdsa_wallet_id>: <cause>"). Bridge failure:
/// code unavailable; no such wallet: code not_found; never an empty reply.
using bridge_reader_actor = caf::typed_actor<
  caf::replies_to<wallet_atom, std::string>::with<wallet_reply>,
  caf::replies_to<bridge_only_atom, std::string>::with<wallet_reply>,
  caf::replies_to<status_atom>::with<breaker_status>>;

/// Wallet Registry `getWallet(bytes32)` (best effort). Argument: the ECDSA
/// wallet id as 0x-hex.
using registry_reader_actor = caf::typed_actor<
  caf::replies_to<wallet_atom, std::string>::with<registry_reply>,
  caf::replies_to<status_atom>::with<breaker_status>>;

/// The host chain's block height, refreshed in the background.
using chain_head_actor = caf::typed_actor<
  caf::replies_to<height_atom>::with<chain_height>,
  caf::replies_to<status_atom>::with<breaker_status>>;

/// CovenantSpendAuthorization `isAuthorized` for the tuple of a spend about
/// to be signed, read at head - confirmations (tbtc-v2 PR #1003). Never
/// answers "authorized" for anything but a confirmed "yes" from the chain.
/// answers_atom: the answers given since start, counted across restarts of
/// the reader (the supervisor counts them).
using spend_authorization_reader_actor = caf::typed_actor<
  caf::replies_to<covenant::spend_authorization>::with<spend_authorization_reply>,
  caf::replies_to<status_atom>::with<breaker_status>,
  caf::replies_to<answers_atom>::with<authorization_answers>>;

/// Active-outpoint transaction, confirmations and spent state. Arguments:
/// txid in display order, 0x-hex (an invalid one is answered with
/// caf::sec::invalid_argument), and the output index. The reader reads the
/// transaction, then (found only) the output's spent state: two calls, each
/// counted by its breaker.
using bitcoin_reader_actor = caf::typed_actor<
  caf::replies_to<outpoint_atom, std::string, std::uint32_t>::with<outpoint_reply>,
  caf::replies_to<status_atom>::with<breaker_status>>;

} // namespace covsigner::messages
