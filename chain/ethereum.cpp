#include "chain/ethereum.hpp"

#include "chain/abi.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace covsigner::chain {

namespace json = boost::json;

std::optional<std::uint64_t> parse_quantity(std::string_view hex) {
  if (hex.size() < 3 || hex.substr(0, 2) != "0x" || hex.size() > 18)
    return std::nullopt;
  std::uint64_t v = 0;
  auto digits = hex.substr(2);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, 16);
  if (ec != std::errc{} || end != digits.data() + digits.size())
    return std::nullopt;
  return v;
}

read_result<crypto::bytes> eth_call(const json_rpc_client& client, const eth_address& to,
                                    const crypto::bytes& data, const std::string& what) {
  json::object call;
  call["to"] = crypto::to_0x_hex(to);
  call["data"] = crypto::to_0x_hex(data);
  auto outcome = client.call("eth_call", json::array{call, "latest"});
  if (!outcome.ok())
    return read_result<crypto::bytes>::unavailable(what + ": " + outcome.message);
  const auto* s = outcome.result.if_string();
  auto bytes = s ? crypto::from_0x_hex(std::string_view(s->data(), s->size())) : std::nullopt;
  if (!bytes)
    return read_result<crypto::bytes>::unavailable(what + ": eth_call result is not 0x-hex");
  return read_result<crypto::bytes>::ok(std::move(*bytes));
}

namespace {

class ethereum_bridge final : public bridge_source {
public:
  ethereum_bridge(json_rpc_client c, eth_address a) : client_(std::move(c)), address_(a) {}
  read_result<covenant::wallet_chain_data> wallet(const crypto::hash20& pkh) override {
    using result = read_result<covenant::wallet_chain_data>;
    auto what = "Bridge.wallets(" + crypto::to_0x_hex(pkh) + ")";
    auto ret = eth_call(client_, address_, encode_call(bridge_wallets_signature,
                                                       {word_from_bytes20(pkh)}), what);
    if (ret.code != read_code::ok)
      return result::unavailable(ret.cause);
    std::string error;
    auto t = decode_bridge_wallet(ret.value, error);
    if (!t)
      return result::unavailable(what + ": " + error);
    if (t->created_at == 0)
      return result::not_found("Bridge has no wallet " + crypto::to_0x_hex(pkh));
    if (!valid_wallet_state(t->state))
      return result::unavailable(what + ": unknown wallet state " + std::to_string(t->state));
    covenant::wallet_chain_data d;
    d.ecdsa_wallet_id = t->ecdsa_wallet_id;
    d.main_utxo_hash = t->main_utxo_hash;
    d.pending_redemptions_value = t->pending_redemptions_value;
    d.created_at = t->created_at;
    d.moving_funds_requested_at = t->moving_funds_requested_at;
    d.closing_started_at = t->closing_started_at;
    d.pending_moved_funds_sweep_requests_count = t->pending_moved_funds_sweep_requests_count;
    d.state = static_cast<covenant::wallet_state>(t->state);
    d.moving_funds_target_wallets_commitment_hash = t->moving_funds_target_wallets_commitment_hash;
    return result::ok(d);
  }

private:
  json_rpc_client client_;
  eth_address address_;
};

class ethereum_registry final : public registry_source {
public:
  ethereum_registry(json_rpc_client c, eth_address a) : client_(std::move(c)), address_(a) {}
  read_result<crypto::hash32> members_ids_hash(const crypto::hash32& id) override {
    using result = read_result<crypto::hash32>;
    auto what = "WalletRegistry.getWallet(" + crypto::to_0x_hex(id) + ")";
    auto ret = eth_call(client_, address_,
                        encode_call(registry_get_wallet_signature, {word_from_bytes32(id)}), what);
    if (ret.code != read_code::ok)
      return result::unavailable(ret.cause);
    std::string error;
    auto t = decode_registry_wallet(ret.value, error);
    if (!t)
      return result::unavailable(what + ": " + error);
    // The registry returns the zero tuple for an ID it does not know.
    if (t->members_ids_hash == crypto::hash32{})
      return result::not_found("WalletRegistry has no wallet " + crypto::to_0x_hex(id));
    return result::ok(t->members_ids_hash);
  }

private:
  json_rpc_client client_;
  eth_address address_;
};

class ethereum_height final : public height_source {
public:
  explicit ethereum_height(json_rpc_client c) : client_(std::move(c)) {}
  read_result<std::uint64_t> block_height() override {
    auto outcome = client_.call("eth_blockNumber", json::array{});
    if (!outcome.ok())
      return read_result<std::uint64_t>::unavailable(outcome.message);
    const auto* s = outcome.result.if_string();
    auto v = s ? parse_quantity(std::string_view(s->data(), s->size())) : std::nullopt;
    if (!v)
      return read_result<std::uint64_t>::unavailable("eth_blockNumber: result is not a quantity");
    return read_result<std::uint64_t>::ok(*v);
  }

private:
  json_rpc_client client_;
};

} // namespace

std::unique_ptr<bridge_source> make_ethereum_bridge(json_rpc_client client, eth_address bridge) {
  return std::make_unique<ethereum_bridge>(std::move(client), bridge);
}
std::unique_ptr<registry_source> make_ethereum_registry(json_rpc_client client,
                                                        eth_address registry) {
  return std::make_unique<ethereum_registry>(std::move(client), registry);
}
std::unique_ptr<height_source> make_ethereum_height(json_rpc_client client) {
  return std::make_unique<ethereum_height>(std::move(client));
}

} // namespace covsigner::chain
