#include "persistence/job_file.hpp"

#include "covenant/canonical_json.hpp"
#include "crypto/bytes.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <openssl/evp.h>

namespace covsigner::persistence {

namespace json = boost::json;

namespace {

constexpr covenant::go_json_options html = {.escape_html = true};

// Appends `,"key":"value"` (or without the comma for the first field).
void field(std::string& out, std::string_view key, std::string_view value, bool first = false) {
  if (!first)
    out += ',';
  covenant::append_go_json_string(out, key, html);
  out += ':';
  covenant::append_go_json_string(out, value, html);
}

void omitempty(std::string& out, std::string_view key, std::string_view value) {
  if (!value.empty())
    field(out, key, value);
}

bool is_blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
      return false;
  return true;
}

// Where one document's parsed values live: a stack buffer behind a
// monotonic resource, so decoding a job file costs no heap allocation for
// the JSON tree (the load decodes 100,000 of them). The values die with the
// decode; only the copied-out strings survive.
struct parse_scratch {
  unsigned char buffer[16384];
  json::monotonic_resource resource{buffer, sizeof buffer};
  json::storage_ptr storage() { return json::storage_ptr{&resource}; }
};

// Parses `bytes` as one JSON document into `sp`, classifying failures.
std::variant<json::value, decode_error> parse_document(std::string_view bytes, json::storage_ptr sp) {
  if (is_blank(bytes))
    return decode_error{decode_failure::empty, "file is empty"};
  json::parse_options options;
  options.max_depth = 256; // Go allows 10000; our records are shallow
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view{bytes.data(), bytes.size()}, ec, std::move(sp), options);
  if (!ec)
    return v;
  if (ec == json::error::incomplete)
    return decode_error{decode_failure::truncated, "JSON ends early: " + ec.message()};
  return decode_error{decode_failure::malformed, "not valid JSON: " + ec.message()};
}

decode_error wrong_type(std::string message) {
  return decode_error{decode_failure::wrong_type, std::move(message)};
}

// A whole document that must be one JSON object (every file we write is),
// parsed into `scratch` (which must outlive the object).
std::variant<json::object, decode_error> parse_object_document(std::string_view bytes,
                                                               parse_scratch& scratch) {
  auto parsed = parse_document(bytes, scratch.storage());
  if (auto* err = std::get_if<decode_error>(&parsed))
    return *err;
  auto& v = std::get<json::value>(parsed);
  if (!v.is_object())
    return wrong_type("top-level JSON value is not an object");
  return std::move(v.get_object());
}

// Reads an optional string field: absent or null = empty.
std::optional<decode_error> read_string(const json::object& o, std::string_view key, std::string& out) {
  auto it = o.find(json::string_view{key.data(), key.size()});
  if (it == o.end() || it->value().is_null())
    return std::nullopt;
  if (!it->value().is_string())
    return wrong_type(std::string{"field "} + std::string{key} + " is not a string");
  out.assign(it->value().get_string().data(), it->value().get_string().size());
  return std::nullopt;
}

std::optional<decode_error> read_required(const json::object& o, std::string_view key, std::string& out) {
  if (auto err = read_string(o, key, out))
    return err;
  if (out.empty())
    return wrong_type(std::string{"field "} + std::string{key} + " is missing or empty");
  return std::nullopt;
}

// Collects the top-level string members of a (possibly damaged) object until
// the first syntax error.
struct prefix_handler {
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

  int depth = 0;
  std::string key;
  std::string key_part;
  std::string string_part;
  std::optional<std::string> route;
  std::optional<std::string> route_request_id;

