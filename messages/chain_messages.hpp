// Messages of the chain readers: Bridge, Wallet Registry, host chain head and
// Bitcoin. Outages are answers (a code and a cause), never silence.
#pragma once

#include "covenant/output_spend.hpp"
#include "covenant/spend_authorization.hpp"
#include "covenant/wallet.hpp"

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/none.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace covsigner::covenant {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, wallet_chain_data& x) {
  // std::optional is not inspectable in CAF 0.17: carry it as flag + value.
  bool has_members = x.members_ids_hash.has_value();
  crypto::hash32 members = has_members ? *x.members_ids_hash : crypto::hash32{};
  auto restore = caf::meta::load_callback([&]() -> caf::error {
    if (has_members)
      x.members_ids_hash = members;
    else
      x.members_ids_hash.reset();
    return caf::none;
  });
  return f(caf::meta::type_name("wallet_chain_data"), x.ecdsa_wallet_id, has_members, members,
           x.registry_unavailable_cause, x.main_utxo_hash, x.pending_redemptions_value,
           x.created_at, x.moving_funds_requested_at, x.closing_started_at,
           x.pending_moved_funds_sweep_requests_count, x.state,
           x.moving_funds_target_wallets_commitment_hash, restore);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, spend_authorization& x) {
  return f(caf::meta::type_name("spend_authorization"), x.funding_tx_hash,
           x.funding_output_index, x.utxo_key, x.wallet_pkh, x.value, x.outputs_hash);
}

} // namespace covsigner::covenant

namespace covsigner::messages {

enum class chain_code : std::uint8_t {
  ok,
  not_found,   // the source answered: no such wallet / transaction
  unavailable, // the source failed, timed out, or its breaker is open
};

/// Bridge `wallets(pkh)` plus, best effort, the registry's members hash.
struct wallet_reply {
  chain_code code = chain_code::unavailable;
  covenant::wallet_chain_data wallet;
  std::string cause; // for not_found / unavailable: names the source
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, wallet_reply& x) {
  return f(caf::meta::type_name("wallet_reply"), x.code, x.wallet, x.cause);
}

/// Wallet Registry `getWallet(id)`: the members-IDs hash, or why not.
struct registry_reply {
  chain_code code = chain_code::unavailable;
  crypto::hash32 members_ids_hash{};
  std::string cause;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, registry_reply& x) {
  return f(caf::meta::type_name("registry_reply"), x.code, x.members_ids_hash, x.cause);
}

/// The host chain's height as cached by chain_head. `fresh` is false when
/// the cached value is older than the configured maximum age: callers that
/// check certificate expiry then fail closed.
struct chain_height {
  bool fresh = false;
  std::uint64_t height = 0;
  std::uint64_t age_ms = 0;
  std::string cause;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chain_height& x) {
  return f(caf::meta::type_name("chain_height"), x.fresh, x.height, x.age_ms, x.cause);
}

/// A Bitcoin transaction, its confirmations and whether the asked output is
/// unspent (active-outpoint resolution). `code`, `transaction_hex`,
/// `confirmations` and `cause` are the transaction's read; `output` is read
/// only once the transaction was found (else unknown), and is unknown with
/// `output_cause` saying why when that second read failed.
struct outpoint_reply {
  chain_code code = chain_code::unavailable;
  std::string transaction_hex;
  std::uint64_t confirmations = 0;
  std::string cause;
  covenant::output_spend output = covenant::output_spend::unknown;
  std::string output_cause;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outpoint_reply& x) {
  return f(caf::meta::type_name("outpoint_reply"), x.code, x.transaction_hex, x.confirmations,
           x.cause, x.output, x.output_cause);
}

/// breaker_status::state of a reader that crashed more often than its
/// restart budget allows and is no longer restarted.
inline constexpr std::string_view failed_reader_state = "failed";
/// breaker_status::state of a reader whose supervisor could not reach it
/// (it is being restarted).
inline constexpr std::string_view restarting_reader_state = "restarting";
/// CovenantSpendAuthorization's answer for one tuple.
enum class authorization_code : std::uint8_t {
  authorized,     // the registry holds exactly this tuple, deep enough
  not_authorized, // it does not (or not yet deeply enough)
  unavailable,    // the source failed, timed out, or its breaker is open
};

struct spend_authorization_reply {
  authorization_code code = authorization_code::unavailable;
  std::string cause; // not_authorized / unavailable: why
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, spend_authorization_reply& x) {
  return f(caf::meta::type_name("spend_authorization_reply"), x.code, x.cause);
}

/// How often the spend authorization reader answered each code since the
/// node started, for /metrics. A job the registry has not (yet) authorized
/// is asked again with backoff, so not_authorized and unavailable count the
/// re-checks as well as the first check.
struct authorization_answers {
  std::uint64_t authorized = 0;
  std::uint64_t not_authorized = 0;
  std::uint64_t unavailable = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, authorization_answers& x) {
  return f(caf::meta::type_name("authorization_answers"), x.authorized, x.not_authorized,
           x.unavailable);
}

/// A reader's circuit breaker and supervision, for /readyz and /metrics.
/// `state` is the breaker's (chain::to_string(breaker_state): closed | open
/// | half_open), failed_reader_state (the node must then report not ready)
/// or restarting_reader_state.
struct breaker_status {
  std::string source;
  std::string state;
  std::uint64_t failures = 0;  // calls that failed or timed out, since start
  std::uint64_t rejected = 0;  // calls refused by the open breaker (fast fail)
  std::uint64_t in_flight = 0; // backend calls started and not yet answered
  std::uint64_t restarts = 0;  // restarts by the supervisor, since start
  std::string cause;           // state == "failed": why
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, breaker_status& x) {
  return f(caf::meta::type_name("breaker_status"), x.source, x.state, x.failures, x.rejected,
           x.in_flight, x.restarts, x.cause);
}

} // namespace covsigner::messages
