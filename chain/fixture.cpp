#include "chain/fixture.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

namespace covsigner::chain {

namespace json = boost::json;

namespace {

bool only_keys(const json::object& obj, const std::set<std::string_view>& allowed,
               const std::string& where, std::string& error) {
  for (const auto& kv : obj) {
    if (!allowed.count(std::string_view(kv.key().data(), kv.key().size()))) {
      error = where + ": unknown key \"" + std::string(kv.key()) + "\"";
      return false;
    }
  }
  return true;
}

bool read_u64(const json::object& obj, std::string_view key, bool required, std::uint64_t max,
              std::uint64_t& out, const std::string& where, std::string& error) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required)
      error = where + ": missing \"" + std::string(key) + "\"";
    return !required;
  }
  const auto& v = it->value();
  std::uint64_t value = 0;
  if (v.is_uint64())
    value = v.as_uint64();
  else if (v.is_int64() && v.as_int64() >= 0)
    value = static_cast<std::uint64_t>(v.as_int64());
  else {
    error = where + ": \"" + std::string(key) + "\" must be a non-negative integer";
    return false;
  }
  if (value > max) {
    error = where + ": \"" + std::string(key) + "\" is out of range";
    return false;
  }
  out = value;
  return true;
}

template <std::size_t N>
bool read_hex(const json::object& obj, std::string_view key, bool required,
              std::array<std::uint8_t, N>& out, const std::string& where, std::string& error,
              bool* present = nullptr) {
  auto it = obj.find(key);
  if (present)
    *present = it != obj.end();
  if (it == obj.end()) {
    if (required)
      error = where + ": missing \"" + std::string(key) + "\"";
    return !required;
  }
  const auto* s = it->value().if_string();
  std::optional<std::array<std::uint8_t, N>> decoded;
  if (s)
    decoded = crypto::fixed_from_0x_hex<N>(std::string_view(s->data(), s->size()));
  if (!decoded) {
    error = where + ": \"" + std::string(key) + "\" must be 0x-hex of " + std::to_string(N) +
            " bytes";
    return false;
  }
  out = *decoded;
  return true;
}

bool parse_wallet(const json::object& w, const std::string& where, fixture_chain& chain,
                  std::string& error) {
  static const std::set<std::string_view> keys = {
    "walletPubKeyHash", "ecdsaWalletID", "createdAt", "state", "mainUtxoHash",
    "pendingRedemptionsValue", "movingFundsRequestedAt", "closingStartedAt",
    "pendingMovedFundsSweepRequestsCount", "movingFundsTargetWalletsCommitmentHash",
    "membersIdsHash"};
  if (!only_keys(w, keys, where, error))
    return false;
  crypto::hash20 pkh{};
  covenant::wallet_chain_data d;
  std::uint64_t state = 0, count = 0;
  constexpr std::uint64_t u32 = 0xffffffffULL;
  if (!read_hex(w, "walletPubKeyHash", true, pkh, where, error) ||
      !read_hex(w, "ecdsaWalletID", true, d.ecdsa_wallet_id, where, error) ||
      !read_u64(w, "createdAt", true, u32, d.created_at, where, error) ||
      !read_u64(w, "state", true, 5, state, where, error) ||
      !read_hex(w, "mainUtxoHash", false, d.main_utxo_hash, where, error) ||
      !read_u64(w, "pendingRedemptionsValue", false, UINT64_MAX, d.pending_redemptions_value,
                where, error) ||
      !read_u64(w, "movingFundsRequestedAt", false, u32, d.moving_funds_requested_at, where,
                error) ||
      !read_u64(w, "closingStartedAt", false, u32, d.closing_started_at, where, error) ||
      !read_u64(w, "pendingMovedFundsSweepRequestsCount", false, u32, count, where, error) ||
      !read_hex(w, "movingFundsTargetWalletsCommitmentHash", false,
                d.moving_funds_target_wallets_commitment_hash, where, error))
    return false;
  d.state = static_cast<covenant::wallet_state>(state);
  d.pending_moved_funds_sweep_requests_count = static_cast<std::uint32_t>(count);
  crypto::hash32 members{};
  bool has_members = false;
  if (!read_hex(w, "membersIdsHash", false, members, where, error, &has_members))
    return false;
  if (!chain.bridge.emplace(pkh, d).second) {
    error = where + ": duplicate walletPubKeyHash " + crypto::to_0x_hex(pkh);
    return false;
  }
  if (has_members)
    chain.registry[d.ecdsa_wallet_id] = members;
  return true;
}

