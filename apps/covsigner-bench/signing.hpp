// What the signing scenarios (sign, sign-mixed) need beside a run's data
// dir.
//
// Setup: the development fixture chain (`covsignerctl example-chain`, the
// content of examples/chain/dev-chain.json: the signer dev key's Live
// wallet, the qc_v1 and self_v1 funding transactions, the spend
// authorizations of their MIGRATION spends) and the PUBLIC development
// signer key (0x22..22, mode 0600), both written beside the data dir. The
// route key only changes routeRequestId, which neither the approvals nor the
// spend cover, so every job of a route spends the same outpoint to the same
// outputs and the fixture's one authorization tuple per route authorizes
// all of them: the spend-authorization gate stays on.
//
// The check of what they signed: signing_check.hpp.
#pragma once

#include "crypto/bytes.hpp"

#include <filesystem>
#include <string>
#include <variant>

namespace covsigner::bench {

struct signing_fixture {
  std::filesystem::path chain_file; // <data_dir>-chain.json
  std::filesystem::path key_file;   // <data_dir>-signer.key, 0600
  crypto::bytes signer_public_key;  // compressed
};

/// Writes the development fixture chain and signer key beside `data_dir`.
std::variant<signing_fixture, std::string> write_signing_fixture(const std::filesystem::path& data_dir);

} // namespace covsigner::bench
