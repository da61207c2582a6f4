// The development fixture chain the example requests run on: what
// `covsignerctl example-chain` prints and examples/chain/dev-chain.json
// holds. All of it is SIMULATED (chain/fixture.hpp format).
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <variant>

namespace covsigner::ctl {

/// Host-chain height 1000 and Bitcoin height 850000; one wallet, the signer
/// dev key's (walletPubKeyHash = HASH160 of its compressed key, the
/// development wallet id and members-IDs hash of dev_keys.hpp, Live,
/// createdAt 1700000000); and the qc_v1 and self_v1 development funding
/// transactions (example_request.hpp) with `confirmations` each, and the
/// CovenantSpendAuthorization entries of their MIGRATION spends. Checked
/// with chain::parse_fixture before it is returned; an error (one line,
/// "internal: ...") is a bug.
std::variant<boost::json::object, std::string> make_example_chain(std::uint64_t confirmations);

} // namespace covsigner::ctl
