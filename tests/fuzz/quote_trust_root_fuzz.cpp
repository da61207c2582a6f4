// libFuzzer target: port of keep-core validation_fuzz_test.go
// FuzzParseMigrationPlanQuoteTrustRoot_NoPanic, with properties instead of
// only "no panic". Input: one byte n, then a name of up to n bytes, then
// the PEM text (the Go fuzzer's two strings).
//
// Properties (a violation aborts, so libFuzzer keeps the input):
//   1. the answer is a 32-byte key or exactly one of the reference's two
//      texts, prefixed with the given name;
//   2. the answer does not depend on the name beyond that prefix;
//   3. literal "\n" escapes and surrounding whitespace are clean-up only:
//      the same PEM with real newlines gives the same answer.
//
// Seeds: the Go fuzzer's two (`not a pem`, a PUBLIC KEY block holding
// "foo"). Build/run as request_fuzz (`FUZZ_BUILD=... tests/fuzz/run.sh`
// builds request_fuzz only; build this target by name).
#include "covenant/plan_quote.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>

namespace {

using namespace covsigner::covenant;

using answer = std::variant<std::array<std::uint8_t, 32>, input_error>;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "property violated: %s\n", what);
  std::abort();
}

// The answer with the name prefix removed from an error text.
std::string shape(const answer& a, const std::string& name) {
  if (const auto* key = std::get_if<0>(&a))
    return "key:" + std::string(key->begin(), key->end());
  const std::string& m = std::get<input_error>(a).message;
  if (m.compare(0, name.size(), name) != 0)
    violated("error text does not start with the name");
  const std::string rest = m.substr(name.size());
  if (rest != ".publicKeyPem must be a PEM-encoded public key" &&
      rest != ".publicKeyPem must be a PEM-encoded Ed25519 public key")
    violated("error text is not one of the reference's two");
  return "error:" + rest;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::size_t name_size = std::min<std::size_t>(data[0], size - 1);
  const std::string name(reinterpret_cast<const char*>(data + 1), name_size);
  const std::string pem(reinterpret_cast<const char*>(data + 1 + name_size), size - 1 - name_size);

  const std::string got = shape(parse_plan_quote_trust_root(name, {"fuzz", pem}), name);
  if (shape(parse_plan_quote_trust_root("trustRoot", {"fuzz", pem}), "trustRoot") != got)
    violated("the answer depends on the name");

  std::string unescaped;
  for (std::size_t i = 0; i < pem.size(); ++i) {
    if (pem.compare(i, 2, "\\n") == 0) {
      unescaped += '\n';
      ++i;
    } else {
      unescaped += pem[i];
    }
  }
  if (shape(parse_plan_quote_trust_root(name, {"fuzz", unescaped}), name) != got)
    violated("literal \\n escapes change the answer");
  return 0;
}