bool parse_transaction(const json::object& t, const std::string& where, fixture_chain& chain,
                       std::string& error) {
  if (!only_keys(t, {"txid", "hex", "confirmations", "spentOutputs"}, where, error))
    return false;
  crypto::hash32 txid{};
  bitcoin_transaction tx;
  if (!read_hex(t, "txid", true, txid, where, error) ||
      !read_u64(t, "confirmations", true, UINT64_MAX, tx.confirmations, where, error))
    return false;
  auto it = t.find("hex");
  const auto* s = it == t.end() ? nullptr : it->value().if_string();
  if (!s || !crypto::from_hex(std::string_view(s->data(), s->size())) || s->empty()) {
    error = where + ": \"hex\" must be a non-empty raw transaction in hex";
    return false;
  }
  tx.hex.assign(s->data(), s->size());
  if (auto spent = t.find("spentOutputs"); spent != t.end()) {
    const auto* indexes = spent->value().if_array();
    if (!indexes) {
      error = where + ": \"spentOutputs\" must be an array of output indexes";
      return false;
    }
    for (std::size_t i = 0; i < indexes->size(); ++i) {
      const auto& v = (*indexes)[i];
      const auto index = v.is_uint64() ? v.as_uint64()
                         : v.is_int64() && v.as_int64() >= 0
                           ? static_cast<std::uint64_t>(v.as_int64())
                           : UINT64_MAX;
      if (index > 0xffffffffULL) {
        error = where + ": \"spentOutputs\"[" + std::to_string(i) +
                "] must be an output index (0..4294967295)";
        return false;
      }
      chain.spent_outputs.emplace(txid, static_cast<std::uint32_t>(index));
    }
  }
  if (!chain.transactions.emplace(txid, std::move(tx)).second) {
    error = where + ": duplicate txid " + crypto::to_0x_hex(txid);
    return false;
  }
  return true;
}

bool parse_spend_authorization(const json::object& a, const std::string& where,
                               fixture_chain& chain, std::string& error) {
  if (!only_keys(a, {"utxoKey", "walletPKH", "value", "outputsHash"}, where, error))
    return false;
  crypto::hash32 key{}, outputs{};
  crypto::hash20 wallet{};
  std::uint64_t value = 0;
  if (!read_hex(a, "utxoKey", true, key, where, error) ||
      !read_hex(a, "walletPKH", true, wallet, where, error) ||
      !read_u64(a, "value", true, UINT64_MAX, value, where, error) ||
      !read_hex(a, "outputsHash", true, outputs, where, error))
    return false;
  // The registry refuses both (tbtc-v2 CovenantSpendAuthorization).
  if (wallet == crypto::hash20{} || value == 0) {
    error = where + ": a zero walletPKH or value is never authorized";
    return false;
  }
  chain.spend_authorizations.emplace(key, wallet, value, outputs);
  return true;
}

} // namespace

std::optional<fixture_chain> parse_fixture(std::string_view text, std::string& error) {
  json::error_code ec;
  auto root = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) {
    error = "fixture is not valid JSON: " + ec.message();
    return std::nullopt;
  }
  const auto* obj = root.if_object();
  if (!obj) {
    error = "fixture must be a JSON object";
    return std::nullopt;
  }
  if (!only_keys(*obj, {"hostChainHeight", "bitcoinHeight", "wallets", "transactions", "spendAuthorizations"}, "fixture",
                 error))
    return std::nullopt;
  fixture_chain chain;
  if (!read_u64(*obj, "hostChainHeight", true, UINT64_MAX, chain.host_chain_height, "fixture",
                error) ||
      !read_u64(*obj, "bitcoinHeight", false, UINT64_MAX, chain.bitcoin_height, "fixture", error))
    return std::nullopt;
  for (const char* list : {"wallets", "transactions", "spendAuthorizations"}) {
    auto it = obj->find(list);
    if (it == obj->end())
      continue;
    const auto* arr = it->value().if_array();
    if (!arr) {
      error = std::string("fixture: \"") + list + "\" must be an array";
      return std::nullopt;
    }
    for (std::size_t i = 0; i < arr->size(); ++i) {
      auto where = std::string(list) + "[" + std::to_string(i) + "]";
      const auto* item = (*arr)[i].if_object();
      if (!item) {
        error = where + ": must be an object";
        return std::nullopt;
      }
      const std::string_view name = list;
      bool ok = name == "wallets"        ? parse_wallet(*item, where, chain, error)
                : name == "transactions" ? parse_transaction(*item, where, chain, error)
                                         : parse_spend_authorization(*item, where, chain, error);
      if (!ok)
        return std::nullopt;
    }
  }
  return chain;
}

std::optional<fixture_chain> load_fixture_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open fixture file " + path;
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto chain = parse_fixture(text.str(), error);
  if (!chain)
    error = path + ": " + error;
  return chain;
}

