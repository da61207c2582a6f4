#include "covenant/trust_roots.hpp"

#include "covenant/hex_rules.hpp"
#include "covenant/signature_primitives.hpp"
#include "crypto/bytes.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>

namespace covsigner::covenant {

namespace {

std::string lower_ascii(std::string_view s) { return lower_hex(s); }

std::string entry_name(std::string_view kind, std::size_t i) {
  return std::string(kind) + "[" + std::to_string(i) + "]";
}

} // namespace

std::variant<std::string, input_error> normalize_eth_address(std::string_view name,
                                                             std::string_view value) {
  // Go normalizeEthAddress: trim, lowercase, optional 0x, then exactly 20
  // bytes of hex.
  std::string body = lower_hex(trim_space(value));
  if (body.compare(0, 2, "0x") == 0)
    body.erase(0, 2);
  const auto raw = crypto::from_hex(body);
  if (!raw || raw->size() != 20)
    return input_error{std::string(name) + " must be a 20-byte hex ETH address"};
  if (std::all_of(raw->begin(), raw->end(), [](std::uint8_t b) { return b == 0; }))
    return input_error{std::string(name) + " must not be the zero ETH address"};
  return "0x" + body;
}

std::variant<std::vector<approval_trust_root>, input_error> normalize_approval_trust_roots(
    std::string_view kind, const std::vector<approval_trust_root>& roots) {
  const bool depositor = kind == "depositorTrustRoots";
  std::vector<approval_trust_root> out;
  // Pass 1 (Go normalizeScopedTrustRoots): each entry's scope and key, and
  // duplicate scopes; scope key -> first index, for the duplicate message.
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < roots.size(); ++i) {
    const auto& r = roots[i];
    const std::string name = entry_name(kind, i);
    if (r.route != route_self_v1 && r.route != route_qc_v1)
      return input_error{name + ".route must be self_v1 or qc_v1"};
    if (auto e = check_hex(name + ".reserve", r.reserve))
      return *e;
    approval_trust_root n;
    n.route = r.route;
    n.reserve = lower_hex(r.reserve);
    n.network = lower_ascii(trim_space(r.network));
    if (n.network.empty())
      return input_error{name + ".network is required"};
    // The key is lowercased before its checks, so `0X02..` is accepted.
    n.public_key = lower_hex(r.public_key);
    if (auto e = check_hex(name + ".publicKey", n.public_key))
      return *e;
    if (!is_compressed_secp256k1_key(decode_checked_hex(n.public_key)))
      return input_error{name + ".publicKey must be a compressed secp256k1 public key"};
    const std::string key = n.route + "|" + n.reserve + "|" + n.network;
    if (auto it = seen.find(key); it != seen.end())
      return input_error{name + " duplicates " + entry_name(kind, it->second) + " for route " +
                         n.route + " reserve " + n.reserve + " network " + n.network};
    seen.emplace(key, i);
    out.push_back(std::move(n));
  }
  // Pass 2: the optional depositor ETH identity (blank = none).
  for (std::size_t i = 0; i < roots.size(); ++i) {
    if (trim_space(roots[i].eth_address).empty())
      continue;
    const std::string name = entry_name(kind, i) + ".ethAddress";
    if (!depositor)
      return input_error{name + " is only supported for depositorTrustRoots"};
    auto eth = normalize_eth_address(name, roots[i].eth_address);
    if (auto* e = std::get_if<input_error>(&eth))
      return *e;
    out[i].eth_address = std::get<std::string>(std::move(eth));
  }
  // Pass 3: within one (route, reserve) the ETH identity is all-or-nothing,
  // so the pinned identity never depends on which network a request names.
  // Reported at the first entry (in order) that disagrees with its pair.
  std::map<std::string, bool> has_eth_by_pair;
  for (const auto& r : out) {
    const bool has_eth = !r.eth_address.empty();
    auto [it, inserted] = has_eth_by_pair.emplace(r.route + "|" + r.reserve, has_eth);
    if (!inserted && it->second != has_eth)
      return input_error{std::string(kind) + " for route " + r.route + " reserve " + r.reserve +
                         " must set ethAddress on all network entries or on none"};
  }
  return out;
}

