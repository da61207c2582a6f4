#include "apps/covsignerctl/example_request.hpp"

#include "apps/covsignerctl/dev_keys.hpp"
#include "bitcoin/covenant_scripts.hpp"
#include "bitcoin/script.hpp"
#include "covenant/certificate.hpp"
#include "covenant/commitments.hpp"
#include "covenant/request.hpp"
#include "covenant/signer_approval.hpp"
#include "covenant/validation.hpp"
#include "crypto/bytes.hpp"
#include "crypto/hash160.hpp"
#include "crypto/secp256k1.hpp"
#include "crypto/sha256.hpp"

#include <boost/json/serialize.hpp>

namespace covsigner::ctl {

namespace {

using covenant::route_submit_request;
using covenant::strict_json::node;

// Illustrative values (the pinned vectors' identities and amounts).
constexpr std::string_view strategy = "0x1111111111111111111111111111111111111111";
constexpr std::string_view reserve = "0x2222222222222222222222222222222222222222";
constexpr std::string_view revealer = "0x2222222222222222222222222222222222222222";
constexpr std::string_view vault = "0x3333333333333333333333333333333333333333";
constexpr std::string_view network = "regtest";
constexpr std::uint64_t epoch = 12;
constexpr std::uint64_t maturity_height = 950000;
constexpr std::uint64_t beta = 144;    // qc_v1
constexpr std::uint64_t delta2 = 4320;
constexpr std::uint64_t input_sats = 1000000;
constexpr std::uint64_t anchor_sats = 330; // the only value the plan rules accept
constexpr std::uint64_t fee_sats = 1670;
constexpr std::uint64_t destination_sats = input_sats - anchor_sats - fee_sats;
// The funding transaction's change to the depositor (any value works).
constexpr std::int64_t funding_change_sats = 250000;

std::string hex_fill(std::string_view prefix, std::string_view byte, std::size_t count) {
  std::string out(prefix);
  for (std::size_t i = 0; i < count; ++i)
    out += byte;
  return out;
}

node string_node(std::string s) {
  node n;
  n.type = node::kind::string;
  n.text = std::move(s);
  return n;
}

node number_node(std::uint64_t v) {
  node n;
  n.type = node::kind::number;
  n.text = std::to_string(v);
  return n;
}

node script_template(std::string_view route) {
  node t;
  t.type = node::kind::object;
  t.members.emplace_back("template", string_node(std::string(route)));
  t.members.emplace_back("depositorPublicKey", string_node(dev_public_key_hex(dev_depositor_fill)));
  if (route == covenant::route_qc_v1)
    t.members.emplace_back("custodianPublicKey",
                           string_node(dev_public_key_hex(dev_custodian_fill)));
  t.members.emplace_back("signerPublicKey", string_node(dev_public_key_hex(dev_signer_fill)));
  if (route == covenant::route_qc_v1)
    t.members.emplace_back("beta", number_node(beta));
  t.members.emplace_back("delta2", number_node(delta2));
  return t;
}

crypto::bytes dev_public_key(std::uint8_t fill) {
  return crypto::serialize_compressed(crypto::derive_public_key(dev_private_key(fill)));
}

// The witness script of script_template(route) at maturity_height, built as
// the node builds it (bitcoin/covenant_scripts.hpp).
crypto::bytes example_witness_script(std::string_view route) {
  const auto depositor = dev_public_key(dev_depositor_fill);
  const auto signer = dev_public_key(dev_signer_fill);
  bitcoin::witness_script_result built;
  if (route == covenant::route_self_v1) {
    built = bitcoin::build_self_v1_script({depositor, signer, maturity_height, delta2});
  } else {
    const auto custodian = dev_public_key(dev_custodian_fill);
    built = bitcoin::build_qc_v1_script(
        {depositor, custodian, signer, maturity_height, beta, delta2});
  }
  return *built.script; // the constants above are within every limit
}

crypto::hash32 filled(std::uint8_t fill) {
  crypto::hash32 h;
  h.fill(fill);
  return h;
}

// The development wallet as the fixture chain describes it (Live).
covenant::wallet_chain_data dev_wallet() {
  covenant::wallet_chain_data w;
  w.ecdsa_wallet_id = filled(dev_wallet_id_fill);
  w.members_ids_hash = filled(dev_members_ids_hash_fill);
  w.created_at = 1700000000;
  w.state = covenant::wallet_state::live;
  return w;
}

// A v2 certificate over `approval_digest` by the signer dev key for the
// development wallet (reference §6.3: the wallet "threshold-signs"; here
// one key stands for the wallet's signing group).
covenant::signer_approval_certificate dev_certificate(const crypto::hash32& approval_digest,
                                                      std::uint64_t end_block) {
  const auto key = dev_private_key(dev_signer_fill);
  const auto wallet_key = crypto::serialize_uncompressed(crypto::derive_public_key(key));
  const auto wallet = dev_wallet();
  covenant::signer_approval_certificate c;
  c.certificate_version = covenant::certificate_version_v2;
  c.signature_algorithm = std::string(covenant::certificate_signature_algorithm);
  c.approval_digest = crypto::to_0x_hex(approval_digest);
  c.wallet_public_key = crypto::to_0x_hex(wallet_key);
  c.signer_set_hash = covenant::signer_set_hash(wallet.ecdsa_wallet_id, wallet_key,
                                                *wallet.members_ids_hash,
                                                covenant::tbtc_honest_threshold);
  c.signature = crypto::to_0x_hex(crypto::sign_der(
      key, covenant::certificate_signing_digest_v2(approval_digest, end_block)));
  c.end_block = end_block;
  return c;
}

// Fills the action's destination and returns its commitment hash.
std::string set_destination(route_submit_request& r, std::string_view action) {
  if (action == covenant::action_migration) {
    covenant::migration_destination_reservation d;
    d.reservation_id = "cmdr_12345678";
    d.reserve = reserve;
    d.epoch = epoch;
    d.route = covenant::action_migration;
    d.revealer = revealer;
    d.vault = vault;
    d.network = network;
    d.status = covenant::status_reserved;
    d.deposit_script = hex_fill("0x0014", "aa", 20); // P2WPKH
    d.deposit_script_hash = *covenant::script_hash(d.deposit_script);
    d.migration_extra_data = covenant::migration_extra_data(revealer);
    d.destination_commitment_hash = covenant::migration_destination_commitment(d);
    r.migration_destination = d;
    return d.destination_commitment_hash;
  }
  if (action == covenant::action_redeem) {
    covenant::redeem_destination_reservation d;
    d.reservation_id = "crdr_12345678";
    d.reserve = reserve;
    d.epoch = epoch;
    d.route = covenant::action_redeem;
    d.revealer = revealer;
    d.vault = vault;
    d.network = network;
    d.status = covenant::status_reserved;
    d.output_script = hex_fill("0x0014", "cc", 20); // P2WPKH
    d.output_script_hash = *covenant::script_hash(d.output_script);
    d.output_value_sats = destination_sats;
    d.destination_commitment_hash = covenant::redeem_destination_commitment(d);
    r.redeem_destination = d;
    return d.destination_commitment_hash;
  }
  covenant::renew_destination_reservation d;
  d.reservation_id = "crnr_12345678";
  d.reserve = reserve;
  d.epoch = epoch;
  d.route = covenant::action_renew;
  d.revealer = revealer;
  d.vault = vault;
  d.network = network;
  d.status = covenant::status_reserved;
  d.next_covenant_script = hex_fill("0x0020", "dd", 32); // P2WSH
  d.next_covenant_script_hash = *covenant::script_hash(d.next_covenant_script);
  d.next_maturity_height = maturity_height + 52560;
  d.output_value_sats = destination_sats;
  d.destination_commitment_hash = covenant::renew_destination_commitment(d);
  r.renew_destination = d;
  return d.destination_commitment_hash;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

} // namespace

bitcoin::transaction dev_funding_transaction(std::string_view route) {
  bitcoin::transaction tx;
  tx.version = 2;
  bitcoin::tx_input in;
  // A made-up coin (0xfe..fe), a different output per route so the two
  // funding transactions do not spend the same one.
  in.prevout.txid = filled(0xfe);
  in.prevout.vout = route == covenant::route_self_v1 ? 1 : 0;
  in.sequence = 0xFFFFFFFD;
  tx.inputs.push_back(std::move(in));
  crypto::bytes change = {0x00, 0x14}; // P2WPKH
  const auto depositor_hash = crypto::hash160(dev_public_key(dev_depositor_fill));
  change.insert(change.end(), depositor_hash.begin(), depositor_hash.end());
  tx.outputs.push_back({funding_change_sats, std::move(change)});
  static_assert(example_active_vout == 1);
  tx.outputs.push_back({static_cast<std::int64_t>(input_sats),
                        bitcoin::p2wsh_script_pubkey(example_witness_script(route))});
  return tx;
}

std::variant<boost::json::object, std::string> make_example_submit(const example_options& options) {
  const std::string& route = options.route;
  if (route != covenant::route_qc_v1 && route != covenant::route_self_v1)
    return "unsupported route [" + route + "]: expected qc_v1 or self_v1";
  const std::string action = options.action.empty() ? std::string(covenant::action_migration)
                                                    : options.action;
  if (action != covenant::action_migration && action != covenant::action_redeem &&
      action != covenant::action_renew)
    return "unsupported action [" + options.action + "]: expected MIGRATION, REDEEM or RENEW";
  if (options.signer_approval_end_block && *options.signer_approval_end_block == 0)
    return "the certificate's endBlock must be non-zero";
  const std::string route_request_id =
      options.route_request_id.empty() ? "ors_demo_" + route : options.route_request_id;
  if (route_request_id.find_first_not_of(" \t\r\n") == std::string::npos)
    return "routeRequestId must not be blank";

  route_submit_request r;
  const std::string suffix = options.action.empty() ? route : route + "_" + lower(action);
  r.facade_request_id = "rf_demo_" + suffix;
  r.idempotency_key = "idem-demo-" + suffix;
  r.request_type = covenant::request_type_reconstruct;
  r.route = route;
  r.action = options.action; // empty stays omitted
  r.strategy = strategy;
  r.reserve = reserve;
  r.epoch = epoch;
  r.maturity_height = maturity_height;
  // Output 1 of the route's development funding transaction; scriptHash is
  // sha256(scriptPubKey), as keep-core checks it.
  const auto funding = dev_funding_transaction(route);
  const auto& covenant_output = funding.outputs[example_active_vout];
  r.active_outpoint = {"0x" + bitcoin::to_display_hex(bitcoin::txid(funding)), example_active_vout,
                       crypto::to_0x_hex(crypto::sha256(covenant_output.script_pubkey))};
  r.destination_commitment_hash = set_destination(r, action);

  covenant::transaction_plan plan;
  plan.plan_version = 1;
  plan.input_value_sats = input_sats;
  plan.destination_value_sats = destination_sats;
  plan.anchor_value_sats = anchor_sats;
  plan.fee_sats = fee_sats;
  plan.input_sequence = 0xFFFFFFFD;
  plan.lock_time = static_cast<std::uint32_t>(maturity_height);
  plan.plan_commitment_hash = covenant::transaction_plan_commitment(r, plan);
  r.migration_transaction_plan = plan;

  covenant::approval_envelope envelope;
  envelope.payload = {2, route, route, r.destination_commitment_hash, plan.plan_commitment_hash};
  auto digest = covenant::artifact_approval_digest(envelope.payload, options.domain);
  if (const auto* e = std::get_if<covenant::input_error>(&digest))
    return "internal: " + e->message;
  const auto& approval_digest = std::get<crypto::hash32>(digest);

  // D signs in the 65-byte Ethereum form (r || s || v, v = 27 + recovery
  // id), which the node also accepts when a depositor ethAddress is pinned;
  // C signs in DER.
  auto depositor = crypto::sign_recoverable(dev_private_key(dev_depositor_fill), approval_digest);
  depositor[64] = static_cast<std::uint8_t>(depositor[64] + 27);
  std::vector<covenant::role_approval> approvals;
  approvals.push_back({std::string(covenant::role_depositor),
                       crypto::to_0x_hex(depositor)});
  if (route == covenant::route_qc_v1)
    approvals.push_back(
        {std::string(covenant::role_custodian),
         crypto::to_0x_hex(crypto::sign_der(dev_private_key(dev_custodian_fill), approval_digest))});
  std::vector<std::string> legacy;
  for (const auto& a : approvals)
    legacy.push_back(a.signature);
  if (options.signer_approval_end_block) {
    // The legacy list ends with the certificate's signature (reference §5.3).
    r.signer_approval = dev_certificate(approval_digest, *options.signer_approval_end_block);
    legacy.push_back(r.signer_approval->signature);
  }
  envelope.approvals = std::move(approvals);
  r.artifact_approvals = std::move(envelope);
  r.artifact_signatures = std::move(legacy);
  r.script_template = script_template(route);
  r.signing = {true, route == covenant::route_qc_v1};

  boost::json::object request = covenant::to_canonical_value(r).as_object();
  // Absent optional fields are `null` in canonical JSON; in a body they are
  // simply left out (the decoder treats both alike).
  for (auto it = request.begin(); it != request.end();)
    it = it->value().is_null() ? request.erase(it) : it + 1;

  boost::json::object body;
  body["routeRequestId"] = route_request_id;
  body["stage"] = covenant::stage_signer_coordination;
  body["request"] = std::move(request);

  // Self-check under the default node policy with this domain (with a
  // certificate: a node with a verifier, at host height 0).
  auto decoded = covenant::decode_submit_input(boost::json::serialize(body));
  if (const auto* e = std::get_if<covenant::input_error>(&decoded))
    return "internal: example does not decode: " + e->detail;
  covenant::validation_policy policy;
  policy.domain = options.domain;
  if (options.signer_approval_end_block) {
    policy.verifier_configured = true;
    policy.current_height = 0;
  }
  auto validated =
      covenant::validate_submit(std::get<covenant::submit_input>(decoded), route, policy);
  if (const auto* e = std::get_if<covenant::validation_error>(&validated))
    return "internal: example does not validate: " + e->message;
  if (options.signer_approval_end_block) {
    // ... and the certificate verifies against the development wallet.
    const auto& normalized = std::get<covenant::validated_request>(validated).normalized;
    auto subject = covenant::resolve_signer_approval_subject(normalized, options.domain);
    if (const auto* e = std::get_if<covenant::signer_approval_error>(&subject))
      return "internal: example certificate: " + e->message;
    if (auto e = covenant::verify_signer_approval(
            normalized, std::get<covenant::signer_approval_subject>(subject), dev_wallet()))
      return "internal: example certificate does not verify: " + e->message;
  }
  return body;
}

} // namespace covsigner::ctl
