// bench/http/qc_v1_submit.json is the body the wrk bench posts: the qc_v1
// vector re-signed with the development keys (tests/support/signed_requests.hpp).
// RFC 6979 signing is deterministic, so the file is pinned; regenerate it
// with UPDATE_BENCH_BODY=1 after a deliberate change.
#include "tests/support/requests.hpp"
#include "transport/request_pipeline.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace covsigner;

TEST(BenchBody, IsTheSignedQcV1ExampleAndPassesValidation) {
  const std::string path = std::string{COVSIGNER_SOURCE_DIR} + "/bench/http/qc_v1_submit.json";
  auto expected = test_support::submit_body(test_support::vector_request("qc_v1"), "bench-1");
  if (std::getenv("UPDATE_BENCH_BODY"))
    std::ofstream(path) << expected;
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), expected) << "run with UPDATE_BENCH_BODY=1 to regenerate";
  auto prepared = transport::prepare_submit(ss.str(), "qc_v1", transport::request_policy{});
  EXPECT_TRUE(std::holds_alternative<messages::submit_command>(prepared));
}
