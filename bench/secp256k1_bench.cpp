// secp256k1 micro benchmarks (issue 8): the signature primitives a submit
// pays for through crypto/ (libsecp256k1 underneath), one call each, on a
// fixed key and digest.
//
//   BM_Secp256k1VerifyDer   parse a strict low-S DER signature + verify
//   BM_Secp256k1Verify      verify alone (signature already parsed)
//   BM_Secp256k1Recover     public key recovery from a 65-byte r||s||v
//                           signature (the depositor's Ethereum form)
//   BM_Secp256k1SignDer     RFC 6979 sign + DER (what covsignerctl does)
#include "crypto/bytes.hpp"
#include "crypto/secp256k1.hpp"
#include "crypto/sha256.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <cstdlib>
#include <iostream>

namespace {

using namespace covsigner;

crypto::private_key key() {
  std::array<std::uint8_t, 32> scalar;
  scalar.fill(0x33); // the reference tests' custodian development key
  return *crypto::parse_private_key(scalar);
}

crypto::hash32 digest() {
  return crypto::sha256(crypto::bytes{'c', 'o', 'v', 's', 'i', 'g', 'n', 'e', 'r'});
}

void BM_Secp256k1VerifyDer(benchmark::State& state) {
  auto pub = crypto::derive_public_key(key());
  auto d = digest();
  auto der = crypto::sign_der(key(), d);
  for (auto _ : state) {
    auto parsed = crypto::parse_der_signature(der);
    const auto* sig = std::get_if<crypto::ecdsa_signature>(&parsed);
    bool ok = sig && crypto::verify(pub, d, *sig);
    if (!ok) {
      state.SkipWithError("verification failed");
      break;
    }
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_Secp256k1VerifyDer)->Unit(benchmark::kMicrosecond);

void BM_Secp256k1Verify(benchmark::State& state) {
  auto pub = crypto::derive_public_key(key());
  auto d = digest();
  auto sig = crypto::sign(key(), d);
  for (auto _ : state) {
    bool ok = crypto::verify(pub, d, sig);
    if (!ok) {
      state.SkipWithError("verification failed");
      break;
    }
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_Secp256k1Verify)->Unit(benchmark::kMicrosecond);

void BM_Secp256k1Recover(benchmark::State& state) {
  auto pub = crypto::derive_public_key(key());
  auto d = digest();
  auto sig = crypto::sign_recoverable(key(), d);
  std::array<std::uint8_t, 64> rs;
  std::copy(sig.begin(), sig.begin() + 64, rs.begin());
  for (auto _ : state) {
    auto recovered = crypto::recover(d, rs, sig[64]);
    if (!recovered || !(*recovered == pub)) {
      state.SkipWithError("recovery failed");
      break;
    }
    benchmark::DoNotOptimize(recovered);
  }
}
BENCHMARK(BM_Secp256k1Recover)->Unit(benchmark::kMicrosecond);

void BM_Secp256k1SignDer(benchmark::State& state) {
  auto k = key();
  auto d = digest();
  for (auto _ : state)
    benchmark::DoNotOptimize(crypto::sign_der(k, d));
}
BENCHMARK(BM_Secp256k1SignDer)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