namespace {

struct fixture_base {
  std::shared_ptr<const fixture_chain> chain;
  std::shared_ptr<fault_switch> faults;
  std::optional<std::string> fault(const std::string& source) {
    return faults ? faults->apply(source) : std::nullopt;
  }
};

class fixture_bridge final : public bridge_source, fixture_base {
public:
  fixture_bridge(std::shared_ptr<const fixture_chain> c, std::shared_ptr<fault_switch> f)
    : fixture_base{std::move(c), std::move(f)} {}
  read_result<covenant::wallet_chain_data> wallet(const crypto::hash20& pkh) override {
    if (auto cause = fault("fixture Bridge"))
      return read_result<covenant::wallet_chain_data>::unavailable(*cause);
    auto it = chain->bridge.find(pkh);
    if (it == chain->bridge.end() || it->second.created_at == 0)
      return read_result<covenant::wallet_chain_data>::not_found(
        "fixture Bridge has no wallet " + crypto::to_0x_hex(pkh));
    return read_result<covenant::wallet_chain_data>::ok(it->second);
  }
};

class fixture_registry final : public registry_source, fixture_base {
public:
  fixture_registry(std::shared_ptr<const fixture_chain> c, std::shared_ptr<fault_switch> f)
    : fixture_base{std::move(c), std::move(f)} {}
  read_result<crypto::hash32> members_ids_hash(const crypto::hash32& id) override {
    if (auto cause = fault("fixture WalletRegistry"))
      return read_result<crypto::hash32>::unavailable(*cause);
    auto it = chain->registry.find(id);
    if (it == chain->registry.end() || it->second == crypto::hash32{})
      return read_result<crypto::hash32>::not_found("fixture WalletRegistry has no wallet " +
                                                    crypto::to_0x_hex(id));
    return read_result<crypto::hash32>::ok(it->second);
  }
};

class fixture_height final : public height_source, fixture_base {
public:
  fixture_height(std::shared_ptr<const fixture_chain> c, std::shared_ptr<fault_switch> f)
    : fixture_base{std::move(c), std::move(f)} {}
  read_result<std::uint64_t> block_height() override {
    if (auto cause = fault("fixture host chain"))
      return read_result<std::uint64_t>::unavailable(*cause);
    return read_result<std::uint64_t>::ok(chain->host_chain_height);
  }
};

class fixture_bitcoin final : public bitcoin_source, fixture_base {
public:
  fixture_bitcoin(std::shared_ptr<const fixture_chain> c, std::shared_ptr<fault_switch> f)
    : fixture_base{std::move(c), std::move(f)} {}
  read_result<bitcoin_transaction> transaction(const crypto::hash32& txid) override {
    if (auto cause = fault("fixture Bitcoin"))
      return read_result<bitcoin_transaction>::unavailable(*cause);
    auto it = chain->transactions.find(txid);
    if (it == chain->transactions.end())
      return read_result<bitcoin_transaction>::not_found("fixture Bitcoin has no transaction " +
                                                         crypto::to_0x_hex(txid));
    return read_result<bitcoin_transaction>::ok(it->second);
  }
  read_result<covenant::output_spend> output_spend(const crypto::hash32& txid,
                                                   std::uint32_t vout) override {
    using result = read_result<covenant::output_spend>;
    if (auto cause = fault("fixture Bitcoin"))
      return result::unavailable(*cause);
    // As gettxout: an output of a transaction the chain does not hold is
    // not an unspent output.
    if (!chain->transactions.count(txid) || chain->spent_outputs.count({txid, vout}))
      return result::ok(covenant::output_spend::spent);
    return result::ok(covenant::output_spend::unspent);
  }
  read_result<std::uint64_t> block_count() override {
    if (auto cause = fault("fixture Bitcoin"))
      return read_result<std::uint64_t>::unavailable(*cause);
    return read_result<std::uint64_t>::ok(chain->bitcoin_height);
  }
};

class fixture_spend_authorization final : public spend_authorization_source, fixture_base {
public:
  fixture_spend_authorization(std::shared_ptr<const fixture_chain> c,
                              std::shared_ptr<fault_switch> f)
    : fixture_base{std::move(c), std::move(f)} {}
  read_result<bool> authorized(const covenant::spend_authorization& t) override {
    if (auto cause = fault("fixture CovenantSpendAuthorization"))
      return read_result<bool>::unavailable(*cause);
    if (chain->spend_authorizations.count({t.utxo_key, t.wallet_pkh, t.value, t.outputs_hash}))
      return read_result<bool>::ok(true);
    return {read_code::ok, false, "the fixture chain holds no such authorization"};
  }
};

} // namespace

std::unique_ptr<spend_authorization_source>
make_fixture_spend_authorization(std::shared_ptr<const fixture_chain> chain,
                                 std::shared_ptr<fault_switch> faults) {
  return std::make_unique<fixture_spend_authorization>(std::move(chain), std::move(faults));
}

std::unique_ptr<bridge_source> make_fixture_bridge(std::shared_ptr<const fixture_chain> chain,
                                                   std::shared_ptr<fault_switch> faults) {
  return std::make_unique<fixture_bridge>(std::move(chain), std::move(faults));
}
std::unique_ptr<registry_source> make_fixture_registry(std::shared_ptr<const fixture_chain> chain,
                                                       std::shared_ptr<fault_switch> faults) {
  return std::make_unique<fixture_registry>(std::move(chain), std::move(faults));
}
std::unique_ptr<height_source> make_fixture_height(std::shared_ptr<const fixture_chain> chain,
                                                   std::shared_ptr<fault_switch> faults) {
  return std::make_unique<fixture_height>(std::move(chain), std::move(faults));
}
std::unique_ptr<bitcoin_source> make_fixture_bitcoin(std::shared_ptr<const fixture_chain> chain,
                                                     std::shared_ptr<fault_switch> faults) {
  return std::make_unique<fixture_bitcoin>(std::move(chain), std::move(faults));
}

} // namespace covsigner::chain
