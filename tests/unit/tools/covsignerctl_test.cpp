// covsignerctl run as a child process: `example` bodies a node accepts,
// the committed examples/requests/, `digest` against covenant/ and the
// pinned v2 vectors, `validate` printing the node's exact 400 texts.
#include "tests/unit/tools/run_ctl.hpp"

#include "covenant/approval_digest.hpp"
#include "covenant/normalize.hpp"
#include "covenant/request.hpp"
#include "covenant/spend_authorization.hpp"
#include "covenant/validation.hpp"
#include "crypto/bytes.hpp"
#include "crypto/secp256k1.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <tuple>
#include <variant>

namespace {

using namespace covsigner;
using test_support::ctl_result;
using test_support::read_text_file;
using test_support::run_ctl;
using test_support::write_text_file;

// The node's default domain: chainId 0, keccak256("tBTC Covenant Artifact
// Approval Domain v2") as salt.
covenant::eip712_domain node_default_domain() {
  return {0, covenant::default_approval_salt()};
}

covenant::submit_input decode(const std::string& body) {
  auto decoded = covenant::decode_submit_input(body);
  if (auto* e = std::get_if<covenant::input_error>(&decoded))
    ADD_FAILURE() << "body does not decode: " << e->detail;
  return std::get<covenant::submit_input>(decoded);
}

// "" when `body` passes validate_submit for `route` under `domain`, else
// the error message.
std::string validation_error_of(const std::string& body, const std::string& route,
                                const covenant::eip712_domain& domain) {
  covenant::validation_policy policy;
  policy.domain = domain;
  auto r = covenant::validate_submit(decode(body), route, policy);
  if (auto* e = std::get_if<covenant::validation_error>(&r))
    return e->message;
  return "";
}

std::string dev_key_hex(std::uint8_t fill) {
  std::array<std::uint8_t, 32> scalar;
  scalar.fill(fill);
  return crypto::to_0x_hex(
      crypto::serialize_compressed(crypto::derive_public_key(*crypto::parse_private_key(scalar))));
}

// The string value of a JSON member ("<not a string>" otherwise).
std::string str(const boost::json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : "<not a string>";
}

class ExampleTest
    : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(ExampleTest, BodyValidatesUnderTheNodeDefaultDomain) {
  const auto& [route, action] = GetParam();
  std::vector<std::string> args = {"example", "--route", route};
  if (!action.empty()) {
    args.push_back("--action");
    args.push_back(action);
  }
  ctl_result r = run_ctl(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(validation_error_of(r.out, route, node_default_domain()), "");

  auto body = boost::json::parse(r.out).as_object();
  EXPECT_EQ(str(body.at("routeRequestId")), "ors_demo_" + route);
  const auto& request = body.at("request").as_object();
  EXPECT_EQ(str(request.at("route")), route);
  if (action.empty())
    EXPECT_FALSE(request.contains("action"));
  else
    EXPECT_EQ(str(request.at("action")), action);
  // The destination matching the action, and only that one.
  const std::string resolved = action.empty() ? "MIGRATION" : action;
  EXPECT_EQ(request.contains("migrationDestination"), resolved == "MIGRATION");
  EXPECT_EQ(request.contains("redeemDestination"), resolved == "REDEEM");
  EXPECT_EQ(request.contains("renewDestination"), resolved == "RENEW");
  // No certificate: a node without a verifier refuses one.
  EXPECT_FALSE(request.contains("signerApproval"));
  // Template keys are the published development keys.
  const auto& t = request.at("scriptTemplate").as_object();
  EXPECT_EQ(str(t.at("depositorPublicKey")), dev_key_hex(0x11));
  EXPECT_EQ(str(t.at("signerPublicKey")), dev_key_hex(0x22));
  if (route == "qc_v1")
    EXPECT_EQ(str(t.at("custodianPublicKey")), dev_key_hex(0x33));
  else
    EXPECT_FALSE(t.contains("custodianPublicKey"));
}

INSTANTIATE_TEST_SUITE_P(
    RoutesAndActions, ExampleTest,
    ::testing::Combine(::testing::Values("qc_v1", "self_v1"),
                       ::testing::Values("", "MIGRATION", "REDEEM", "RENEW")),
    [](const auto& info) {
      auto action = std::get<1>(info.param);
      return std::get<0>(info.param) + "_" + (action.empty() ? "default" : action);
    });

TEST(Example, DomainOptionsChangeTheSignedDomain) {
  const std::string salt = "0x" + std::string(64, '5');
  ctl_result r = run_ctl({"example", "--route", "qc_v1", "--eip712-chain-id", "31337",
                          "--eip712-salt=" + salt, "--route-request-id", "ors_custom"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  covenant::eip712_domain domain{31337, *crypto::fixed_from_0x_hex<32>(salt)};
  EXPECT_EQ(validation_error_of(r.out, "qc_v1", domain), "");
  EXPECT_EQ(str(boost::json::parse(r.out).at("routeRequestId")), "ors_custom");
  // A node on the default domain recovers another digest: D fails first.
  EXPECT_EQ(validation_error_of(r.out, "qc_v1", node_default_domain()),
            "request.artifactApprovals.approvals[0].signature does not verify against the "
            "required public key");
}

TEST(Example, RefusesUnknownRouteActionAndOptions) {
  ctl_result r = run_ctl({"example", "--route", "qc_v2"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "covsignerctl: unsupported route [qc_v2]: expected qc_v1 or self_v1\n");

  r = run_ctl({"example", "--route", "self_v1", "--action", "redeem"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "covsignerctl: unsupported action [redeem]: expected MIGRATION, REDEEM or RENEW\n");

  r = run_ctl({"example", "--route", "qc_v1", "--eip712-salt", "0x1234"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "covsignerctl: invalid --eip712-salt [0x1234]: expected 0x + 64 hex\n");

  r = run_ctl({"example", "--route", "qc_v1", "--eip712-chain-id", "-1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "covsignerctl: invalid --eip712-chain-id [-1]: expected a decimal uint64\n");

  for (const char* bad : {"0", "-5", "1e6", ""}) {
    r = run_ctl({"example", "--route", "qc_v1", "--signer-approval-end-block", bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_EQ(r.out, "") << bad;
    EXPECT_EQ(r.err, std::string("covsignerctl: invalid --signer-approval-end-block [") + bad +
                         "]: expected a non-zero decimal uint64\n");
  }

  r = run_ctl({"example", "--rout", "qc_v1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "covsignerctl: unknown option --rout\n");
}

TEST(Cli, UnknownCommandAndHelp) {
  ctl_result r = run_ctl({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("covsignerctl: unknown command 'frobnicate'\n", 0), 0u) << r.err;

  r = run_ctl({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* name : {"example", "example-chain", "digest", "validate"})
    EXPECT_NE(r.out.find(std::string("\n  ") + name + " "), std::string::npos) << name;

  // The example help warns that the signing keys are public.
  r = run_ctl({"example", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("FIXED, PUBLISHED DEVELOPMENT KEYS"), std::string::npos);
  EXPECT_NE(r.out.find("--signer-approval-end-block N"), std::string::npos);
  r = run_ctl({"example-chain", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("PUBLIC signer dev key"), std::string::npos);
}

// --- examples/ -----------------------------------------------------------------

TEST(CommittedExamples, ValidateUnderTheNodeDefaultDomainAndAreRegenerated) {
  for (const std::string route : {"qc_v1", "self_v1"}) {
    const std::string path =
        std::string{COVSIGNER_SOURCE_DIR} + "/examples/requests/" + route + ".json";
    const std::string committed = read_text_file(path);
    EXPECT_EQ(validation_error_of(committed, route, node_default_domain()), "") << path;
    auto input = decode(committed);
    EXPECT_EQ(input.route_request_id, "ors_demo_" + route);
    // The committed file is exactly what `covsignerctl example` prints
    // (deterministic RFC 6979 signatures), so it can be regenerated.
    ctl_result r = run_ctl({"example", "--route", route});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, committed) << "regenerate " << path << " with examples/regenerate.sh";
  }
}

// The walk-through's files (examples/regenerate.sh): the certified requests
// and the development chain are exactly what covsignerctl prints; that they
// sign on that chain is dev_chain_examples_test.cpp's.
TEST(CommittedExamples, WalkThroughFilesAreRegenerated) {
  const std::string dir = std::string{COVSIGNER_SOURCE_DIR} + "/examples/";
  for (const std::string route : {"qc_v1", "self_v1"}) {
    const std::string path = dir + "requests/" + route + "-certified.json";
    ctl_result r =
        run_ctl({"example", "--route", route, "--signer-approval-end-block", "1000000"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, read_text_file(path)) << "regenerate " << path
                                           << " with examples/regenerate.sh";
    const auto request = boost::json::parse(r.out).at("request").as_object();
    EXPECT_EQ(request.at("signerApproval").at("endBlock").to_number<std::uint64_t>(), 1000000u);
    // The legacy list ends with the certificate's signature (reference §5.3).
    EXPECT_EQ(request.at("artifactSignatures").as_array().back(),
              request.at("signerApproval").at("signature"));
    // Without a verifier the node refuses a certificate.
    covenant::validation_policy policy;
    policy.domain = node_default_domain();
    policy.current_height = 1000;
    auto refused = covenant::validate_submit(decode(r.out), route, policy);
    ASSERT_TRUE(std::holds_alternative<covenant::validation_error>(refused));
    EXPECT_EQ(std::get<covenant::validation_error>(refused).message,
              "request.signerApproval cannot be verified by this signer deployment");
  }
  ctl_result chain = run_ctl({"example-chain"});
  ASSERT_EQ(chain.exit_code, 0) << chain.err;
  EXPECT_EQ(chain.out, read_text_file(dir + "chain/dev-chain.json"))
      << "regenerate examples/chain/dev-chain.json with examples/regenerate.sh";
}

TEST(ExampleChain, ConfirmationsOptionAndErrors) {
  ctl_result r = run_ctl({"example-chain", "--confirmations", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = boost::json::parse(r.out).as_object();
  const auto& txs = doc.at("transactions").as_array();
  ASSERT_EQ(txs.size(), 2u);
  for (const auto& t : txs)
    EXPECT_EQ(t.at("confirmations").to_number<std::uint64_t>(), 3u);
  // Each `example` body spends output 1 of one of the chain's transactions.
  for (const std::string route : {"qc_v1", "self_v1"}) {
    ctl_result ex = run_ctl({"example", "--route", route});
    ASSERT_EQ(ex.exit_code, 0) << ex.err;
    const auto outpoint = boost::json::parse(ex.out).at("request").at("activeOutpoint");
    EXPECT_EQ(outpoint.at("vout").to_number<std::uint32_t>(), 1u);
    int matches = 0;
    for (const auto& t : txs)
      matches += t.at("txid") == outpoint.at("txid");
    EXPECT_EQ(matches, 1) << route;
  }

  r = run_ctl({"example-chain", "--confirmations", "six"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "covsignerctl: invalid --confirmations [six]: expected a decimal uint64\n");
  r = run_ctl({"example-chain", "extra"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "covsignerctl: usage: covsignerctl example-chain [--confirmations N]\n");
}

// --- digest --------------------------------------------------------------------

TEST(Digest, MatchesCovenantDigestsOfTheExample) {
  test_support::temp_dir dir;
  const std::string file = (dir.path() / "body.json").string();
  ctl_result example = run_ctl({"example", "--route", "qc_v1", "--action", "RENEW"});
  ASSERT_EQ(example.exit_code, 0) << example.err;
  write_text_file(file, example.out);

  auto input = decode(example.out);
  auto normalized = covenant::normalize_request(input.request, {.domain = node_default_domain()});
  ASSERT_TRUE(std::holds_alternative<covenant::route_submit_request>(normalized));
  const auto& n = std::get<covenant::route_submit_request>(normalized);
  auto approval = covenant::artifact_approval_digest(n.artifact_approvals->payload,
                                                     node_default_domain());
  ASSERT_TRUE(std::holds_alternative<crypto::hash32>(approval));
  const std::string expected = "requestDigest: " + covenant::request_digest(n) +
                               "\napprovalDigest: " +
                               crypto::to_0x_hex(std::get<crypto::hash32>(approval)) + "\n";

  ctl_result r = run_ctl({"digest", file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, expected);
  // Standard input works the same way.
  r = run_ctl({"digest", "-"}, file);
  EXPECT_EQ(r.out, expected);
}

TEST(Digest, ReproducesThePinnedV2Vectors) {
  // tests/vectors/covenant_recovery_approval_vectors_v2.json (keep-core
  // covenantsigner testdata): digests under the zero EIP-712 domain.
  std::string vectors_text =
      read_text_file(std::string{COVSIGNER_VECTORS_DIR} + "/covenant_recovery_approval_vectors_v2.json");
  auto vectors = boost::json::parse(vectors_text).at("vectors").as_object();
  ASSERT_EQ(vectors.size(), 3u);
  test_support::temp_dir dir;
  for (const auto& [name, v] : vectors) {
    boost::json::object body;
    body["routeRequestId"] = "ors_vector";
    body["stage"] = "SIGNER_COORDINATION";
    body["request"] = v.at("canonicalSubmitRequest");
    const std::string file = (dir.path() / (std::string(name) + ".json")).string();
    write_text_file(file, boost::json::serialize(body));
    ctl_result r = run_ctl({"digest", file, "--eip712-chain-id", "0", "--eip712-salt",
                            "0x" + std::string(64, '0')});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "requestDigest: " + std::string(v.at("expectedRequestDigest").as_string()) +
                         "\napprovalDigest: " +
                         std::string(v.at("expectedApprovalDigest").as_string()) + "\n")
        << name;
  }
}

TEST(Digest, PrintsTheNodeErrorForABodyThatDoesNotNormalise) {
  test_support::temp_dir dir;
  const std::string file = (dir.path() / "body.json").string();
  auto body = boost::json::parse(run_ctl({"example", "--route", "self_v1"}).out).as_object();
  body["request"].as_object()["artifactSignatures"] = boost::json::array{"0x00"};
  write_text_file(file, boost::json::serialize(body));
  ctl_result r = run_ctl({"digest", file});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out,
            "request.artifactSignatures must match canonical approval role order derived from "
            "request.artifactApprovals\n");
}

// --- validate -------------------------------------------------------------------

struct broken_case {
  const char* name;
  void (*mutate)(boost::json::object& body);
  const char* route; // endpoint route passed with --route, or nullptr
};

TEST(Validate, PrintsOkOrTheExactFirstError) {
  test_support::temp_dir dir;
  const std::string file = (dir.path() / "body.json").string();
  const std::string good = run_ctl({"example", "--route", "qc_v1"}).out;
  write_text_file(file, good);
  ctl_result r = run_ctl({"validate", file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");

  const broken_case cases[] = {
      {"stage", [](boost::json::object& b) { b["stage"] = "DONE"; }, nullptr},
      {"tampered D signature",
       [](boost::json::object& b) {
         auto& req = b["request"].as_object();
         auto& d = req["artifactApprovals"].as_object()["approvals"].as_array()[0].as_object();
         std::string sig(d["signature"].as_string());
         sig[10] = sig[10] == '0' ? '1' : '0';
         d["signature"] = sig;
         req["artifactSignatures"].as_array()[0] = sig;
       },
       nullptr},
      {"route mismatch", [](boost::json::object&) {}, "self_v1"},
      {"plan fee", [](boost::json::object& b) {
         b["request"].as_object()["migrationTransactionPlan"].as_object()["feeSats"] = 1671;
       }, nullptr},
  };
  for (const auto& c : cases) {
    auto body = boost::json::parse(good).as_object();
    c.mutate(body);
    const std::string text = boost::json::serialize(body);
    write_text_file(file, text);
    std::vector<std::string> args = {"validate", file};
    const std::string route = c.route ? c.route : "qc_v1";
    if (c.route) {
      args.push_back("--route");
      args.push_back(route);
    }
    r = run_ctl(args);
    const std::string expected = validation_error_of(text, route, node_default_domain());
    ASSERT_NE(expected, "") << c.name;
    EXPECT_EQ(r.exit_code, 1) << c.name;
    EXPECT_EQ(r.out, expected + "\n") << c.name;
  }

  // The texts themselves, as the reference words them (reference §5.2, §5.3).
  auto body = boost::json::parse(good).as_object();
  body["stage"] = "DONE";
  write_text_file(file, boost::json::serialize(body));
  EXPECT_EQ(run_ctl({"validate", file}).out, "stage must be SIGNER_COORDINATION\n");
  write_text_file(file, good);
  EXPECT_EQ(run_ctl({"validate", file, "--route", "self_v1"}).out,
            "request.route does not match endpoint route\n");

  // Undecodable: the generic 400 body on stdout, the decoder's reason on stderr.
  write_text_file(file, good + "{}");
  r = run_ctl({"validate", file});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "malformed request body\n");
  EXPECT_EQ(r.err.rfind("detail: ", 0), 0u) << r.err;

  r = run_ctl({"validate", (dir.path() / "missing.json").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "covsignerctl: cannot read " + (dir.path() / "missing.json").string() + "\n");
}

} // namespace

namespace {

// "key: value" lines of spend-key's output.
std::map<std::string, std::string> key_lines(const std::string& text) {
  std::map<std::string, std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    auto line = text.substr(at, end - at);
    if (auto colon = line.find(": "); colon != std::string::npos)
      out[line.substr(0, colon)] = line.substr(colon + 2);
    at = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

} // namespace

TEST(SpendKey, PrintsTheTupleOfTheRequestsSpend) {
  const std::string file = std::string{COVSIGNER_SOURCE_DIR} + "/examples/requests/self_v1-certified.json";
  ctl_result r = run_ctl({"spend-key", file});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto lines = key_lines(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.out;
  // The example spends output 1 (1000000 sats) of the self_v1 dev funding
  // transaction, for the wallet of the signer dev key 0x22..22.
  auto request = boost::json::parse(read_text_file(file)).at("request").as_object();
  const std::string txid(request.at("activeOutpoint").at("txid").as_string());
  auto display = *crypto::fixed_from_0x_hex<32>(txid);
  crypto::hash32 internal{};
  std::reverse_copy(display.begin(), display.end(), internal.begin());
  EXPECT_EQ(lines["fundingTxHash"], crypto::to_0x_hex(internal));
  EXPECT_EQ(lines["fundingOutputIndex"], "1");
  EXPECT_EQ(lines["value"], "1000000");
  EXPECT_EQ(lines["walletPKH"], "0x531260aa2a199e228c537dfa42c82bea2c7c1f4d");
  EXPECT_EQ(lines["utxoKey"], crypto::to_0x_hex(covenant::covenant_utxo_key(internal, 1)));
  EXPECT_EQ(lines["outputsHash"].size(), 66u);

  // Another action pays other outputs: another outputsHash, the same key.
  ctl_result renew = run_ctl({"example", "--route", "self_v1", "--action", "RENEW"});
  ASSERT_EQ(renew.exit_code, 0) << renew.err;
  test_support::temp_dir dir;
  const std::string renew_file = (dir.path() / "renew.json").string();
  write_text_file(renew_file, renew.out);
  auto renewed = key_lines(run_ctl({"spend-key", renew_file}).out);
  EXPECT_EQ(renewed["utxoKey"], lines["utxoKey"]);
  EXPECT_NE(renewed["outputsHash"], lines["outputsHash"]);
}

TEST(SpendKey, RefusesABodyItCannotBuildASpendFor) {
  test_support::temp_dir dir;
  const std::string file = (dir.path() / "body.json").string();
  write_text_file(file, "{}");
  ctl_result r = run_ctl({"spend-key", file});
  EXPECT_EQ(r.exit_code, 1);
  // The node's own refusal text: nothing to build a spend from.
  EXPECT_EQ(r.out, "request.artifactSignatures must not be empty\n");
  r = run_ctl({"spend-key"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("expected exactly one FILE argument"), std::string::npos) << r.err;
}
