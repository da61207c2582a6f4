// The fixed development keys covsignerctl signs example requests with: the
// secp256k1 scalars of the reference's own tests (keep-core
// covenantsigner_test.go): depositor 0x11..11, signer 0x22..22, custodian
// 0x33..33. They are PUBLIC; anything they sign is for development only.
#pragma once

#include "crypto/secp256k1.hpp"

#include <cstdint>
#include <string>

namespace covsigner::ctl {

inline constexpr std::uint8_t dev_depositor_fill = 0x11;
inline constexpr std::uint8_t dev_signer_fill = 0x22;
inline constexpr std::uint8_t dev_custodian_fill = 0x33;

/// The private key whose 32 scalar bytes all equal `fill` (a valid scalar
/// for the three fills above).
crypto::private_key dev_private_key(std::uint8_t fill);

/// Its compressed public key as 0x-hex.
std::string dev_public_key_hex(std::uint8_t fill);

} // namespace covsigner::ctl
