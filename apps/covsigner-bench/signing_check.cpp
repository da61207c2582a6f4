#include "apps/covsigner-bench/signing_check.hpp"

#include "bitcoin/covenant_transaction.hpp"
#include "bitcoin/interpreter.hpp"
#include "chain/fixture.hpp"
#include "covenant/signing_engine.hpp"
#include "persistence/audit_log.hpp"
#include "persistence/file_system.hpp"
#include "persistence/store_loader.hpp"

#include <boost/json.hpp>

#include <map>

namespace covsigner::bench {

namespace {

// The spend the engine's pure steps derive for a stored job (what the node
// should have signed), from the fixture chain's funding transaction.
struct derived_spend {
  covenant::spend_preparation prep;
  covenant::active_utxo utxo;
  covenant::planned_spend spend;
};

std::variant<derived_spend, std::string> derive_spend(const covenant::job& j, const chain::fixture_chain& chain,
                                                      const crypto::bytes& signer_public_key) {
  covenant::engine_settings settings;
  settings.fraud_defense_confirmed = true;
  auto prep = covenant::prepare_spend(j, settings, std::span<const std::uint8_t>(signer_public_key));
  if (auto* t = std::get_if<covenant::job_transition>(&prep))
    return "prepare_spend: " + t->detail;
  auto& p = std::get<covenant::spend_preparation>(prep);
  auto txid = crypto::fixed_from_0x_hex<32>(p.active_txid_display);
  auto it = txid ? chain.transactions.find(*txid) : chain.transactions.end();
  if (it == chain.transactions.end())
    return "the fixture chain has no funding transaction " + p.active_txid_display;
  covenant::outpoint_lookup lookup;
  lookup.result = covenant::outpoint_lookup::outcome::found;
  lookup.transaction_hex = it->second.hex;
  lookup.confirmations = it->second.confirmations;
  lookup.output = covenant::output_spend::unspent;
  auto utxo = covenant::resolve_active_outpoint(p, lookup, settings);
  if (auto* t = std::get_if<covenant::job_transition>(&utxo))
    return "resolve_active_outpoint: " + t->detail;
  auto& u = std::get<covenant::active_utxo>(utxo);
  auto spend = covenant::plan_spend(p, u);
  if (auto* t = std::get_if<covenant::job_transition>(&spend))
    return "plan_spend: " + t->detail;
  return derived_spend{std::move(p), std::move(u), std::get<covenant::planned_spend>(std::move(spend))};
}

// The witness our interpreter must accept: the stored self_v1 transaction,
// or the qc_v1 handoff completed with the custodian's signature. Returns
// the problem, or nothing.
std::optional<std::string> check_witness(const covenant::job& j, const derived_spend& d,
                                         const std::optional<crypto::private_key>& custodian_key) {
  if (j.route == "self_v1") {
    auto raw = crypto::from_0x_hex(j.transaction_hex);
    auto tx = raw ? bitcoin::parse_transaction(*raw) : bitcoin::transaction_parse_result{};
    if (!tx.tx)
      return "its transactionHex does not parse";
    if (bitcoin::to_display_hex(bitcoin::txid(*tx.tx)) != d.spend.txid_display)
      return "its transaction is not the planned spend";
    auto verdict = bitcoin::verify_input(*tx.tx, 0, d.utxo.script_pubkey, d.utxo.value);
    if (verdict != bitcoin::script_error::ok)
      return "its witness does not verify: " + std::string(bitcoin::script_error_message(verdict));
    return std::nullopt;
  }
  boost::system::error_code ec;
  auto handoff = boost::json::parse(j.handoff_json, ec);
  const auto* sig = handoff.is_object() ? handoff.as_object().if_contains("signerSignature") : nullptr;
  auto signer_signature = sig && sig->is_string() ? crypto::from_0x_hex(std::string(sig->as_string()))
                                                  : std::nullopt;
  if (ec || !signer_signature || signer_signature->empty())
    return "its handoff has no signerSignature";
  if (!custodian_key) {
    auto der = crypto::bytes(signer_signature->begin(), signer_signature->end() - 1);
    auto parsed = crypto::parse_der_signature(der);
    auto key = crypto::parse_public_key(d.prep.signer_public_key);
    bool ok = key && std::holds_alternative<crypto::ecdsa_signature>(parsed) &&
              crypto::verify(*key, d.spend.sighash, std::get<crypto::ecdsa_signature>(parsed));
    return ok ? std::nullopt : std::optional<std::string>("its signer signature does not verify");
  }
  auto custodian = crypto::sign_der(*custodian_key, d.spend.sighash);
  custodian.push_back(0x01); // SIGHASH_ALL
  auto completed = bitcoin::with_input_witness(
    d.spend.unsigned_tx, bitcoin::qc_v1_migration_witness(*signer_signature, custodian, d.prep.witness_script));
  auto verdict = bitcoin::verify_input(completed, 0, d.utxo.script_pubkey, d.utxo.value);
  if (verdict != bitcoin::script_error::ok)
    return "its completed witness does not verify: " + std::string(bitcoin::script_error_message(verdict));
  return std::nullopt;
}

bool is_ready(const covenant::job& j) {
  return j.state == (j.route == "self_v1" ? covenant::job_state::artifact_ready
                                          : covenant::job_state::handoff_ready);
}

} // namespace

void check_signed_jobs(const signed_check_inputs& in, correctness_report& r) {
  r.signing_checked = true;
  auto note = [&](std::string problem) {
    if (r.problems.size() < 8)
      r.problems.push_back(std::move(problem));
    r.passed = false;
  };
  std::string error;
  auto chain = chain::load_fixture_file(in.chain_file.string(), error);
  if (!chain)
    return note("signed-job check: " + error);
  auto audit = persistence::read_audit_log(persistence::audit_log_path(in.data_dir));
  if (auto* e = std::get_if<persistence::io_error>(&audit))
    return note("signed-job check: " + e->message);
  std::map<std::string, std::vector<persistence::audit_entry>> audited;
  for (auto& entry : std::get<std::vector<persistence::audit_entry>>(audit))
    audited[entry.request_id].push_back(entry);
  r.audit_lines = std::get<std::vector<persistence::audit_entry>>(audit).size();

  persistence::posix_file_system fs;
  auto opened = persistence::open_store(fs, persistence::store_layout::for_data_dir(in.data_dir));
  if (auto* e = std::get_if<persistence::io_error>(&opened))
    return note("signed-job check: cannot open the store: " + e->message);
  std::map<std::string, const covenant::job*> jobs;
  const auto& loaded = std::get<persistence::opened_store>(opened).loaded;
  for (const auto& j : loaded.jobs)
    jobs[j.request_id] = &j;

  for (const auto& id : in.signed_request_ids) {
    ++r.signed_checked;
    auto it = jobs.find(id);
    if (it == jobs.end()) {
      ++r.signed_not_ready;
      note(id + " is not in the store");
      continue;
    }
    const auto& j = *it->second;
    if (!is_ready(j)) {
      ++r.signed_not_ready;
      note(id + " is " + std::string(covenant::to_string(j.state)) + " on disk, not READY");
      continue;
    }
    auto lines = audited.find(id);
    auto count = lines == audited.end() ? 0 : lines->second.size();
    auto derived = derive_spend(j, *chain, in.signer_public_key);
    if (auto* e = std::get_if<std::string>(&derived)) {
      ++r.signed_bad_witness;
      note(id + ": " + *e);
      continue;
    }
    auto& d = std::get<derived_spend>(derived);
    if (count != 1) {
      ++r.signed_audit_mismatch;
      note(id + " has " + std::to_string(count) + " audit lines, not 1");
    } else if (lines->second[0].sighash != crypto::to_0x_hex(d.spend.sighash) ||
               lines->second[0].txid != d.spend.txid_display) {
      ++r.signed_audit_mismatch;
      note(id + "'s audit line names another sighash or txid than its spend");
    }
    if (auto problem = check_witness(j, d, in.custodian_key)) {
      ++r.signed_bad_witness;
      note(id + ": " + *problem);
    }
  }
  for (const auto& [id, lines] : audited)
    if (!in.signed_request_ids.count(id)) {
      ++r.signed_audit_mismatch;
      note("the audit log names " + id + ", which no client saw signed");
    }
}

} // namespace covsigner::bench