std::variant<trust_roots, input_error> normalize_trust_roots(const trust_roots& roots) {
  trust_roots out;
  auto depositor = normalize_approval_trust_roots("depositorTrustRoots", roots.depositor);
  if (auto* e = std::get_if<input_error>(&depositor))
    return *e;
  out.depositor = std::get<0>(std::move(depositor));
  auto custodian = normalize_approval_trust_roots("custodianTrustRoots", roots.custodian);
  if (auto* e = std::get_if<input_error>(&custodian))
    return *e;
  out.custodian = std::get<0>(std::move(custodian));
  for (std::size_t i = 0; i < roots.quote.size(); ++i) {
    plan_quote_trust_root q{trim_space(roots.quote[i].key_id), roots.quote[i].public_key_pem};
    const std::string name = entry_name("migrationPlanQuoteTrustRoots", i);
    if (q.key_id.empty())
      return input_error{"migration plan quote trust root KeyID at index " + std::to_string(i) +
                         " is empty after trimming"};
    auto key = parse_plan_quote_trust_root(name, q);
    if (auto* e = std::get_if<input_error>(&key))
      return *e;
    out.quote.push_back(std::move(q));
  }
  return out;
}

namespace {

// Reads one list of string-valued objects; `fields` are the allowed keys.
using string_fields = std::map<std::string, std::string>;
std::variant<std::vector<string_fields>, input_error> read_list(
    const boost::json::object& config, std::string_view kind,
    std::initializer_list<std::string_view> fields) {
  std::vector<string_fields> out;
  const auto* value = config.if_contains(kind);
  if (value == nullptr || value->is_null())
    return out;
  if (!value->is_array())
    return input_error{std::string(kind) + " must be a list"};
  const auto& list = value->get_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string name = entry_name(kind, i);
    if (!list[i].is_object())
      return input_error{name + " must be an object"};
    string_fields entry;
    for (const auto& [key, v] : list[i].get_object()) {
      if (std::find(fields.begin(), fields.end(), std::string_view(key)) == fields.end())
        return input_error{name + " has unknown field " + std::string(key)};
      if (!v.is_string())
        return input_error{name + "." + std::string(key) + " must be a string"};
      entry[std::string(key)] = std::string(v.get_string());
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::variant<std::vector<approval_trust_root>, input_error> read_approval_list(
    const boost::json::object& config, std::string_view kind, bool eth) {
  auto list = eth ? read_list(config, kind, {"route", "reserve", "network", "publicKey", "ethAddress"})
                  : read_list(config, kind, {"route", "reserve", "network", "publicKey"});
  if (auto* e = std::get_if<input_error>(&list))
    return *e;
  std::vector<approval_trust_root> out;
  for (auto& f : std::get<0>(list))
    out.push_back({f["route"], f["reserve"], f["network"], f["publicKey"], f["ethAddress"]});
  return out;
}

} // namespace

std::variant<trust_roots, input_error> parse_trust_roots(const boost::json::object& config) {
  trust_roots raw;
  auto depositor = read_approval_list(config, "depositorTrustRoots", true);
  if (auto* e = std::get_if<input_error>(&depositor))
    return *e;
  raw.depositor = std::get<0>(std::move(depositor));
  auto custodian = read_approval_list(config, "custodianTrustRoots", false);
  if (auto* e = std::get_if<input_error>(&custodian))
    return *e;
  raw.custodian = std::get<0>(std::move(custodian));
  auto quote = read_list(config, "migrationPlanQuoteTrustRoots", {"keyId", "publicKeyPem"});
  if (auto* e = std::get_if<input_error>(&quote))
    return *e;
  for (auto& f : std::get<0>(quote))
    raw.quote.push_back({f["keyId"], f["publicKeyPem"]});
  return normalize_trust_roots(raw);
}

trust_root_scope request_trust_root_scope(const route_submit_request& request) {
  trust_root_scope scope{request.route, lower_hex(request.reserve), {}};
  if (request.migration_destination)
    scope.network = request.migration_destination->network;
  else if (request.redeem_destination)
    scope.network = request.redeem_destination->network;
  else if (request.renew_destination)
    scope.network = request.renew_destination->network;
  scope.network = lower_ascii(trim_space(scope.network));
  return scope;
}

const approval_trust_root* find_trust_root(const std::vector<approval_trust_root>& roots,
                                           const trust_root_scope& scope) {
  for (const auto& r : roots)
    if (r.route == scope.route && r.reserve == scope.reserve && r.network == scope.network)
      return &r;
  return nullptr;
}

std::string pinned_depositor_eth_address(const trust_roots& roots,
                                         const route_submit_request& request) {
  const auto* root = find_trust_root(roots.depositor, request_trust_root_scope(request));
  return root ? root->eth_address : std::string();
}

} // namespace covsigner::covenant
