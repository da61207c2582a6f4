// The node's gateway: the typed actor covsignerd publishes over caf::io
// (--caf-io.port) and an embedder may use in process. It takes request
// bodies, the JSON an HTTP client would POST, and validates them itself
// before it asks the node: a remote peer cannot hand the node an
// unvalidated draft (the node actor trusts its callers to have validated).
// Replies are the node's typed replies (messages/node.hpp), with a
// reply_cause for every degraded answer.
#pragma once

#include "messages/atoms.hpp"
#include "messages/node.hpp"
#include "messages/type_ids.hpp"

#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>

namespace covsigner::messages {

/// POST /v1/<route>/signer/requests, as a message.
struct body_submit {
  std::string route; // qc_v1 | self_v1
  std::string body;
  /// As submit_command::wait_ms: 0 = answer once durable; node_wait_bound =
  /// the node's own bound (which caps every value).
  std::uint32_t wait_ms = node_wait_bound;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, body_submit& x) {
  return f(caf::meta::type_name("body_submit"), x.route, x.body, x.wait_ms);
}

/// POST /v1/<route>/signer/requests:poll (requestId in the body), as a message.
struct body_poll {
  std::string route;
  std::string body;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, body_poll& x) {
  return f(caf::meta::type_name("body_poll"), x.route, x.body);
}

using gateway_actor = caf::typed_actor<caf::replies_to<body_submit>::with<node_reply>,
                                       caf::replies_to<body_poll>::with<node_reply>,
                                       caf::replies_to<ready_atom>::with<readiness>>;

} // namespace covsigner::messages

// After the covsigner block: both ends register both blocks
// (embed::prepare_config does).
CAF_BEGIN_TYPE_ID_BLOCK(covsigner_gateway, caf::id_block::covsigner::end)
  CAF_ADD_TYPE_ID(covsigner_gateway, (covsigner::messages::body_submit))
  CAF_ADD_TYPE_ID(covsigner_gateway, (covsigner::messages::body_poll))
CAF_END_TYPE_ID_BLOCK(covsigner_gateway)
