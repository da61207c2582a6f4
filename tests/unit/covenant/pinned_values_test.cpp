// Pinned values from keep-core's covenantsigner tests (reference §8, §9):
// TestMigrationDestinationMatchesKnownVector,
// TestMigrationTransactionPlanCommitmentHashMatchesCanonicalVectors,
// TestMigrationPlanQuoteSigningVectorsMatchFixture, and the default EIP-712
// salt. Fixtures are the Go tests' own (validMigrationDestination etc.).
#include "covenant/approval_digest.hpp"
#include "covenant/commitments.hpp"
#include "covenant/plan_quote.hpp"
#include "covenant/signature_primitives.hpp"
#include "vector_support.hpp"

namespace cv = covsigner::covenant;
namespace cr = covsigner::crypto;
using namespace covsigner::covenant::test;

namespace {

// keep-core covenantsigner_test.go validMigrationDestination().
cv::migration_destination_reservation reserve_11_fixture() {
  cv::migration_destination_reservation d;
  d.reservation_id = "cmdr_12345678";
  d.reserve = "0x1111111111111111111111111111111111111111";
  d.epoch = 12;
  d.route = "MIGRATION";
  d.revealer = "0x2222222222222222222222222222222222222222";
  d.vault = "0x3333333333333333333333333333333333333333";
  d.network = "regtest";
  d.status = "RESERVED";
  d.deposit_script = "0x0014aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  d.deposit_script_hash = *cv::script_hash(d.deposit_script);
  d.migration_extra_data = cv::migration_extra_data(d.revealer);
  return d;
}

cv::transaction_plan plan(std::uint64_t input, std::uint64_t destination, std::uint64_t fee,
                          std::uint32_t lock_time) {
  cv::transaction_plan p;
  p.plan_version = 1;
  p.plan_commitment_hash = "0x" + std::string(64, '0');
  p.input_value_sats = input;
  p.destination_value_sats = destination;
  p.anchor_value_sats = 330;
  p.fee_sats = fee;
  p.input_sequence = 0xFFFFFFFD;
  p.lock_time = lock_time;
  return p;
}

cv::route_submit_request plan_request(std::string reserve, std::uint64_t epoch, std::string txid,
                                      std::uint32_t vout, std::string destination) {
  cv::route_submit_request r;
  r.reserve = std::move(reserve);
  r.epoch = epoch;
  r.active_outpoint.txid = std::move(txid);
  r.active_outpoint.vout = vout;
  r.destination_commitment_hash = std::move(destination);
  return r;
}

cv::plan_quote quote_from(const boost::json::value& v) {
  // The vector's unsigned quote is a MigrationDestinationPlanQuote without
  // `signature`; decode it through a request to reuse the strict decoder.
  boost::json::object wrapper;
  wrapper["migrationPlanQuote"] = v;
  auto r = decode_request_value(wrapper);
  EXPECT_TRUE(r.migration_plan_quote);
  return r.migration_plan_quote.value_or(cv::plan_quote{});
}

} // namespace

TEST(PinnedValues, MigrationDestinationMatchesKnownVector) {
  auto d = reserve_11_fixture();
  EXPECT_EQ(d.deposit_script_hash,
            "0x8532ec6785e391b2af968b5728d574e271c7f46658f5ed10845d9ad5b23ac6d3");
  EXPECT_EQ(d.migration_extra_data,
            "0x41435f4d49475241544556312222222222222222222222222222222222222222");
  EXPECT_EQ(cv::migration_destination_commitment(d),
            "0x3efc50372759413e0f1900a2340fbb947648c524e5ec3cb4cf8887ea2d7df474");
  // Mixed case and surrounding network whitespace normalise away.
  auto variant = d;
  variant.reserve = "0x1111111111111111111111111111111111111111";
  variant.vault = "0x3333333333333333333333333333333333333333";
  variant.network = "  regtest\n";
  variant.deposit_script_hash = "0x8532EC6785E391B2AF968B5728D574E271C7F46658F5ED10845D9AD5B23AC6D3";
  EXPECT_EQ(cv::migration_destination_commitment(variant),
            cv::migration_destination_commitment(d));
}

TEST(PinnedValues, TransactionPlanCommitmentsMatchCanonicalVectors) {
  EXPECT_EQ(cv::transaction_plan_commitment(
                plan_request("0x2000000000000000000000000000000000000002", 12,
                             "0x1111111111111111111111111111111111111111111111111111111111111111",
                             1, "0xf1b1739d99ea890ea6d419d6db28f4d5fe0871c32619a0984c1bfdbe4025f768"),
                plan(1000000, 998000, 1670, 950000)),
            "0x8dcafe57b888040d644e80dfd1b8b089dfd5016205d78316549ef71d032070f2");
  EXPECT_EQ(cv::transaction_plan_commitment(
                plan_request("0xAbCd00000000000000000000000000000000Ef01", 0,
                             "0xAaBbCcDdAaBbCcDdAaBbCcDdAaBbCcDdAaBbCcDdAaBbCcDdAaBbCcDdAaBbCcDd",
                             0, "0xFfEeDdCcBbAa00998877665544332211FfEeDdCcBbAa00998877665544332211"),
                plan(100000, 99300, 370, 1)),
            "0x626ce76714e04a41a5ec06a96082cac2ebd4d8f687fdc77766ffd9c0d11dac14");
  EXPECT_EQ(cv::transaction_plan_commitment(
                plan_request("0x9999999999999999999999999999999999999999", 4294967295,
                             "0x0000000000000000000000000000000000000000000000000000000000000001",
                             4294967295,
                             "0x00000000000000000000000000000000000000000000000000000000000000aa"),
                plan(9007199254740000, 9007199254737000, 2670, 0xffffffff)),
            "0x42983bef3abb9680093ca0254c780c6ed4e6178405649bf1846ebb381ca89e02");
}

