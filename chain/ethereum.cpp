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
                                    const crypto::bytes& data, const std::string& what,
                                    const std::string& block) {
  json::object call;
  call["to"] = crypto::to_0x_hex(to);
  call["data"] = crypto::to_0x_hex(data);
  auto outcome = client.call("eth_call", json::array{call, json::string(block)});
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

read_result<std::uint64_t> block_number(const json_rpc_client& client) {
  auto outcome = client.call("eth_blockNumber", json::array{});
  if (!outcome.ok())
    return read_result<std::uint64_t>::unavailable(outcome.message);
  const auto* s = outcome.result.if_string();
  auto v = s ? parse_quantity(std::string_view(s->data(), s->size())) : std::nullopt;
  if (!v)
    return read_result<std::uint64_t>::unavailable("eth_blockNumber: result is not a quantity");
  return read_result<std::uint64_t>::ok(*v);
}

class ethereum_height final : public height_source {
public:
  explicit ethereum_height(json_rpc_client c) : client_(std::move(c)) {}
  read_result<std::uint64_t> block_height() override { return block_number(client_); }

private:
  json_rpc_client client_;
};

std::string quantity(std::uint64_t v) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  do {
    out.insert(out.begin(), digits[v & 0xf]);
    v >>= 4;
  } while (v != 0);
  return "0x" + out;
}

class ethereum_spend_authorization final : public spend_authorization_source {
public:
  ethereum_spend_authorization(json_rpc_client c, eth_address a, std::uint64_t n)
    : client_(std::move(c)), address_(a), confirmations_(n) {}
  read_result<bool> authorized(const covenant::spend_authorization& t) override {
    using result = read_result<bool>;
    auto head = block_number(client_);
    if (head.code != read_code::ok)
      return result::unavailable("CovenantSpendAuthorization: " + head.cause);
    if (head.value < confirmations_)
      return result{read_code::ok, false,
                    "host chain head " + std::to_string(head.value) + " is shallower than " +
                      std::to_string(confirmations_) + " confirmations"};
    const auto block = head.value - confirmations_;
    auto what = "CovenantSpendAuthorization.isAuthorized at block " + std::to_string(block);
    auto ret = eth_call(client_, address_,
                        encode_call(spend_authorization_is_authorized_signature,
                                    {word_from_bytes32(t.utxo_key), word_from_bytes20(t.wallet_pkh),
                                     word_from_uint(t.value), word_from_bytes32(t.outputs_hash)}),
                        what, quantity(block));
    if (ret.code != read_code::ok)
      return result::unavailable(ret.cause);
    std::string error;
    auto yes = decode_bool(ret.value, error);
    if (!yes)
      return result::unavailable(what + ": " + error);
    if (!*yes)
      return result{read_code::ok, false,
                    "not authorized at block " + std::to_string(block) + " (head " +
                      std::to_string(head.value) + " - " + std::to_string(confirmations_) +
                      " confirmations)"};
    return result::ok(true);
  }

private:
  json_rpc_client client_;
  eth_address address_;
  std::uint64_t confirmations_;
};

} // namespace

std::unique_ptr<bridge_source> make_ethereum_bridge(json_rpc_client client, eth_address bridge) {
  return std::make_unique<ethereum_bridge>(std::move(client), bridge);
}
std::unique_ptr<registry_source> make_ethereum_registry(json_rpc_client client,
                                                        eth_address registry) {
  return std::make_unique<ethereum_registry>(std::move(client), registry);
}
std::unique_ptr<spend_authorization_source>
make_ethereum_spend_authorization(json_rpc_client client, eth_address registry,
                                  std::uint64_t confirmations) {
  return std::make_unique<ethereum_spend_authorization>(std::move(client), registry, confirmations);
}
std::unique_ptr<height_source> make_ethereum_height(json_rpc_client client) {
  return std::make_unique<ethereum_height>(std::move(client));
}

} // namespace covsigner::chain
