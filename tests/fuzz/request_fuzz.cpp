// libFuzzer target over the submit-body pipeline every HTTP request takes:
// strict decoding, validation, normalisation and the request/approval
// digests (reference §5.2-§5.9).
//
// Besides "no crash, no sanitizer report", it asserts properties that
// the store and the idempotency rules depend on:
//   1. normalisation is idempotent: normalize(normalize(x)) == normalize(x)
//      (compared as canonical JSON, which is what gets digested and stored);
//   2. canonical JSON round trips: a normalised request (the stored job's
//      `request`) written as canonical JSON and decoded again is the same
//      request and re-digests to the digest it was filed under; and a raw
//      request that normalises, written as canonical JSON and decoded
//      again, normalises to the same digest;
//   3. a request that validates carries exactly that digest.
//
// Known divergence, deliberately outside property 2: the canonical JSON of
// a raw request that does NOT normalise can normalise after a round trip,
// because to_canonical_value rewrites the raw scriptTemplate's number
// literals (`"beta": 1.44e2` becomes `144`; Go's json.RawMessage keeps the
// literal). Only rejected requests are affected; the node never digests or
// stores them.
// A violated property aborts, so libFuzzer saves the input as a crash.
//
// Build: `make fuzz` (clang, -fsanitize=fuzzer,address,undefined, build-fuzz/).
#include "covenant/approval_digest.hpp"
#include "covenant/normalize.hpp"
#include "covenant/request.hpp"
#include "covenant/validation.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

namespace {

using namespace covsigner::covenant;

[[noreturn]] void property_failed(const char* what, const std::string& a, const std::string& b) {
  std::fprintf(stderr, "property violated: %s\n  first:  %s\n  second: %s\n", what, a.c_str(),
               b.c_str());
  std::abort();
}

const normalize_options& default_options() {
  // The node's default domain: chain 0 and the default salt.
  static const normalize_options options{.domain = {0, default_approval_salt()}};
  return options;
}

std::string error_or_digest(const std::variant<std::string, input_error>& r) {
  if (const auto* e = std::get_if<input_error>(&r))
    return "error: " + e->message;
  return std::get<std::string>(r);
}

route_submit_request decode_or_fail(const std::string& canonical) {
  auto reparsed = decode_route_submit_request(canonical);
  if (const auto* e = std::get_if<input_error>(&reparsed))
    property_failed("canonical JSON of a decoded request does not decode", canonical, e->detail);
  return std::get<route_submit_request>(std::move(reparsed));
}

void check_request(const route_submit_request& request) {
  const auto& options = default_options();
  auto normalized = normalize_request(request, options);
  // Decoding must accept whatever canonical JSON we write, normalisable or not.
  const std::string canonical = canonical_request_json(request);
  const route_submit_request reparsed = decode_or_fail(canonical);

  const auto* n = std::get_if<route_submit_request>(&normalized);
  if (n == nullptr)
    return;
  const std::string once = canonical_request_json(*n);
  const std::string digest = request_digest(*n);

  // Property 1: idempotent normalisation.
  auto again = normalize_request(*n, options);
  if (const auto* e = std::get_if<input_error>(&again))
    property_failed("a normalised request does not normalise again", once, e->message);
  const std::string twice = canonical_request_json(std::get<route_submit_request>(again));
  if (once != twice)
    property_failed("normalisation is not idempotent", once, twice);

  // Property 2, stored form: canonical JSON -> decode -> canonical JSON is
  // the identity, and the digest survives normalising the decoded copy.
  const route_submit_request stored = decode_or_fail(once);
  if (canonical_request_json(stored) != once)
    property_failed("stored request does not round trip", once, canonical_request_json(stored));
  if (error_or_digest(normalized_request_digest(stored, options)) != digest)
    property_failed("stored request re-digests differently", digest,
                    error_or_digest(normalized_request_digest(stored, options)));

  // Property 2, raw form.
  auto second = normalized_request_digest(reparsed, options);
  if (error_or_digest(second) != digest)
    property_failed("decode -> canonical JSON -> decode changes the digest", digest,
                    error_or_digest(second));

  if (n->artifact_approvals)
    (void)artifact_approval_digest(n->artifact_approvals->payload, options.domain);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto decoded = decode_submit_input(body);
  auto* input = std::get_if<submit_input>(&decoded);
  if (input == nullptr)
    return 0;
  check_request(input->request);

  // Property 3: what validation accepts is digested the same way.
  validation_policy policy;
  policy.domain = default_options().domain;
  auto validated = validate_submit(*input, input->request.route, policy);
  if (const auto* v = std::get_if<validated_request>(&validated)) {
    auto digest = normalized_request_digest(input->request, default_options());
    if (error_or_digest(digest) != v->request_digest)
      property_failed("validated digest differs from the normalised request's digest",
                      v->request_digest, error_or_digest(digest));
  }
  return 0;
}
