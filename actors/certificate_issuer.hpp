// certificate_issuer: issues signer approval certificates for the admin
// route (reference §6.4) with the node's signer: the pure steps of
// covenant/certificate_issuance.hpp around GetWallet (bridge_reader), the
// host-chain height (chain_head, read before signing and again after, so a
// certificate is never born expired) and one signature request.
#pragma once

#include "actors/local_key_signer.hpp"
#include "messages/chain_readers.hpp"
#include "messages/signing.hpp"

#include <chrono>
#include <optional>

namespace covsigner::actors {

struct certificate_issuer_settings {
  std::optional<signer_handle> signer; // none: every wallet is "not controlled"
  messages::bridge_reader_actor bridge_reader;
  messages::chain_head_actor chain_head;
  std::chrono::milliseconds chain_timeout{15000};
  std::chrono::milliseconds signer_timeout{std::chrono::minutes(4)};
};

struct certificate_issuer_state {
  // Not an aggregate: CAF would otherwise try to build the state from `self`.
  certificate_issuer_state() = default;
  certificate_issuer_settings settings;
  static inline const char* name = "certificate_issuer";
};

messages::certificate_issuer_actor::behavior_type certificate_issuer(
  messages::certificate_issuer_actor::stateful_pointer<certificate_issuer_state> self,
  certificate_issuer_settings settings);

} // namespace covsigner::actors
