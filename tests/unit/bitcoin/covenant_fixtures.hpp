// Freshly signed spends of every self_v1 / qc_v1 branch, at and one block
// before each CLTV boundary, plus deliberately broken variants. Shared by the
// interpreter tests and the independent-implementation (bcoin/bitcoinjs) test.
#pragma once

#include "bitcoin/covenant_scripts.hpp"
#include "bitcoin/covenant_transaction.hpp"
#include "bitcoin/interpreter.hpp"
#include "bitcoin/script.hpp"
#include "test_keys.hpp"

#include <functional>
#include <string>
#include <vector>

namespace covsigner::bitcoin::test {

inline constexpr std::uint64_t maturity = 950000;
inline constexpr std::uint64_t delta2 = 4320;
inline constexpr std::uint64_t beta = 144;
inline constexpr std::int64_t input_value = 1000000;
inline constexpr std::uint64_t destination_value = 998000;
inline constexpr std::uint32_t input_sequence = 0xfffffffd;

struct spend_case {
  std::string name;
  transaction tx;           ///< signed, witness set on input 0
  bytes witness_script;     ///< the covenant script
  bytes spent_script_pubkey;///< P2WSH(witness_script)
  std::int64_t amount = input_value;
  script_error expected = script_error::ok; ///< our interpreter's verdict
};

/// Signs for each key in `signers` and builds the witness from the
/// signatures with `make_witness`.
using witness_maker = std::function<std::vector<bytes>(const std::vector<bytes>& sigs)>;

inline transaction unsigned_spend(std::uint32_t lock_time, std::uint32_t sequence = input_sequence) {
  covenant_spend_plan plan;
  plan.active_outpoint.txid = *from_display_hex(
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab");
  plan.active_outpoint.vout = 1;
  plan.input_sequence = sequence;
  plan.lock_time = lock_time;
  plan.action = covenant_action::migration;
  plan.destination_script = *crypto::from_hex("0014aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  plan.destination_value_sats = destination_value;
  return *build_covenant_spend(plan).tx;
}

inline spend_case make_case(std::string name, const bytes& script, std::uint32_t lock_time,
                            const std::vector<crypto::private_key>& signers,
                            const witness_maker& make_witness, script_error expected,
                            std::uint32_t sequence = input_sequence) {
  transaction tx = unsigned_spend(lock_time, sequence);
  const hash32 digest = covenant_sighash(tx, script, input_value);
  std::vector<bytes> sigs;
  for (const auto& key : signers)
    sigs.push_back(sign_with_hashtype(key, digest));
  std::vector<bytes> witness = make_witness(sigs);
  witness.push_back(script);
  spend_case c;
  c.name = std::move(name);
  c.tx = with_input_witness(std::move(tx), std::move(witness));
  c.witness_script = script;
  c.spent_script_pubkey = p2wsh_script_pubkey(script);
  c.expected = expected;
  return c;
}

inline const bytes empty{};
inline const bytes one{0x01};

inline std::vector<spend_case> all_spend_cases() {
  const fixed_keys k;
  const bytes self = *build_self_v1_script({k.depositor_pub, k.signer_pub, maturity, delta2}).script;
  const bytes qc = *build_qc_v1_script(
                        {k.depositor_pub, k.custodian_pub, k.signer_pub, maturity, beta, delta2})
                        .script;
  const auto M = static_cast<std::uint32_t>(maturity);
  const auto last = static_cast<std::uint32_t>(maturity + delta2);
  const auto early = static_cast<std::uint32_t>(maturity - beta);
  const script_error ok = script_error::ok;
  const script_error locked = script_error::unsatisfied_locktime;

  // Witness stacks (bottom first; the script is appended by make_case). The
  // item just below the script feeds the outermost IF.
  auto self_coop = [](const std::vector<bytes>& s) { return std::vector<bytes>{empty, s[0], s[1], one}; };
  auto self_signer = [](const std::vector<bytes>& s) { return self_v1_signer_witness(s[0], bytes{}) ; };
  auto self_depositor = [](const std::vector<bytes>& s) { return std::vector<bytes>{s[0], empty, empty}; };
  auto qc_all = [](const std::vector<bytes>& s) { return std::vector<bytes>{empty, s[0], s[1], s[2], one}; };
  auto qc_migration = [](const std::vector<bytes>& s) { return qc_v1_migration_witness(s[0], s[1], bytes{}); };
  auto qc_early = [](const std::vector<bytes>& s) { return std::vector<bytes>{empty, s[0], s[1], one, empty, empty}; };
  auto qc_last = [](const std::vector<bytes>& s) { return std::vector<bytes>{s[0], empty, empty, empty}; };

  // self_v1_signer_witness / qc_v1_migration_witness append the script we
  // pass (empty here); drop it so make_case appends the real one.
  auto strip = [](witness_maker f) {
    return witness_maker([f](const std::vector<bytes>& s) {
      auto w = f(s);
      w.pop_back();
      return w;
    });
  };

  std::vector<spend_case> cases;
  // self_v1
  cases.push_back(make_case("self_v1 cooperative 2-of-2", self, 0, {k.depositor, k.signer}, self_coop, ok));
  cases.push_back(make_case("self_v1 signer at maturity", self, M, {k.signer}, strip(self_signer), ok));
  cases.push_back(make_case("self_v1 signer after maturity", self, M + 1, {k.signer}, strip(self_signer), ok));
  cases.push_back(make_case("self_v1 signer one block early", self, M - 1, {k.signer}, strip(self_signer), locked));
  cases.push_back(make_case("self_v1 depositor last resort at height", self, last, {k.depositor}, self_depositor, ok));
  cases.push_back(make_case("self_v1 depositor one block early", self, last - 1, {k.depositor}, self_depositor, locked));
  // qc_v1
  cases.push_back(make_case("qc_v1 3-of-3", qc, 0, {k.depositor, k.custodian, k.signer}, qc_all, ok));
  cases.push_back(make_case("qc_v1 migration at maturity", qc, M, {k.signer, k.custodian}, strip(qc_migration), ok));
  cases.push_back(make_case("qc_v1 migration one block early", qc, M - 1, {k.signer, k.custodian}, strip(qc_migration), locked));
  cases.push_back(make_case("qc_v1 early exit at maturity-beta", qc, early, {k.depositor, k.custodian}, qc_early, ok));
  cases.push_back(make_case("qc_v1 early exit one block early", qc, early - 1, {k.depositor, k.custodian}, qc_early, locked));
  cases.push_back(make_case("qc_v1 last resort at height", qc, last, {k.depositor}, qc_last, ok));
  cases.push_back(make_case("qc_v1 last resort one block early", qc, last - 1, {k.depositor}, qc_last, locked));
  // Broken on purpose: each must be rejected.
  cases.push_back(make_case("self_v1 signer branch signed by depositor", self, M, {k.depositor},
                            strip(self_signer), script_error::sig_nullfail));
  cases.push_back(make_case("qc_v1 migration signatures out of order", qc, M, {k.custodian, k.signer},
                            strip(qc_migration), script_error::sig_nullfail));
  cases.push_back(make_case("self_v1 signer with final sequence", self, M, {k.signer}, strip(self_signer),
                            locked, 0xffffffff));
  cases.push_back(make_case("self_v1 signer with timestamp locktime", self, 500000001, {k.signer},
                            strip(self_signer), locked));
  cases.push_back(make_case("self_v1 cooperative with non-empty dummy", self, 0, {k.depositor, k.signer},
                            [](const std::vector<bytes>& s) { return std::vector<bytes>{one, s[0], s[1], one}; },
                            script_error::sig_nulldummy));
  cases.push_back(make_case("self_v1 non-minimal IF selector", self, M, {k.signer},
                            [](const std::vector<bytes>& s) { return std::vector<bytes>{s[0], bytes{0x02}, empty}; },
                            script_error::minimalif));
  cases.push_back(make_case("qc_v1 last resort with extra stack item", qc, last, {k.depositor},
                            [](const std::vector<bytes>& s) { return std::vector<bytes>{one, s[0], empty, empty, empty}; },
                            script_error::cleanstack));
  {
    spend_case c = make_case("self_v1 signer, amount differs from signed", self, M, {k.signer},
                             strip(self_signer), script_error::sig_nullfail);
    c.amount = input_value + 1;
    cases.push_back(std::move(c));
  }
  {
    // The witness script does not hash to the spent program.
    spend_case c = make_case("self_v1 witness script swapped for qc_v1", self, M, {k.signer},
                             strip(self_signer), script_error::witness_program_mismatch);
    c.spent_script_pubkey = p2wsh_script_pubkey(qc);
    cases.push_back(std::move(c));
  }
  return cases;
}

} // namespace covsigner::bitcoin::test