TEST(PinnedValues, DefaultApprovalSalt) {
  EXPECT_EQ(cr::to_0x_hex(cv::default_approval_salt()),
            "0xb3b7ae87508f1c8bae052350611225940299ec8aecc9b9eda136d2d7e161cf4a");
  EXPECT_EQ(cv::resolve_approval_salt(""), cv::default_approval_salt());
  EXPECT_FALSE(cv::resolve_approval_salt("0x1234"));
}

TEST(PinnedValues, PlanQuoteSigningVectorsMatchFixture) {
  auto file = load_vector_file("migration_plan_quote_signing_vectors_v1.json");
  const auto& root_json = file.at("trustRoot").as_object();
  cv::plan_quote_trust_root root{str(root_json, "keyId"), str(root_json, "publicKeyPem")};
  auto key = cv::parse_plan_quote_trust_root("migrationPlanQuoteTrustRoots[0]", root);
  ASSERT_TRUE((std::holds_alternative<std::array<std::uint8_t, 32>>(key)));
  for (const char* name : {"base", "mixed_case"}) {
    SCOPED_TRACE(name);
    const auto& v = vector_case(file, name);
    auto quote = quote_from(v.at("unsignedQuote"));
    EXPECT_EQ(cv::plan_quote_signing_payload(quote), str(v, "expectedPayload"));
    EXPECT_EQ(cv::plan_quote_signing_preimage(quote), str(v, "expectedPreimage"));
    auto hash = cv::plan_quote_signing_hash(quote);
    EXPECT_EQ(cr::to_0x_hex(hash), str(v, "expectedHash"));
    auto signature = *cr::from_0x_hex(str(v, "expectedSignature"));
    EXPECT_TRUE(cv::ed25519_verify_signature(std::get<0>(key), hash.data(), hash.size(), signature));
    signature[0] ^= 1;
    EXPECT_FALSE(cv::ed25519_verify_signature(std::get<0>(key), hash.data(), hash.size(), signature));
  }
}

TEST(PinnedValues, PlanQuoteTrustRootPemRules) {
  auto file = load_vector_file("migration_plan_quote_signing_vectors_v1.json");
  std::string pem = str(file.at("trustRoot").as_object(), "publicKeyPem");
  // Literal "\n" sequences (as YAML/env configs carry them) are accepted.
  std::string escaped;
  for (char c : pem)
    escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  auto from_escaped = cv::parse_plan_quote_trust_root("r", {"k", "  " + escaped + "  "});
  EXPECT_TRUE((std::holds_alternative<std::array<std::uint8_t, 32>>(from_escaped)));
  auto not_pem = cv::parse_plan_quote_trust_root("migrationPlanQuoteTrustRoots[0]", {"k", "nope"});
  EXPECT_EQ(std::get<cv::input_error>(not_pem).message,
            "migrationPlanQuoteTrustRoots[0].publicKeyPem must be a PEM-encoded public key");
  // A P-256 SPKI key, generated with `openssl ecparam -name prime256v1`
  // (TestParseMigrationPlanQuoteTrustRootRejectsNonEd25519Key).
  const std::string p256 =
      "-----BEGIN PUBLIC KEY-----\n"
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEgozf3bP9u6BJhqVmXF1bPxh76DMY\n"
      "lF3YSsToTCfP9AkdHyN+WLlRmbJTQTKqzDtrNIa3bPoIjivtTPKM11PM0A==\n"
      "-----END PUBLIC KEY-----\n";
  auto wrong_type = cv::parse_plan_quote_trust_root("migrationPlanQuoteTrustRoots[1]", {"k", p256});
  EXPECT_EQ(std::get<cv::input_error>(wrong_type).message,
            "migrationPlanQuoteTrustRoots[1].publicKeyPem must be a PEM-encoded Ed25519 public key");
}

// TestArtifactApprovalDigestMatchesV2Contract: the Go tests' baseRequest
// payload (destination = validMigrationDestination, plan for reserve
// 0x11..11, epoch 12, outpoint 0x0102:1, 1,000,000 -> 998,000 + 330 + 1,670
// sats, lockTime = maturityHeight 912345) under the zero domain (chainId 0,
// all-zero salt). Full values from covenantsigner_test.go.
TEST(PinnedValues, ZeroDomainV2ApprovalDigests) {
  auto d = reserve_11_fixture();
  std::string destination = cv::migration_destination_commitment(d);
  auto request = plan_request(d.reserve, 12, "0x0102", 1, destination);
  std::string plan_hash = cv::transaction_plan_commitment(request, plan(1000000, 998000, 1670, 912345));
  auto digest_for = [&](const char* route) {
    cv::approval_payload payload{2, route, route, destination, plan_hash};
    return cr::to_0x_hex(std::get<cr::hash32>(cv::artifact_approval_digest(payload, {}, 2)));
  };
  std::string qc = digest_for("qc_v1");
  std::string self = digest_for("self_v1");
  EXPECT_EQ(qc, "0xc8246daca36f0116377210140056949b23c37b3de3a5c48ec8d125405a9f05fe");
  EXPECT_EQ(self, "0x063735af147351025209ba54a606b38598d67e60848d463bbd4bcfcbdf3506c7");
  // The domain matters: the default salt gives a different digest.
  cv::approval_payload payload{2, "qc_v1", "qc_v1", destination, plan_hash};
  EXPECT_NE(cr::to_0x_hex(std::get<cr::hash32>(cv::artifact_approval_digest(
                payload, cv::eip712_domain{0, cv::default_approval_salt()}, 2))),
            qc);
}
