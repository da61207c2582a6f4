// Trust-root configuration (reference §5.4): startup normalisation and its
// exact rejections. Ports of keep-core covenantsigner_test.go
// TestNewServiceRejectsDuplicateDepositorTrustRootScope,
// TestNewServiceRejectsMixedEthAddressPresenceForSameReserve,
// TestNormalizeEthAddressRejectsZeroAddress,
// TestNewServiceRejectsInvalidCustodianTrustRootPublicKey,
// TestParseMigrationPlanQuoteTrustRootRejectsInvalidPEM,
// TestParseMigrationPlanQuoteTrustRootRejectsNonEd25519Key.
#include "covenant/trust_roots.hpp"
#include "crypto/secp256k1.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace cv = covsigner::covenant;
namespace cr = covsigner::crypto;

namespace {

std::string key_hex(std::uint8_t fill) {
  std::array<std::uint8_t, 32> scalar;
  scalar.fill(fill);
  return cr::to_0x_hex(
      cr::serialize_compressed(cr::derive_public_key(*cr::parse_private_key(scalar))));
}

const std::string reserve = "0x2222222222222222222222222222222222222222";

std::string error_of(const std::variant<cv::trust_roots, cv::input_error>& r) {
  if (const auto* e = std::get_if<cv::input_error>(&r))
    return e->message;
  return "<accepted>";
}

std::variant<cv::trust_roots, cv::input_error> parse(std::string_view json) {
  return cv::parse_trust_roots(boost::json::parse(json).as_object());
}

} // namespace

