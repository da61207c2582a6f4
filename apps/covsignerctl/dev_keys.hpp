// The fixed development keys covsignerctl signs example requests with: the
// secp256k1 scalars of the reference's own tests (keep-core
// covenantsigner_test.go): depositor 0x11..11, signer 0x22..22, custodian
// 0x33..33. They are PUBLIC; anything they sign is for development only.
// examples/dev-signer.key holds the signer scalar for `make run`.
#pragma once

#include "crypto/secp256k1.hpp"

#include <cstdint>
#include <string>

namespace covsigner::ctl {

inline constexpr std::uint8_t dev_depositor_fill = 0x11;
inline constexpr std::uint8_t dev_signer_fill = 0x22;
inline constexpr std::uint8_t dev_custodian_fill = 0x33;

/// The development wallet of the signer dev key, as the development fixture
/// chain (`covsignerctl example-chain`, examples/chain/dev-chain.json) and
/// example certificates name it: ECDSA wallet id 0xa1..a1 and Wallet
/// Registry members-IDs hash 0xb2..b2 (made up; the same values as
/// tests/support/signed_requests.hpp).
inline constexpr std::uint8_t dev_wallet_id_fill = 0xa1;
inline constexpr std::uint8_t dev_members_ids_hash_fill = 0xb2;

/// The private key whose 32 scalar bytes all equal `fill` (a valid scalar
/// for the three fills above).
crypto::private_key dev_private_key(std::uint8_t fill);

/// Its compressed public key as 0x-hex.
std::string dev_public_key_hex(std::uint8_t fill);

} // namespace covsigner::ctl
