// Covenant requests for a real regtest chain: the pinned vector requests
// (signed_requests.hpp: dev keys, fresh D/C approvals) with a maturity
// height the test can reach by mining (the vectors' 950000 is far beyond a
// test's regtest chain), bound to the outpoint a real funding transaction
// created, and certified by the signer dev key for the development wallet
// (examples/chain/dev-chain.json).
#pragma once

#include "bitcoin/script.hpp"
#include "crypto/sha256.hpp"
#include "tests/support/funded_requests.hpp"
#include "tests/support/signed_requests.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <string>

namespace covsigner::test_support {

struct covenant_request {
  boost::json::object request;  // RouteSubmitRequest, zero EIP-712 domain
  crypto::bytes witness_script; // of its template at its maturity height
  crypto::bytes script_pubkey;  // P2WSH(witness_script): what the funding pays
  std::int64_t value = 0;       // plan inputValueSats: what the funding pays
};

/// Vector `name` (self_v1, self_v1_presign, qc_v1) with maturityHeight and
/// the plan's lockTime (which must equal it) set to `maturity`. Not yet
/// bound to an outpoint: see bind_request.
inline covenant_request make_covenant_request(const std::string& name, std::uint64_t maturity) {
  covenant_request out;
  out.request = signed_vector_request(name);
  out.request["maturityHeight"] = maturity;
  auto& plan = out.request["migrationTransactionPlan"].as_object();
  plan["lockTime"] = maturity;
  out.witness_script = witness_script_of(out.request);
  out.script_pubkey = bitcoin::p2wsh_script_pubkey(out.witness_script);
  out.value = plan.at("inputValueSats").to_number<std::int64_t>();
  return out;
}

/// The covenant output the funding transaction must carry for `r`.
inline bitcoin::tx_output covenant_output(const covenant_request& r) {
  return {r.value, r.script_pubkey};
}

/// Binds `r` to output `vout` of transaction `txid_display` (recomputing
/// the plan commitment and re-signing the approvals), then adds a signer
/// approval certificate valid through host-chain block `end_block`.
inline void bind_request(covenant_request& r, const std::string& txid_display, std::uint32_t vout,
                         std::uint64_t end_block = 2000) {
  r.request["activeOutpoint"].as_object()["vout"] = vout;
  rebind_outpoint(r.request, txid_display, crypto::to_0x_hex(crypto::sha256(r.script_pubkey)));
  certificate_options certificate;
  certificate.end_block = end_block;
  add_signer_approval(r.request, covenant::eip712_domain{}, certificate);
}

} // namespace covsigner::test_support
