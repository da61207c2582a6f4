// Covenant request pipeline micro benchmarks (issue 4): what one Submit
// costs the node before any I/O, on the committed qc_v1 example
// (examples/requests/qc_v1.json: MIGRATION, D and C approvals, no
// certificate, no plan quote).
//
//   BM_SubmitPipeline          decode + validate_submit (which normalises,
//                              verifies both approval signatures and digests)
//   BM_Decode                  strict decoding alone
//   BM_Normalize               normalize_request alone (structure, commitments)
//   BM_ApprovalSignatureChecks verify_approval_signatures alone (EIP-712
//                              digest + two secp256k1 verifications)
//   BM_CanonicalJsonDigest     canonical JSON + SHA-256 request digest alone
//
// The signature share of a request is BM_ApprovalSignatureChecks /
// BM_SubmitPipeline.
#include "covenant/approval_digest.hpp"
#include "covenant/normalize.hpp"
#include "covenant/request.hpp"
#include "covenant/validation.hpp"
#include "crypto/bytes.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <variant>

namespace {

using namespace covsigner;

const std::string& example_body() {
  static const std::string body = [] {
    // The example sits beside this file's folder in the source tree.
    const auto path = std::filesystem::path(__FILE__).parent_path().parent_path() / "examples" /
                      "requests" / "qc_v1.json";
    std::ifstream in(path);
    if (!in) {
      std::cerr << "covenant_bench: cannot read " << path << '\n';
      std::exit(1);
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }();
  return body;
}

covenant::validation_policy node_policy() {
  covenant::validation_policy policy;
  policy.domain = {0, covenant::default_approval_salt()};
  return policy;
}

covenant::submit_input decoded_example() {
  auto decoded = covenant::decode_submit_input(example_body());
  if (!std::holds_alternative<covenant::submit_input>(decoded)) {
    std::cerr << "covenant_bench: the example does not decode\n";
    std::exit(1);
  }
  return std::get<covenant::submit_input>(decoded);
}

covenant::route_submit_request normalized_example() {
  auto n = covenant::normalize_request(decoded_example().request, {.domain = node_policy().domain});
  if (!std::holds_alternative<covenant::route_submit_request>(n)) {
    std::cerr << "covenant_bench: the example does not normalise\n";
    std::exit(1);
  }
  return std::get<covenant::route_submit_request>(n);
}

void BM_SubmitPipeline(benchmark::State& state) {
  const auto policy = node_policy();
  const std::string& body = example_body();
  for (auto _ : state) {
    auto decoded = covenant::decode_submit_input(body);
    auto result = covenant::validate_submit(std::get<covenant::submit_input>(decoded),
                                            covenant::route_qc_v1, policy);
    if (!std::holds_alternative<covenant::validated_request>(result)) {
      state.SkipWithError("the example does not validate");
      break;
    }
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SubmitPipeline)->Unit(benchmark::kMicrosecond);

void BM_Decode(benchmark::State& state) {
  const std::string& body = example_body();
  for (auto _ : state) {
    auto decoded = covenant::decode_submit_input(body);
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Decode)->Unit(benchmark::kMicrosecond);

void BM_Normalize(benchmark::State& state) {
  const auto input = decoded_example();
  const covenant::normalize_options options{.domain = node_policy().domain};
  for (auto _ : state) {
    auto n = covenant::normalize_request(input.request, options);
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Normalize)->Unit(benchmark::kMicrosecond);

void BM_ApprovalSignatureChecks(benchmark::State& state) {
  const auto n = normalized_example();
  const auto domain = node_policy().domain;
  // Keys as validation takes them from the template (D, then C).
  const auto t = std::get<covenant::qc_v1_template>(covenant::parse_qc_v1_template(n.script_template));
  const std::vector<covenant::approval_key> keys = {
      {"D", *crypto::from_0x_hex(t.depositor_public_key)},
      {"C", *crypto::from_0x_hex(t.custodian_public_key)}};
  for (auto _ : state) {
    auto error = covenant::verify_approval_signatures(*n.artifact_approvals, keys, domain, "");
    if (error) {
      state.SkipWithError(error->message.c_str());
      break;
    }
    benchmark::DoNotOptimize(error);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ApprovalSignatureChecks)->Unit(benchmark::kMicrosecond);

void BM_CanonicalJsonDigest(benchmark::State& state) {
  const auto n = normalized_example();
  for (auto _ : state) {
    auto digest = covenant::request_digest(n);
    benchmark::DoNotOptimize(digest);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CanonicalJsonDigest)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