TEST(ValidationTrustRootConfig, NormalisesCaseAndWhitespace) {
  auto upper = key_hex(0x11);
  for (auto& c : upper)
    if (c != 'x')
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  cv::trust_roots raw;
  raw.depositor.push_back({"qc_v1", "0x" + std::string(40, 'A'), "  RegTest\t", upper,
                           "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"});
  auto n = cv::normalize_trust_roots(raw);
  ASSERT_EQ(error_of(n), "<accepted>");
  const auto& r = std::get<cv::trust_roots>(n).depositor.at(0);
  EXPECT_EQ(r.reserve, "0x" + std::string(40, 'a'));
  EXPECT_EQ(r.network, "regtest");
  EXPECT_EQ(r.public_key, key_hex(0x11));
  EXPECT_EQ(r.eth_address, "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
}

TEST(ValidationTrustRootConfig, RejectsDuplicateScope) {
  cv::trust_roots raw;
  raw.depositor.push_back({"qc_v1", reserve, "regtest", key_hex(0x11), ""});
  raw.depositor.push_back({"self_v1", reserve, "regtest", key_hex(0x11), ""});
  raw.depositor.push_back({"qc_v1", "0x" + std::string(40, '2'), " REGTEST ", key_hex(0x12), ""});
  EXPECT_EQ(error_of(cv::normalize_trust_roots(raw)),
            "depositorTrustRoots[2] duplicates depositorTrustRoots[0] for route qc_v1 reserve " +
                reserve + " network regtest");
  raw.depositor.pop_back();
  raw.custodian = raw.depositor;
  raw.custodian.push_back(raw.custodian.front());
  EXPECT_EQ(error_of(cv::normalize_trust_roots(raw)),
            "custodianTrustRoots[2] duplicates custodianTrustRoots[0] for route qc_v1 reserve " +
                reserve + " network regtest");
}

TEST(ValidationTrustRootConfig, RejectsMixedEthAddressPresenceForSameReserve) {
  cv::trust_roots raw;
  const std::string eth = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
  raw.depositor.push_back({"self_v1", reserve, "regtest", key_hex(0x11), eth});
  raw.depositor.push_back({"self_v1", reserve, "mainnet", key_hex(0x11), ""});
  EXPECT_EQ(error_of(cv::normalize_trust_roots(raw)),
            "depositorTrustRoots for route self_v1 reserve " + reserve +
                " must set ethAddress on all network entries or on none");
  raw.depositor[1].eth_address = eth;
  EXPECT_EQ(error_of(cv::normalize_trust_roots(raw)), "<accepted>");
  // Another route of the same reserve is a separate scope.
  raw.depositor[1] = {"qc_v1", reserve, "mainnet", key_hex(0x11), ""};
  EXPECT_EQ(error_of(cv::normalize_trust_roots(raw)), "<accepted>");
}

// Go normalizeDepositorTrustRoots runs three passes: every entry's scope
// and key (with duplicates), then every ethAddress, then ETH presence per
// (route, reserve), reporting the first entry in order that disagrees.
TEST(ValidationTrustRootConfig, ChecksRunInTheReferencePasses) {
  cv::trust_roots raw;
  raw.depositor.push_back({"self_v1", reserve, "regtest", key_hex(0x11), "0xnot-an-address"});
  raw.depositor.push_back({"self_v1", reserve, "regtest", key_hex(0x11), ""});
  EXPECT_EQ(error_of(cv::normalize_trust_roots(raw)),
            "depositorTrustRoots[1] duplicates depositorTrustRoots[0] for route self_v1 reserve " +
                reserve + " network regtest");
  raw.depositor[1].network = "mainnet";
  EXPECT_EQ(error_of(cv::normalize_trust_roots(raw)),
            "depositorTrustRoots[0].ethAddress must be a 20-byte hex ETH address");

  const std::string eth = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
  const std::string other = "0x" + std::string(40, '3');
  raw.depositor = {{"self_v1", reserve, "regtest", key_hex(0x11), eth},
                   {"self_v1", other, "regtest", key_hex(0x11), eth},
                   {"self_v1", other, "mainnet", key_hex(0x11), ""},
                   {"self_v1", reserve, "mainnet", key_hex(0x11), ""}};
  EXPECT_EQ(error_of(cv::normalize_trust_roots(raw)),
            "depositorTrustRoots for route self_v1 reserve " + other +
                " must set ethAddress on all network entries or on none");

  // The key is checked after lowercasing, so an upper-case 0X prefix passes.
  raw.depositor = {{"self_v1", reserve, "regtest", "0X" + key_hex(0x11).substr(2), ""}};
  EXPECT_EQ(error_of(cv::normalize_trust_roots(raw)), "<accepted>");
  // The reserve is checked as given (Go validateHexString on the raw value).
  raw.depositor = {{"self_v1", "0X" + reserve.substr(2), "regtest", key_hex(0x11), ""}};
  EXPECT_EQ(error_of(cv::normalize_trust_roots(raw)),
            "depositorTrustRoots[0].reserve must be a 0x-prefixed even-length hex string");
}

TEST(ValidationTrustRootConfig, EthAddressRules) {
  auto zero = cv::normalize_eth_address("depositorTrustRoots[0].ethAddress",
                                        "0x0000000000000000000000000000000000000000");
  ASSERT_TRUE(std::holds_alternative<cv::input_error>(zero));
  EXPECT_EQ(std::get<cv::input_error>(zero).message,
            "depositorTrustRoots[0].ethAddress must not be the zero ETH address");
  auto short_address = cv::normalize_eth_address("x", "0x1234");
  EXPECT_EQ(std::get<cv::input_error>(short_address).message,
            "x must be a 20-byte hex ETH address");
  EXPECT_EQ(std::get<cv::input_error>(cv::normalize_eth_address("x", "0xzz")).message,
            "x must be a 20-byte hex ETH address");
  // Go normalizeEthAddress: trimmed, any case, 0x prefix optional.
  for (const char* form : {"  0x70997970C51812dc3A010C7d01b50e0d17dc79C8 ",
                           "70997970c51812dc3a010c7d01b50e0d17dc79c8",
                           "0X70997970C51812DC3A010C7D01B50E0D17DC79C8"}) {
    auto ok = cv::normalize_eth_address("x", form);
    ASSERT_TRUE(std::holds_alternative<std::string>(ok)) << form;
    EXPECT_EQ(std::get<std::string>(ok), "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  }
  cv::trust_roots raw;
  raw.custodian.push_back({"qc_v1", reserve, "regtest", key_hex(0x33),
                           "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"});
  EXPECT_EQ(error_of(cv::normalize_trust_roots(raw)),
            "custodianTrustRoots[0].ethAddress is only supported for depositorTrustRoots");
}

TEST(ValidationTrustRootConfig, RejectsInvalidEntries) {
  auto one = [](cv::approval_trust_root r) {
    cv::trust_roots raw;
    raw.custodian.push_back(std::move(r));
    return error_of(cv::normalize_trust_roots(raw));
  };
  // x = 2^256 - 1 exceeds the field prime: not a point.
  EXPECT_EQ(one({"qc_v1", reserve, "regtest", "0x02" + std::string(64, 'f'), ""}),
            "custodianTrustRoots[0].publicKey must be a compressed secp256k1 public key");
  auto uncompressed = cr::to_0x_hex(cr::serialize_uncompressed(
      *cr::parse_public_key(*cr::from_0x_hex(key_hex(0x33)))));
  EXPECT_EQ(one({"qc_v1", reserve, "regtest", uncompressed, ""}),
            "custodianTrustRoots[0].publicKey must be a compressed secp256k1 public key");
  EXPECT_EQ(one({"qc_v2", reserve, "regtest", key_hex(0x33), ""}),
            "custodianTrustRoots[0].route must be self_v1 or qc_v1");
  EXPECT_EQ(one({"qc_v1", "2222", "regtest", key_hex(0x33), ""}),
            "custodianTrustRoots[0].reserve must be a 0x-prefixed even-length hex string");
  EXPECT_EQ(one({"qc_v1", reserve, "  ", key_hex(0x33), ""}),
            "custodianTrustRoots[0].network is required");
}

TEST(ValidationTrustRootConfig, QuoteRootsNeedEd25519Pem) {
  cv::trust_roots raw;
  raw.quote.push_back({" key-1 ", "not a pem"});
  EXPECT_EQ(error_of(cv::normalize_trust_roots(raw)),
            "migrationPlanQuoteTrustRoots[0].publicKeyPem must be a PEM-encoded public key");
  // A P-256 SPKI key (generated with openssl genpkey -algorithm EC).
  raw.quote[0].public_key_pem =
      "-----BEGIN PUBLIC KEY-----\n"
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEopT995T3AvTva1gBocPQZxUFmu3\n"
      "ZibE9TzLcRmOZC0rmymZbh4edp/ZiDv04/uZp9xodGJnrkl6+6MuTZCiWg==\n"
      "-----END PUBLIC KEY-----\n";
  EXPECT_EQ(error_of(cv::normalize_trust_roots(raw)),
            "migrationPlanQuoteTrustRoots[0].publicKeyPem must be a PEM-encoded Ed25519 public key");
  // Ed25519 key of seed 0x44 x 32, with literal "\n" escapes; keyId trimmed.
  raw.quote[0].public_key_pem = "-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEA11l5O7wTooGagnx2rbb7"
                                "qKSa7gB/SfLQmS2ZuCWtLEg=\\n-----END PUBLIC KEY-----\\n";
  auto ok = cv::normalize_trust_roots(raw);
  ASSERT_EQ(error_of(ok), "<accepted>");
  EXPECT_EQ(std::get<cv::trust_roots>(ok).quote.at(0).key_id, "key-1");
  // Go NewService: a keyId blank after trimming is a startup error.
  raw.quote.push_back({" \t ", raw.quote[0].public_key_pem});
  EXPECT_EQ(error_of(cv::normalize_trust_roots(raw)),
            "migration plan quote trust root KeyID at index 1 is empty after trimming");
}

TEST(ValidationTrustRootConfig, ParsesConfigObject) {
  auto ok = parse(R"({"depositorTrustRoots":[{"route":"self_v1","reserve":")" + reserve +
                  R"(","network":"regtest","publicKey":")" + key_hex(0x11) +
                  R"("}],"custodianTrustRoots":[]})");
  ASSERT_EQ(error_of(ok), "<accepted>");
  EXPECT_EQ(std::get<cv::trust_roots>(ok).depositor.size(), 1u);
  EXPECT_EQ(error_of(parse(R"({"custodianTrustRoots":{}})")),
            "custodianTrustRoots must be a list");
  EXPECT_EQ(error_of(parse(R"({"custodianTrustRoots":[{"route":"qc_v1","ethAddress":"0x"}]})")),
            "custodianTrustRoots[0] has unknown field ethAddress");
  EXPECT_EQ(error_of(parse(R"({"depositorTrustRoots":[{"route":1}]})")),
            "depositorTrustRoots[0].route must be a string");
  EXPECT_EQ(error_of(parse(R"({"depositorTrustRoots":[3]})")),
            "depositorTrustRoots[0] must be an object");
}

TEST(ValidationTrustRootConfig, ScopeUsesThePresentDestination) {
  cv::route_submit_request r;
  r.route = "qc_v1";
  r.reserve = "0xABCD";
  cv::redeem_destination_reservation d;
  d.network = " TestNet ";
  r.redeem_destination = d;
  auto scope = cv::request_trust_root_scope(r);
  EXPECT_EQ(scope.route, "qc_v1");
  EXPECT_EQ(scope.reserve, "0xabcd");
  EXPECT_EQ(scope.network, "testnet");
  cv::migration_destination_reservation m;
  m.network = "regtest";
  r.migration_destination = m; // migration takes precedence
  EXPECT_EQ(cv::request_trust_root_scope(r).network, "regtest");
}
