// The committed development examples `make run` serves (examples/): a
// mode-0600 copy of the PUBLIC dev signer key (git checks the file out
// 0644, which covsignerd refuses; `make run` chmods it) and the output of
// the development fixture chain that an example request spends.
#pragma once

#include "bitcoin/transaction.hpp"
#include "chain/fixture.hpp"
#include "crypto/bytes.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <sys/stat.h>

namespace covsigner::test_support {

inline std::string examples_path(const std::string& relative) {
  return std::string{COVSIGNER_SOURCE_DIR} + "/examples/" + relative;
}

/// Copies examples/dev-signer.key into `dir` with mode 0600; returns the copy.
inline std::filesystem::path copy_dev_signer_key(const std::filesystem::path& dir) {
  auto copy = dir / "dev-signer.key";
  std::filesystem::copy_file(examples_path("dev-signer.key"), copy,
                             std::filesystem::copy_options::overwrite_existing);
  if (::chmod(copy.c_str(), 0600) != 0)
    throw std::runtime_error("cannot chmod " + copy.string());
  return copy;
}

/// The covenant output a request (RouteSubmitRequest JSON) spends, as
/// examples/chain/dev-chain.json holds it.
struct dev_chain_output {
  bitcoin::outpoint prevout; // txid in internal byte order
  crypto::bytes script_pubkey;
  std::int64_t value = 0;
  std::uint64_t confirmations = 0;
};

/// Throws when the chain lacks the transaction or the output.
inline dev_chain_output dev_chain_output_of(const boost::json::object& request) {
  std::string error;
  auto chain = chain::load_fixture_file(examples_path("chain/dev-chain.json"), error);
  if (!chain)
    throw std::runtime_error("dev-chain.json: " + error);
  const auto& outpoint = request.at("activeOutpoint").as_object();
  const std::string txid(outpoint.at("txid").as_string());
  auto it = chain->transactions.find(*crypto::fixed_from_0x_hex<32>(txid));
  if (it == chain->transactions.end())
    throw std::runtime_error("dev-chain.json has no transaction " + txid);
  auto tx = bitcoin::parse_transaction(*crypto::from_hex(it->second.hex));
  if (!tx.tx)
    throw std::runtime_error("dev-chain.json transaction " + txid + ": " + tx.error);
  const auto vout = outpoint.at("vout").to_number<std::uint32_t>();
  if (vout >= tx.tx->outputs.size())
    throw std::runtime_error("dev-chain.json transaction " + txid + " has no output " +
                             std::to_string(vout));
  dev_chain_output out;
  out.prevout = {bitcoin::txid(*tx.tx), vout};
  out.script_pubkey = tx.tx->outputs[vout].script_pubkey;
  out.value = tx.tx->outputs[vout].value;
  out.confirmations = it->second.confirmations;
  return out;
}

} // namespace covsigner::test_support