  using ec_t = boost::system::error_code;
  using sv = json::string_view;

  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_array_begin(ec_t&) { ++depth; return true; }
  bool on_array_end(std::size_t, ec_t&) { --depth; return true; }
  bool on_object_begin(ec_t&) { ++depth; return true; }
  bool on_object_end(std::size_t, ec_t&) { --depth; return true; }
  // Strings arrive in parts when they contain escapes; only a complete
  // string (on_string) counts.
  bool on_string_part(sv s, std::size_t, ec_t&) { string_part.append(s.data(), s.size()); return true; }
  bool on_string(sv s, std::size_t, ec_t&) {
    string_part.append(s.data(), s.size());
    if (depth == 1) {
      if (key == "route")
        route = string_part;
      else if (key == "routeRequestId")
        route_request_id = string_part;
    }
    string_part.clear();
    key.clear();
    return true;
  }
  bool on_key_part(sv s, std::size_t, ec_t&) { key_part.append(s.data(), s.size()); return true; }
  bool on_key(sv s, std::size_t, ec_t&) {
    key = key_part;
    key.append(s.data(), s.size());
    key_part.clear();
    return true;
  }
  bool on_number_part(sv, ec_t&) { return true; }
  bool on_int64(std::int64_t, sv, ec_t&) { key.clear(); return true; }
  bool on_uint64(std::uint64_t, sv, ec_t&) { key.clear(); return true; }
  bool on_double(double, sv, ec_t&) { key.clear(); return true; }
  bool on_bool(bool, ec_t&) { key.clear(); return true; }
  bool on_null(ec_t&) { key.clear(); return true; }
  bool on_comment_part(sv, ec_t&) { return true; }
  bool on_comment(sv, ec_t&) { return true; }
};

} // namespace

std::string_view to_string(decode_failure f) {
  switch (f) {
    case decode_failure::empty:
      return "empty";
    case decode_failure::truncated:
      return "truncated";
    case decode_failure::malformed:
      return "malformed";
    case decode_failure::wrong_type:
      return "wrong_type";
  }
  return "malformed";
}

std::string encode_job_file(const covenant::job& j) {
  std::string out = "{";
  field(out, "requestId", j.request_id, true);
  field(out, "routeRequestId", j.route_request_id);
  field(out, "route", j.route);
  field(out, "idempotencyKey", j.idempotency_key);
  field(out, "facadeRequestId", j.facade_request_id);
  field(out, "requestDigest", j.request_digest);
  omitempty(out, "depositorEthAddress", j.depositor_eth_address);
  field(out, "state", covenant::to_string(j.state));
  omitempty(out, "detail", j.detail);
  omitempty(out, "reason", j.reason);
  field(out, "createdAt", j.created_at);
  field(out, "updatedAt", j.updated_at);
  omitempty(out, "completedAt", j.completed_at);
  omitempty(out, "failedAt", j.failed_at);
  out += ",\"request\":";
  out += j.request_json.empty() ? std::string{"{}"} : covenant::escape_html_in_json(j.request_json);
  omitempty(out, "psbtHash", j.psbt_hash);
  omitempty(out, "transactionHex", j.transaction_hex);
  if (!j.handoff_json.empty()) {
    out += ",\"handoff\":";
    out += covenant::escape_html_in_json(j.handoff_json);
  }
  out += '}';
  return out;
}

std::variant<covenant::job, decode_error> decode_job_file(std::string_view bytes) {
  parse_scratch scratch;
  auto parsed = parse_object_document(bytes, scratch);
  if (auto* err = std::get_if<decode_error>(&parsed))
    return *err;
  const json::object& o = std::get<json::object>(parsed);

  covenant::job j;
  std::string state;
  std::optional<decode_error> err;
  if ((err = read_required(o, "requestId", j.request_id)) ||
      (err = read_required(o, "routeRequestId", j.route_request_id)) ||
      (err = read_required(o, "route", j.route)) ||
      (err = read_string(o, "idempotencyKey", j.idempotency_key)) ||
      (err = read_string(o, "facadeRequestId", j.facade_request_id)) ||
      (err = read_string(o, "requestDigest", j.request_digest)) ||
      (err = read_string(o, "depositorEthAddress", j.depositor_eth_address)) ||
      (err = read_required(o, "state", state)) || (err = read_string(o, "detail", j.detail)) ||
      (err = read_string(o, "reason", j.reason)) || (err = read_string(o, "createdAt", j.created_at)) ||
      (err = read_string(o, "updatedAt", j.updated_at)) ||
      (err = read_string(o, "completedAt", j.completed_at)) ||
      (err = read_string(o, "failedAt", j.failed_at)) ||
      (err = read_string(o, "psbtHash", j.psbt_hash)) ||
      (err = read_string(o, "transactionHex", j.transaction_hex)))
    return *err;
  auto parsed_state = covenant::parse_job_state(state);
  if (!parsed_state)
    return wrong_type("unknown state " + state);
  j.state = *parsed_state;

  auto request = o.find("request");
  if (request == o.end() || !request->value().is_object())
    return wrong_type("field request is missing or not an object");
  j.request_json = covenant::canonical_json(request->value());
  // The serialiser grows its string by doubling; a loaded store holds
  // 100,000 of these, so give back the slack (up to half of each).
  j.request_json.shrink_to_fit();

  auto handoff = o.find("handoff");
  if (handoff != o.end() && !handoff->value().is_null()) {
    if (!handoff->value().is_object())
      return wrong_type("field handoff is not an object");
    // Go omits an empty map too (omitempty), so {} decodes as "no handoff".
    if (!handoff->value().get_object().empty()) {
      j.handoff_json = covenant::canonical_json(handoff->value());
      j.handoff_json.shrink_to_fit();
    }
  }
  return j;
}

