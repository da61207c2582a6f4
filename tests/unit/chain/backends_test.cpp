#include "chain/backends.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/chain/reader_test_support.hpp"

#include <fstream>

namespace covsigner::chain {
namespace {

using namespace std::chrono_literals;

TEST(ChainBackends, FixtureBackendServesTheFileAndIsMarkedSimulated) {
  test_support::temp_dir dir;
  auto path = (dir.path() / "chain.json").string();
  std::ofstream(path) << R"({"hostChainHeight": 77, "bitcoinHeight": 5})";
  backend_config config;
  config.fixture_file = path;
  std::string error;
  auto sources = make_chain_sources(config, error);
  ASSERT_TRUE(sources) << error;
  EXPECT_TRUE(sources->simulated);
  EXPECT_EQ(sources->height->block_height().value, 77u);
  EXPECT_EQ(sources->bitcoin->block_count().value, 5u);
  sources->faults->set(fault_mode::fail);
  EXPECT_EQ(sources->height->block_height().cause, "fixture host chain failed (simulated fault)");
}

TEST(ChainBackends, RefusesBadSettingsNamingThem) {
  std::string error;
  backend_config config;
  EXPECT_FALSE(make_chain_sources(config, error));
  EXPECT_EQ(error, "the fixture backend needs a fixture file");
  config.backend = "ethereum";
  config.rpc_url = "http://127.0.0.1:8545";
  EXPECT_FALSE(make_chain_sources(config, error));
  EXPECT_EQ(error, "the ethereum backend needs the Bridge and WalletRegistry addresses as 0x-hex "
                   "of 20 bytes");
  config.bridge_address = "0x" + std::string(40, '1');
  config.wallet_registry_address = "0x" + std::string(40, '2');
  config.request_timeout = 1000ms; // default sockets total 1600 ms: refused
  EXPECT_FALSE(make_chain_sources(config, error));
  EXPECT_EQ(error, "ethereum RPC: socket timeouts (connect 300 ms + write 300 ms + read 1000 ms) "
                   "must end a call before the request timeout (1000 ms)");
  config.request_timeout = 2000ms;
  config.bitcoin_backend = "bitcoin-core";
  config.bitcoin_rpc_url = "https://node";
  EXPECT_FALSE(make_chain_sources(config, error));
  EXPECT_EQ(error, "bitcoin RPC: not an http:// URL: \"https://node\"");
  config.bitcoin_rpc_url = "http://u:p@127.0.0.1:8332";
  auto sources = make_chain_sources(config, error);
  ASSERT_TRUE(sources) << error;
  EXPECT_FALSE(sources->simulated);
  EXPECT_FALSE(sources->faults);
  config.backend = "solana";
  EXPECT_FALSE(make_chain_sources(config, error));
  EXPECT_EQ(error, "unknown chain backend \"solana\" (fixture | ethereum)");
}

} // namespace
} // namespace covsigner::chain
