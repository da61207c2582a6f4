#include "apps/covsignerctl/example_chain.hpp"

#include "apps/covsignerctl/dev_keys.hpp"
#include "apps/covsignerctl/example_request.hpp"
#include "bitcoin/transaction.hpp"
#include "chain/fixture.hpp"
#include "covenant/request.hpp"
#include "covenant/spend_authorization.hpp"
#include "crypto/bytes.hpp"
#include "crypto/hash160.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace covsigner::ctl {

namespace {

std::string filled_hex(std::uint8_t fill, std::size_t size) {
  return crypto::to_0x_hex(crypto::bytes(size, fill));
}

} // namespace

std::variant<boost::json::object, std::string> make_example_chain(std::uint64_t confirmations) {
  const auto signer = crypto::serialize_compressed(
      crypto::derive_public_key(dev_private_key(dev_signer_fill)));
  boost::json::object wallet;
  wallet["walletPubKeyHash"] = crypto::to_0x_hex(crypto::hash160(signer));
  wallet["ecdsaWalletID"] = filled_hex(dev_wallet_id_fill, 32);
  wallet["createdAt"] = 1700000000;
  wallet["state"] = 1; // Live
  wallet["membersIdsHash"] = filled_hex(dev_members_ids_hash_fill, 32);

  boost::json::array transactions, authorizations;
  for (auto route : {covenant::route_qc_v1, covenant::route_self_v1}) {
    // The registry authorizes the spend every example body of the route
    // builds (its actions other than MIGRATION pay other outputs).
    example_options options;
    options.route = std::string{route};
    options.domain.salt = covenant::default_approval_salt();
    auto body = make_example_submit(options);
    if (auto* e = std::get_if<std::string>(&body))
      return "internal: example body: " + *e;
    covenant::job j;
    j.route = std::string{route};
    j.request_json = boost::json::serialize(std::get<boost::json::object>(body).at("request"));
    auto tuple = covenant::spend_authorization_of_request(j);
    if (auto* e = std::get_if<std::string>(&tuple))
      return "internal: example spend authorization: " + *e;
    const auto& a = std::get<covenant::spend_authorization>(tuple);
    authorizations.push_back(boost::json::object{{"utxoKey", crypto::to_0x_hex(a.utxo_key)},
                                                 {"walletPKH", crypto::to_0x_hex(a.wallet_pkh)},
                                                 {"value", a.value},
                                                 {"outputsHash", crypto::to_0x_hex(a.outputs_hash)}});
    const auto tx = dev_funding_transaction(route);
    boost::json::object entry;
    entry["txid"] = "0x" + bitcoin::to_display_hex(bitcoin::txid(tx));
    entry["hex"] = crypto::to_hex(bitcoin::serialize_with_witness(tx));
    entry["confirmations"] = confirmations;
    transactions.push_back(std::move(entry));
  }

  boost::json::object chain;
  chain["hostChainHeight"] = 1000;
  chain["bitcoinHeight"] = 850000;
  chain["wallets"] = boost::json::array{std::move(wallet)};
  chain["transactions"] = std::move(transactions);
  chain["spendAuthorizations"] = std::move(authorizations);

  std::string error;
  if (!chain::parse_fixture(boost::json::serialize(chain), error))
    return "internal: example chain does not parse: " + error;
  return chain;
}

} // namespace covsigner::ctl
