#include "covenant/hashing.hpp"
#include "covenant/request.hpp"

namespace covsigner::covenant {

std::string request_digest(const route_submit_request& normalized) {
  return crypto::to_0x_hex(
      sha256_of("covenant-signer-request-v1:" + canonical_request_json(normalized)));
}

} // namespace covsigner::covenant
