#include "covenant/job.hpp"

#include "covenant/canonical_json.hpp"

#include <array>

namespace covsigner::covenant {

namespace {

constexpr std::array<std::string_view, 7> state_names = {
  "SUBMITTED", "VALIDATING", "SIGNING", "PENDING", "ARTIFACT_READY", "HANDOFF_READY", "FAILED",
};

void append_field(std::string& out, std::string_view key, std::string_view value) {
  out += ',';
  append_go_json_string(out, key, {.escape_html = true});
  out += ':';
  append_go_json_string(out, value, {.escape_html = true});
}

} // namespace

std::string_view to_string(job_state s) {
  return state_names[static_cast<std::size_t>(s)];
}

std::optional<job_state> parse_job_state(std::string_view s) {
  for (std::size_t i = 0; i < state_names.size(); ++i)
    if (state_names[i] == s)
      return static_cast<job_state>(i);
  return std::nullopt;
}

bool is_terminal(job_state s) {
  return s == job_state::artifact_ready || s == job_state::handoff_ready || s == job_state::failed;
}

std::string make_route_key(std::string_view route, std::string_view route_request_id) {
  std::string key;
  key.reserve(route.size() + 1 + route_request_id.size());
  key.append(route).append(":").append(route_request_id);
  return key;
}

std::string job::route_key() const {
  return make_route_key(route, route_request_id);
}

transition_check check_transition(job_state from, job_state to) {
  if (is_terminal(from))
    return transition_check::from_terminal;
  if ((to == job_state::artifact_ready || to == job_state::handoff_ready) &&
      from != job_state::signing)
    return transition_check::skips_signing;
  if (from == job_state::signing && !is_terminal(to))
    return transition_check::reopens_signing;
  if (to == job_state::submitted)
    return transition_check::to_submitted;
  return transition_check::allowed;
}

std::string_view transition_rule(transition_check check) {
  switch (check) {
    case transition_check::allowed:
      return {};
    case transition_check::from_terminal:
      return "a terminal state never changes again";
    case transition_check::skips_signing:
      return "a signed state is reached only from SIGNING";
    case transition_check::reopens_signing:
      return "a job in SIGNING may have been signed: it only ends, READY or FAILED";
    case transition_check::to_submitted:
      return "SUBMITTED is only the state a job is created in";
  }
  return {};
}

void apply_transition(job& j, const job_transition& t, std::string_view now) {
  j.state = t.state;
  j.detail = t.detail;
  j.reason = t.reason;
  j.psbt_hash = t.psbt_hash;
  j.transaction_hex = t.transaction_hex;
  j.handoff_json = t.handoff_json;
  j.updated_at = std::string{now};
  if (t.state == job_state::artifact_ready || t.state == job_state::handoff_ready) {
    j.completed_at = j.updated_at;
    j.failed_at.clear();
  } else if (t.state == job_state::failed) {
    j.failed_at = j.updated_at;
  }
}

step_result to_step_result(const job& j) {
  step_result r;
  r.state = j.state;
  r.request_id = j.request_id;
  r.detail = j.detail;
  switch (j.state) {
    case job_state::artifact_ready:
      r.status = "READY";
      r.psbt_hash = j.psbt_hash;
      r.transaction_hex = j.transaction_hex;
      break;
    case job_state::handoff_ready:
      r.status = "READY";
      r.handoff_json = j.handoff_json;
      break;
    case job_state::failed:
      r.status = "FAILED";
      r.reason = j.reason;
      break;
    default:
      r.status = "PENDING";
  }
  return r;
}

std::string to_response_json(const step_result& r) {
  std::string out = "{";
  append_go_json_string(out, "status", {.escape_html = true});
  out += ':';
  append_go_json_string(out, r.status, {.escape_html = true});
  if (!r.request_id.empty())
    append_field(out, "requestId", r.request_id);
  if (!r.detail.empty())
    append_field(out, "detail", r.detail);
  if (!r.reason.empty())
    append_field(out, "reason", r.reason);
  if (!r.psbt_hash.empty())
    append_field(out, "psbtHash", r.psbt_hash);
  if (!r.transaction_hex.empty())
    append_field(out, "transactionHex", r.transaction_hex);
  if (!r.handoff_json.empty()) {
    out += ",\"handoff\":";
    out += escape_html_in_json(r.handoff_json);
  }
  out += "}\n";
  return out;
}

} // namespace covsigner::covenant
