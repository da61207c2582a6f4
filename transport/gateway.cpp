#include "transport/gateway.hpp"

#include "actors/remote_signer.hpp"
#include "covenant/signer_approval.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>

namespace covsigner::transport {

using namespace messages;

namespace {

// The policy for one request: the chain head's height when it is fresh.
request_policy policy_now(const gateway_settings& s) {
  auto policy = s.policy;
  if (s.height)
    if (auto h = s.height->read(); h.fresh)
      policy.validation.current_height = h.height;
  return policy;
}

// A pipeline error as the node's typed reply, with the status and text the
// HTTP API answers (a stale chain head is a 503 naming chain_head).
node_reply from_prepare(const http_error& err, const chain::published_height* height) {
  node_reply r;
  r.message = err.message;
  if (height && err.status == 500 && err.log_detail == covenant::height_unavailable_message) {
    auto cause = height->read().cause;
    if (cause.empty()) // it turned fresh since the request was validated
      cause = "chain_head: host chain height was stale when this request was validated";
    r.code = reply_code::unavailable;
    r.cause = reply_cause::chain_head_stale;
    r.message = covenant::stale_chain_height_message(cause);
    return r;
  }
  if (err.status == 400) {
    r.code = reply_code::bad_request;
    r.cause = reply_cause::invalid_request;
    return r;
  }
  r.code = reply_code::internal;
  r.cause = reply_cause::internal;
  r.message = err.log_detail.empty() ? err.message : err.log_detail;
  return r;
}

} // namespace

std::variant<submit_command, node_reply> prepare_submit_reply(const gateway_settings& settings,
                                                              std::string_view route,
                                                              std::string_view body) {
  auto prepared = prepare_submit(body, route, policy_now(settings));
  if (auto* err = std::get_if<http_error>(&prepared))
    return from_prepare(*err, settings.height.get());
  return std::get<submit_command>(std::move(prepared));
}

std::variant<poll_command, node_reply> prepare_poll_reply(const gateway_settings& settings,
                                                          std::string_view route,
                                                          std::string_view body) {
  auto prepared =
    prepare_poll(body, route, std::nullopt, policy_now(settings), settings.published.get());
  if (auto* err = std::get_if<http_error>(&prepared))
    return from_prepare(*err, settings.height.get());
  return std::get<poll_command>(std::move(prepared));
}

gateway_actor::behavior_type gateway(gateway_actor::pointer self, gateway_settings settings) {
  auto s = std::make_shared<const gateway_settings>(std::move(settings));
  return {
    [self, s](body_submit& in) -> caf::result<node_reply> {
      auto cmd = prepare_submit_reply(*s, in.route, in.body);
      if (auto* early = std::get_if<node_reply>(&cmd))
        return std::move(*early);
      auto& submit = std::get<submit_command>(cmd);
      submit.wait_ms = in.wait_ms;
      return self->delegate(s->node, std::move(submit));
    },
    [self, s](body_poll& in) -> caf::result<node_reply> {
      auto cmd = prepare_poll_reply(*s, in.route, in.body);
      if (auto* early = std::get_if<node_reply>(&cmd))
        return std::move(*early);
      return self->delegate(s->node, std::get<poll_command>(std::move(cmd)));
    },
    [self, s](ready_atom) -> caf::result<readiness> {
      return self->delegate(s->node, ready_atom::value);
    },
  };
}

std::optional<std::string> check_caf_io_access(const std::string& address, int port) {
  if (port < 1 || port > 65535)
    return "invalid --caf-io.port [" + std::to_string(port) + "]: expected 1..65535";
  if (!actors::is_loopback_host(address))
    return "--caf-io.address [" + address +
           "] is not a loopback address: caf::io access has no authentication and no TLS "
           "here, so it is loopback only";
  return std::nullopt;
}

std::variant<std::uint16_t, std::string> publish_gateway(caf::actor_system& system,
                                                         const gateway_actor& gateway,
                                                         const std::string& address, int port) {
  if (auto err = check_caf_io_access(address, port))
    return *err;
  if (!system.has_middleman())
    return std::string{"--caf-io needs the actor system to load caf::io::middleman"};
  auto bound =
    system.middleman().publish(gateway, static_cast<std::uint16_t>(port), address.c_str(), true);
  if (!bound)
    return "cannot publish the node on caf::io at " + address + ":" + std::to_string(port) + ": " +
           system.render(bound.error());
  return *bound;
}

} // namespace covsigner::transport
