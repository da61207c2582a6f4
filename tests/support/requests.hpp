// Submit and poll bodies built from the pinned vectors (tests/vectors).
#pragma once

#include "tests/support/signed_requests.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace covsigner::test_support {

inline boost::json::value read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return boost::json::parse(ss.str());
}

/// The canonicalSubmitRequest of vector `name` (qc_v1, self_v1,
/// self_v1_presign) from the v2 approval vectors, verbatim (dummy D/C
/// signatures: the node's validation refuses it).
inline boost::json::object pinned_vector_request(const std::string& name) {
  auto doc = read_json_file(std::string{COVSIGNER_VECTORS_DIR} +
                            "/covenant_recovery_approval_vectors_v2.json");
  return doc.at("vectors").at(name).at("canonicalSubmitRequest").as_object();
}

/// Vector `name` as a node accepts it under the zero EIP-712 domain: dev
/// keys, fresh D/C signatures (see signed_requests.hpp).
inline boost::json::object vector_request(const std::string& name) {
  return signed_vector_request(name);
}

inline std::string submit_body(const boost::json::object& request,
                               const std::string& route_request_id) {
  boost::json::object body;
  body["routeRequestId"] = route_request_id;
  body["stage"] = "SIGNER_COORDINATION";
  body["request"] = request;
  return boost::json::serialize(body);
}

inline std::string poll_body(const boost::json::object& request, const std::string& route_request_id,
                             const std::string& request_id) {
  boost::json::object body;
  body["routeRequestId"] = route_request_id;
  body["requestId"] = request_id;
  body["stage"] = "SIGNER_COORDINATION";
  body["request"] = request;
  return boost::json::serialize(body);
}

} // namespace covsigner::test_support
