#include "chain/bitcoin_rpc.hpp"

#include <boost/json.hpp>

namespace covsigner::chain {

namespace json = boost::json;

namespace {

class bitcoin_core final : public bitcoin_source {
public:
  explicit bitcoin_core(json_rpc_client c) : client_(std::move(c)) {}

  read_result<bitcoin_transaction> transaction(const crypto::hash32& txid) override {
    using result = read_result<bitcoin_transaction>;
    auto id = crypto::to_hex(txid);
    auto outcome = client_.call("getrawtransaction", json::array{json::string(id), true});
    if (!outcome.ok()) {
      if (outcome.failure == rpc_failure::rpc_error && outcome.error_code == bitcoin_rpc_not_found)
        return result::not_found("Bitcoin node has no transaction 0x" + id + ": " + outcome.message);
      return result::unavailable(outcome.message);
    }
    const auto* obj = outcome.result.if_object();
    const json::value* hex = obj ? obj->if_contains("hex") : nullptr;
    if (!hex || !hex->is_string() || hex->as_string().empty() ||
        !crypto::from_hex(std::string_view(hex->as_string().data(), hex->as_string().size())))
      return result::unavailable("getrawtransaction: result has no valid \"hex\"");
    bitcoin_transaction tx;
    tx.hex = std::string(hex->as_string());
    // Absent for a mempool transaction: zero confirmations.
    if (const auto* c = obj->if_contains("confirmations")) {
      if (c->is_uint64())
        tx.confirmations = c->as_uint64();
      else if (c->is_int64() && c->as_int64() >= 0)
        tx.confirmations = static_cast<std::uint64_t>(c->as_int64());
      else
        return result::unavailable("getrawtransaction: \"confirmations\" is not a count");
    }
    return result::ok(std::move(tx));
  }

  read_result<covenant::output_spend> output_spend(const crypto::hash32& txid,
                                                   std::uint32_t vout) override {
    using result = read_result<covenant::output_spend>;
    // include_mempool = true: an output a mempool transaction spends is
    // spent already; signing it again would make a conflicting spend.
    auto outcome =
      client_.call("gettxout", json::array{json::string(crypto::to_hex(txid)), vout, true});
    if (!outcome.ok())
      return result::unavailable(outcome.message);
    // null: not in the unspent set. An object: the unspent output (Core and
    // bcoin answer bestblock, confirmations, value, scriptPubKey, coinbase;
    // the engine checks script and value from the transaction itself).
    if (outcome.result.is_null())
      return result::ok(covenant::output_spend::spent);
    const auto* obj = outcome.result.if_object();
    if (!obj || !obj->contains("value"))
      return result::unavailable("gettxout: result is neither null nor an unspent output");
    return result::ok(covenant::output_spend::unspent);
  }

  read_result<std::uint64_t> block_count() override {
    auto outcome = client_.call("getblockcount", json::array{});
    if (!outcome.ok())
      return read_result<std::uint64_t>::unavailable(outcome.message);
    if (outcome.result.is_uint64())
      return read_result<std::uint64_t>::ok(outcome.result.as_uint64());
    if (outcome.result.is_int64() && outcome.result.as_int64() >= 0)
      return read_result<std::uint64_t>::ok(static_cast<std::uint64_t>(outcome.result.as_int64()));
    return read_result<std::uint64_t>::unavailable("getblockcount: result is not a count");
  }

private:
  json_rpc_client client_;
};

} // namespace

std::unique_ptr<bitcoin_source> make_bitcoin_core(json_rpc_client client) {
  return std::make_unique<bitcoin_core>(std::move(client));
}

} // namespace covsigner::chain
