#include "chain/backends.hpp"

#include "chain/bitcoin_rpc.hpp"
#include "chain/ethereum.hpp"

namespace covsigner::chain {

namespace {

std::optional<json_rpc_client> rpc_client(const std::string& what, const std::string& url,
                                          const backend_config& config, std::string& error) {
  auto endpoint = parse_http_url(url);
  if (!endpoint) {
    error = what + ": not an http:// URL: \"" + url + "\"";
    return std::nullopt;
  }
  if (auto bad = check_timeouts(config.sockets, config.request_timeout); !bad.empty()) {
    error = what + ": " + bad;
    return std::nullopt;
  }
  return json_rpc_client(*endpoint, config.sockets);
}

} // namespace

std::optional<chain_sources> make_chain_sources(const backend_config& config, std::string& error) {
  chain_sources out;
  std::shared_ptr<const fixture_chain> fixture;
  auto need_fixture = [&]() -> bool {
    if (fixture)
      return true;
    if (config.fixture_file.empty()) {
      error = "the fixture backend needs a fixture file";
      return false;
    }
    auto loaded = load_fixture_file(config.fixture_file, error);
    if (!loaded)
      return false;
    fixture = std::make_shared<const fixture_chain>(std::move(*loaded));
    out.faults = std::make_shared<fault_switch>();
    out.simulated = true;
    return true;
  };

  if (config.backend == "fixture") {
    if (!need_fixture())
      return std::nullopt;
    out.bridge = make_fixture_bridge(fixture, out.faults);
    out.registry = make_fixture_registry(fixture, out.faults);
    out.height = make_fixture_height(fixture, out.faults);
    out.spend_authorization = make_fixture_spend_authorization(fixture, out.faults);
  } else if (config.backend == "ethereum") {
    auto bridge = crypto::fixed_from_0x_hex<20>(config.bridge_address);
    auto registry = crypto::fixed_from_0x_hex<20>(config.wallet_registry_address);
    if (!bridge || !registry) {
      error = "the ethereum backend needs the Bridge and WalletRegistry addresses as 0x-hex of "
              "20 bytes";
      return std::nullopt;
    }
    auto client = rpc_client("ethereum RPC", config.rpc_url, config, error);
    if (!client)
      return std::nullopt;
    out.bridge = make_ethereum_bridge(*client, *bridge);
    out.registry = make_ethereum_registry(*client, *registry);
    out.height = make_ethereum_height(*client);
    const auto& text = config.spend_authorization_address;
    auto spend = crypto::fixed_from_0x_hex<20>(text);
    if (!text.empty() && !spend) {
      error = "the CovenantSpendAuthorization address must be 0x-hex of 20 bytes: \"" + text + "\"";
      return std::nullopt;
    }
    if (!spend || *spend == eth_address{})
      out.spend_authorization_unset =
        "no CovenantSpendAuthorization registry is configured (--chain.spend-authorization-address "
        "is " + std::string(text.empty() ? "unset" : "the zero address") + ")";
    else
      out.spend_authorization = make_ethereum_spend_authorization(
        *client, *spend, config.spend_authorization_confirmations);
  } else {
    error = "unknown chain backend \"" + config.backend + "\" (fixture | ethereum)";
    return std::nullopt;
  }

  if (config.bitcoin_backend == "fixture") {
    if (!need_fixture())
      return std::nullopt;
    out.bitcoin = make_fixture_bitcoin(fixture, out.faults);
  } else if (config.bitcoin_backend == "bitcoin-core") {
    auto client = rpc_client("bitcoin RPC", config.bitcoin_rpc_url, config, error);
    if (!client)
      return std::nullopt;
    out.bitcoin = make_bitcoin_core(*client);
  } else {
    error = "unknown bitcoin backend \"" + config.bitcoin_backend + "\" (fixture | bitcoin-core)";
    return std::nullopt;
  }
  return out;
}

} // namespace covsigner::chain
