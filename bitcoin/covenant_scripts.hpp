// The covenant witness scripts (reference §6.5): self_v1 and qc_v1.
//
// self_v1:
//   OP_IF   OP_2 <D> <S> OP_2 OP_CHECKMULTISIG                  cooperative 2-of-2
//   OP_ELSE OP_IF   <maturity> OP_CLTV OP_DROP <S> OP_CHECKSIG  signer after maturity
//           OP_ELSE <maturity+delta2> OP_CLTV OP_DROP <D> OP_CHECKSIG  depositor last resort
//           OP_ENDIF
//   OP_ENDIF
// qc_v1:
//   OP_IF   OP_3 <D> <C> <S> OP_3 OP_CHECKMULTISIG                         3-of-3
//   OP_ELSE OP_IF   <maturity> OP_CLTV OP_DROP OP_2 <S> <C> OP_2 OP_CHECKMULTISIG  migration
//           OP_ELSE OP_IF   <maturity-beta> OP_CLTV OP_DROP OP_2 <D> <C> OP_2 OP_CHECKMULTISIG  early exit
//                   OP_ELSE <maturity+delta2> OP_CLTV OP_DROP <D> OP_CHECKSIG  last resort
//                   OP_ENDIF
//           OP_ENDIF
//   OP_ENDIF
// D depositor, C custodian, S signer (wallet) key. Keys are pushed in 33-byte
// compressed form (an uncompressed input key is re-compressed); numbers are
// script numbers with btcd's canonical push (bitcoin/script.hpp).
#pragma once

#include "crypto/bytes.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace covsigner::bitcoin {

using crypto::bytes;

/// Why a witness script could not be built.
enum class covenant_script_error {
  invalid_depositor_key,  ///< not a valid secp256k1 public key (33 or 65 bytes)
  invalid_signer_key,
  invalid_custodian_key,
  zero_maturity,          ///< maturity height is 0
  maturity_overflow,      ///< maturity height > 2^32-1
  last_resort_overflow,   ///< maturity + delta2 > 2^32-1
  beta_not_below_maturity ///< qc_v1: beta >= maturity
};

/// A stable English message for `error`, e.g. "maturity height must be
/// greater than zero". (The reference defines no wording for these.)
std::string_view to_string(covenant_script_error error);

struct self_v1_parameters {
  std::span<const std::uint8_t> depositor_public_key; ///< 33 or 65 bytes SEC1
  std::span<const std::uint8_t> signer_public_key;
  std::uint64_t maturity_height = 0;
  std::uint64_t delta2 = 0;
};

struct qc_v1_parameters {
  std::span<const std::uint8_t> depositor_public_key;
  std::span<const std::uint8_t> custodian_public_key;
  std::span<const std::uint8_t> signer_public_key;
  std::uint64_t maturity_height = 0;
  std::uint64_t beta = 0;
  std::uint64_t delta2 = 0;
};

/// A witness script, or why it could not be built.
struct witness_script_result {
  std::optional<bytes> script;
  std::optional<covenant_script_error> error; ///< set exactly when script is not
};

/// Builds the self_v1 witness script. Checks, in order: keys (depositor,
/// signer), 0 < maturity <= 2^32-1, maturity + delta2 <= 2^32-1.
witness_script_result build_self_v1_script(const self_v1_parameters& p);

/// Builds the qc_v1 witness script. Checks, in order: keys (depositor,
/// custodian, signer), 0 < maturity <= 2^32-1, maturity + delta2 <= 2^32-1,
/// beta < maturity.
witness_script_result build_qc_v1_script(const qc_v1_parameters& p);

} // namespace covsigner::bitcoin
