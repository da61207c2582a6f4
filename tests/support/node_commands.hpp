// Minimal node commands for actor tests that exercise dedupe and storage
// rather than validation: a submit whose draft is already "validated" (the
// digest is whatever the test says), keyed by routeRequestId.
#pragma once

#include "messages/node.hpp"

#include <string>

namespace covsigner::test_support {

inline messages::submit_command make_submit(const std::string& route_request_id,
                                            const std::string& digest,
                                            const std::string& route = "qc_v1") {
  messages::submit_command cmd;
  cmd.draft.route = route;
  cmd.draft.route_request_id = route_request_id;
  cmd.draft.idempotency_key = "idem-" + route_request_id;
  cmd.draft.facade_request_id = "facade-" + route_request_id;
  cmd.draft.request_digest = digest;
  cmd.draft.request_json = R"({"route":")" + route + R"("})";
  return cmd;
}

} // namespace covsigner::test_support