std::optional<std::string> recover_route_key(std::string_view bytes) {
  json::parse_options options;
  options.max_depth = 256;
  json::basic_parser<prefix_handler> parser(options);
  boost::system::error_code ec;
  parser.write_some(false, bytes.data(), bytes.size(), ec);
  const prefix_handler& h = parser.handler();
  if (!h.route || !h.route_request_id || h.route->empty() || h.route_request_id->empty())
    return std::nullopt;
  return covenant::make_route_key(*h.route, *h.route_request_id);
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  return crypto::to_hex(digest, size);
}

std::string route_marker::route_key() const {
  return covenant::make_route_key(route, route_request_id);
}

std::string encode_route_marker(const route_marker& m) {
  std::string out = "{";
  field(out, "requestId", m.request_id, true);
  field(out, "routeRequestId", m.route_request_id);
  field(out, "route", m.route);
  field(out, "requestDigest", m.request_digest);
  field(out, "jobFileSha256", m.job_file_sha256);
  out += '}';
  return out;
}

std::variant<route_marker, decode_error> decode_route_marker(std::string_view bytes) {
  parse_scratch scratch;
  auto parsed = parse_object_document(bytes, scratch);
  if (auto* err = std::get_if<decode_error>(&parsed))
    return *err;
  const json::object& o = std::get<json::object>(parsed);
  route_marker m;
  std::optional<decode_error> err;
  if ((err = read_required(o, "requestId", m.request_id)) ||
      (err = read_required(o, "routeRequestId", m.route_request_id)) ||
      (err = read_required(o, "route", m.route)) ||
      (err = read_string(o, "requestDigest", m.request_digest)) ||
      (err = read_required(o, "jobFileSha256", m.job_file_sha256)))
    return *err;
  return m;
}

std::string tombstone::route_key() const {
  return covenant::make_route_key(route, route_request_id);
}

std::string encode_tombstone(const tombstone& t) {
  std::string out = "{";
  field(out, "requestId", t.request_id, true);
  field(out, "routeRequestId", t.route_request_id);
  field(out, "route", t.route);
  field(out, "requestDigest", t.request_digest);
  field(out, "state", covenant::to_string(t.final_state));
  field(out, "prunedAt", t.pruned_at);
  out += '}';
  return out;
}

std::variant<tombstone, decode_error> decode_tombstone(std::string_view bytes) {
  parse_scratch scratch;
  auto parsed = parse_object_document(bytes, scratch);
  if (auto* err = std::get_if<decode_error>(&parsed))
    return *err;
  const json::object& o = std::get<json::object>(parsed);
  tombstone t;
  std::string state;
  std::optional<decode_error> err;
  if ((err = read_required(o, "requestId", t.request_id)) ||
      (err = read_required(o, "routeRequestId", t.route_request_id)) ||
      (err = read_required(o, "route", t.route)) ||
      (err = read_string(o, "requestDigest", t.request_digest)) ||
      (err = read_required(o, "state", state)) || (err = read_string(o, "prunedAt", t.pruned_at)))
    return *err;
  auto parsed_state = covenant::parse_job_state(state);
  if (!parsed_state)
    return wrong_type("unknown state " + state);
  t.final_state = *parsed_state;
  return t;
}

bool is_safe_request_id(std::string_view request_id) {
  if (request_id.empty() || request_id.size() > 128)
    return false;
  for (char c : request_id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-';
    if (!ok)
      return false;
  }
  return true;
}

} // namespace covsigner::persistence
