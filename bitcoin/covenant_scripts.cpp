#include "bitcoin/covenant_scripts.hpp"

#include "bitcoin/script.hpp"
#include "crypto/secp256k1.hpp"

#include <limits>

namespace covsigner::bitcoin {

namespace {

constexpr std::uint64_t max_height = std::numeric_limits<std::uint32_t>::max();

/// The 33-byte compressed form of a SEC1 key, or nullopt if it is not a
/// point on the curve.
std::optional<bytes> compressed_key(std::span<const std::uint8_t> key) {
  auto parsed = crypto::parse_public_key(key.data(), key.size());
  if (!parsed)
    return std::nullopt;
  return crypto::serialize_compressed(*parsed);
}

witness_script_result fail(covenant_script_error e) { return {std::nullopt, e}; }

std::optional<covenant_script_error> check_heights(std::uint64_t maturity, std::uint64_t delta2) {
  if (maturity == 0)
    return covenant_script_error::zero_maturity;
  if (maturity > max_height)
    return covenant_script_error::maturity_overflow;
  // maturity <= 2^32-1 here, so the sum cannot wrap a uint64 unless delta2
  // alone is huge; compare without adding.
  if (delta2 > max_height - maturity)
    return covenant_script_error::last_resort_overflow;
  return std::nullopt;
}

/// <height> OP_CHECKLOCKTIMEVERIFY OP_DROP
void add_height_lock(script_builder& b, std::uint64_t height) {
  b.number(static_cast<std::int64_t>(height)).op(OP_CHECKLOCKTIMEVERIFY).op(OP_DROP);
}

} // namespace

std::string_view to_string(covenant_script_error error) {
  switch (error) {
  case covenant_script_error::invalid_depositor_key:
    return "depositor public key is not a valid secp256k1 public key";
  case covenant_script_error::invalid_signer_key:
    return "signer public key is not a valid secp256k1 public key";
  case covenant_script_error::invalid_custodian_key:
    return "custodian public key is not a valid secp256k1 public key";
  case covenant_script_error::zero_maturity:
    return "maturity height must be greater than zero";
  case covenant_script_error::maturity_overflow:
    return "maturity height must fit in uint32";
  case covenant_script_error::last_resort_overflow:
    return "maturity height plus delta2 must fit in uint32";
  case covenant_script_error::beta_not_below_maturity:
    return "beta must be less than maturity height";
  }
  return "unknown covenant script error";
}

witness_script_result build_self_v1_script(const self_v1_parameters& p) {
  auto depositor = compressed_key(p.depositor_public_key);
  if (!depositor)
    return fail(covenant_script_error::invalid_depositor_key);
  auto signer = compressed_key(p.signer_public_key);
  if (!signer)
    return fail(covenant_script_error::invalid_signer_key);
  if (auto e = check_heights(p.maturity_height, p.delta2))
    return fail(*e);

  script_builder b;
  b.op(OP_IF).op(OP_2).data(*depositor).data(*signer).op(OP_2).op(OP_CHECKMULTISIG);
  b.op(OP_ELSE).op(OP_IF);
  add_height_lock(b, p.maturity_height);
  b.data(*signer).op(OP_CHECKSIG);
  b.op(OP_ELSE);
  add_height_lock(b, p.maturity_height + p.delta2);
  b.data(*depositor).op(OP_CHECKSIG);
  b.op(OP_ENDIF).op(OP_ENDIF);
  return {std::move(b).script(), std::nullopt};
}

witness_script_result build_qc_v1_script(const qc_v1_parameters& p) {
  auto depositor = compressed_key(p.depositor_public_key);
  if (!depositor)
    return fail(covenant_script_error::invalid_depositor_key);
  auto custodian = compressed_key(p.custodian_public_key);
  if (!custodian)
    return fail(covenant_script_error::invalid_custodian_key);
  auto signer = compressed_key(p.signer_public_key);
  if (!signer)
    return fail(covenant_script_error::invalid_signer_key);
  if (auto e = check_heights(p.maturity_height, p.delta2))
    return fail(*e);
  if (p.beta >= p.maturity_height)
    return fail(covenant_script_error::beta_not_below_maturity);

  script_builder b;
  b.op(OP_IF).op(OP_3).data(*depositor).data(*custodian).data(*signer).op(OP_3).op(
      OP_CHECKMULTISIG);
  b.op(OP_ELSE).op(OP_IF);
  add_height_lock(b, p.maturity_height);
  b.op(OP_2).data(*signer).data(*custodian).op(OP_2).op(OP_CHECKMULTISIG);
  b.op(OP_ELSE).op(OP_IF);
  add_height_lock(b, p.maturity_height - p.beta);
  b.op(OP_2).data(*depositor).data(*custodian).op(OP_2).op(OP_CHECKMULTISIG);
  b.op(OP_ELSE);
  add_height_lock(b, p.maturity_height + p.delta2);
  b.data(*depositor).op(OP_CHECKSIG);
  b.op(OP_ENDIF).op(OP_ENDIF).op(OP_ENDIF);
  return {std::move(b).script(), std::nullopt};
}

} // namespace covsigner::bitcoin
