// Shared helpers for the covenant tests: loading the pinned vector files
// (tests/vectors, copies of keep-core's testdata) and turning their
// requests into our types.
#pragma once

#include "covenant/canonical_json.hpp"
#include "covenant/request.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace covsigner::covenant::test {

inline boost::json::value load_vector_file(const std::string& name) {
  std::ifstream in(std::string(COVSIGNER_VECTORS_DIR) + "/" + name);
  EXPECT_TRUE(in.good()) << "missing vector file " << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return boost::json::parse(ss.str());
}

inline const boost::json::object& vector_case(const boost::json::value& file,
                                              const std::string& key) {
  return file.at("vectors").at(key).as_object();
}

/// Decodes a JSON object (as found in a vector) into a request with our
/// strict decoder.
inline route_submit_request decode_request_value(const boost::json::value& v) {
  auto r = decode_route_submit_request(boost::json::serialize(v));
  if (auto* e = std::get_if<input_error>(&r)) {
    ADD_FAILURE() << "vector request does not decode: " << e->detail;
    return {};
  }
  return std::get<route_submit_request>(r);
}

inline std::string str(const boost::json::object& o, const char* key) {
  return std::string(o.at(key).as_string());
}

} // namespace covsigner::covenant::test
