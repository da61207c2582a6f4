// The gateway actor (messages/gateway.hpp): request bodies in, the node's
// typed replies out, with the pure half of submit and poll (request
// pipeline) run in the gateway before the node is asked; and its caf::io
// publication (covsignerd --caf-io.port), loopback only.
#pragma once

#include "chain/published_height.hpp"
#include "messages/gateway.hpp"
#include "messages/node.hpp"
#include "messages/published_jobs.hpp"
#include "transport/request_pipeline.hpp"

#include <caf/fwd.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace covsigner::transport {

struct gateway_settings {
  messages::node_actor node;
  /// The node's validation policy (EIP-712 domain, trust roots, verifier).
  request_policy policy;
  /// The chain head's published height (certificate expiry); null: no chain.
  std::shared_ptr<const chain::published_height> height;
  /// The node's durable answers (pins the depositor ETH identity of polls).
  std::shared_ptr<const messages::published_jobs> published;
};

/// The pure half of a submit as the node's typed reply on failure: the
/// submit_command to send to the node, or invalid_request (400, the
/// reference's text), chain_head_stale (503: the certificate expiry cannot
/// be checked because the chain head is stale) or internal (500).
/// Thread-safe (reads the published height and jobs only).
std::variant<messages::submit_command, messages::node_reply>
prepare_submit_reply(const gateway_settings& settings, std::string_view route,
                     std::string_view body);

/// The same for a poll body (requestId in the body).
std::variant<messages::poll_command, messages::node_reply>
prepare_poll_reply(const gateway_settings& settings, std::string_view route,
                   std::string_view body);

/// The gateway's behaviour: body_submit and body_poll are prepared here,
/// then delegated to the node (the node answers the caller directly);
/// ready_atom is delegated as is. Spawn it detached: validation checks
/// signatures (CPU work that must not hold a shared scheduler thread).
messages::gateway_actor::behavior_type gateway(messages::gateway_actor::pointer self,
                                               gateway_settings settings);

/// Publishes `gateway` over caf::io on `address`:`port` (1..65535). Only a
/// loopback address is accepted: caf::io carries no authentication, and
/// TLS for this port is not implemented. Needs the actor system to load
/// caf::io::middleman. Returns the bound port or the error (exact texts):
///   "invalid --caf-io.port [P]: expected 1..65535"
///   "--caf-io.address [A] is not a loopback address: caf::io access has no
///    authentication and no TLS here, so it is loopback only"
///   "--caf-io needs the actor system to load caf::io::middleman"
///   "cannot publish the node on caf::io at A:P: <CAF's error>"
std::variant<std::uint16_t, std::string> publish_gateway(caf::actor_system& system,
                                                         const messages::gateway_actor& gateway,
                                                         const std::string& address, int port);

/// The checks of publish_gateway that need no actor system (the first two
/// errors above); nullopt: acceptable.
std::optional<std::string> check_caf_io_access(const std::string& address, int port);

} // namespace covsigner::transport
