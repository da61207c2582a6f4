// Bitcoin Core's script_tests.json (vendored in data/, see data/README.md):
// the witness and CLTV entries that use only what our interpreter supports
// are run exactly as Core's script_tests.cpp does (a crediting transaction
// and a spending transaction), and each verdict must equal Core's.
#include "bitcoin/interpreter.hpp"
#include "bitcoin/script.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

namespace {

using namespace covsigner::bitcoin;
using covsigner::crypto::bytes;
using covsigner::crypto::from_hex;

// Core's opcode names (GetOpName), accepted with or without "OP_".
const std::map<std::string, std::uint8_t>& opcode_names() {
  static const std::map<std::string, std::uint8_t> names = [] {
    const std::vector<std::pair<std::uint8_t, const char*>> table{
        {0x50, "RESERVED"}, {0x61, "NOP"}, {0x62, "VER"}, {0x63, "IF"}, {0x64, "NOTIF"},
        {0x65, "VERIF"}, {0x66, "VERNOTIF"}, {0x67, "ELSE"}, {0x68, "ENDIF"}, {0x69, "VERIFY"},
        {0x6a, "RETURN"}, {0x6b, "TOALTSTACK"}, {0x6c, "FROMALTSTACK"}, {0x6d, "2DROP"},
        {0x6e, "2DUP"}, {0x6f, "3DUP"}, {0x70, "2OVER"}, {0x71, "2ROT"}, {0x72, "2SWAP"},
        {0x73, "IFDUP"}, {0x74, "DEPTH"}, {0x75, "DROP"}, {0x76, "DUP"}, {0x77, "NIP"},
        {0x78, "OVER"}, {0x79, "PICK"}, {0x7a, "ROLL"}, {0x7b, "ROT"}, {0x7c, "SWAP"},
        {0x7d, "TUCK"}, {0x7e, "CAT"}, {0x7f, "SUBSTR"}, {0x80, "LEFT"}, {0x81, "RIGHT"},
        {0x82, "SIZE"}, {0x83, "INVERT"}, {0x84, "AND"}, {0x85, "OR"}, {0x86, "XOR"},
        {0x87, "EQUAL"}, {0x88, "EQUALVERIFY"}, {0x89, "RESERVED1"}, {0x8a, "RESERVED2"},
        {0x8b, "1ADD"}, {0x8c, "1SUB"}, {0x8d, "2MUL"}, {0x8e, "2DIV"}, {0x8f, "NEGATE"},
        {0x90, "ABS"}, {0x91, "NOT"}, {0x92, "0NOTEQUAL"}, {0x93, "ADD"}, {0x94, "SUB"},
        {0x95, "MUL"}, {0x96, "DIV"}, {0x97, "MOD"}, {0x98, "LSHIFT"}, {0x99, "RSHIFT"},
        {0x9a, "BOOLAND"}, {0x9b, "BOOLOR"}, {0x9c, "NUMEQUAL"}, {0x9d, "NUMEQUALVERIFY"},
        {0x9e, "NUMNOTEQUAL"}, {0x9f, "LESSTHAN"}, {0xa0, "GREATERTHAN"},
        {0xa1, "LESSTHANOREQUAL"}, {0xa2, "GREATERTHANOREQUAL"}, {0xa3, "MIN"}, {0xa4, "MAX"},
        {0xa5, "WITHIN"}, {0xa6, "RIPEMD160"}, {0xa7, "SHA1"}, {0xa8, "SHA256"},
        {0xa9, "HASH160"}, {0xaa, "HASH256"}, {0xab, "CODESEPARATOR"}, {0xac, "CHECKSIG"},
        {0xad, "CHECKSIGVERIFY"}, {0xae, "CHECKMULTISIG"}, {0xaf, "CHECKMULTISIGVERIFY"},
        {0xb0, "NOP1"}, {0xb1, "CHECKLOCKTIMEVERIFY"}, {0xb1, "NOP2"},
        {0xb2, "CHECKSEQUENCEVERIFY"}, {0xb2, "NOP3"}, {0xb3, "NOP4"}, {0xb4, "NOP5"},
        {0xb5, "NOP6"}, {0xb6, "NOP7"}, {0xb7, "NOP8"}, {0xb8, "NOP9"}, {0xb9, "NOP10"},
        {0xba, "CHECKSIGADD"}};
    std::map<std::string, std::uint8_t> m;
    for (const auto& [code, name] : table) {
      m[name] = code;
      m[std::string("OP_") + name] = code;
    }
    return m;
  }();
  return names;
}

/// Core's ParseScript (core_read.cpp): numbers, 0x raw bytes, 'strings',
/// opcode names. nullopt for a word it does not know.
std::optional<bytes> parse_asm(const std::string& text) {
  bytes out;
  std::istringstream words(text);
  std::string w;
  while (words >> w) {
    const bool digits = !w.empty() && std::all_of(w.begin(), w.end(), ::isdigit);
    const bool negative = w.size() > 1 && w[0] == '-' && std::all_of(w.begin() + 1, w.end(), ::isdigit);
    if (digits || negative) {
      const long long n = std::stoll(w);
      if (n == -1 || (n >= 1 && n <= 16))
        out.push_back(n == -1 ? OP_1NEGATE : small_int_opcode(static_cast<unsigned>(n)));
      else if (n == 0)
        out.push_back(OP_0);
      else {
        // CScript << vector: plain length-prefixed push, no small-int rewrite.
        const bytes num = encode_script_number(n);
        out.push_back(static_cast<std::uint8_t>(num.size()));
        out.insert(out.end(), num.begin(), num.end());
      }
    } else if (w.size() > 2 && w.substr(0, 2) == "0x") {
      auto raw = from_hex(w.substr(2));
      if (!raw)
        return std::nullopt;
      out.insert(out.end(), raw->begin(), raw->end());
    } else if (w.size() >= 2 && w.front() == '\'' && w.back() == '\'') {
      const std::string s = w.substr(1, w.size() - 2);
      if (s.size() < OP_PUSHDATA1) {
        out.push_back(static_cast<std::uint8_t>(s.size()));
      } else if (s.size() <= 0xff) {
        out.push_back(OP_PUSHDATA1);
        out.push_back(static_cast<std::uint8_t>(s.size()));
      } else {
        return std::nullopt; // not used by the file
      }
      out.insert(out.end(), s.begin(), s.end());
    } else if (auto it = opcode_names().find(w); it != opcode_names().end()) {
      out.push_back(it->second);
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::optional<std::uint32_t> parse_flags(const std::string& text) {
  static const std::map<std::string, std::uint32_t> known{
      {"NONE", VERIFY_NONE}, {"P2SH", VERIFY_P2SH}, {"STRICTENC", VERIFY_STRICTENC},
      {"DERSIG", VERIFY_DERSIG}, {"LOW_S", VERIFY_LOW_S}, {"NULLDUMMY", VERIFY_NULLDUMMY},
      {"SIGPUSHONLY", VERIFY_SIGPUSHONLY}, {"MINIMALDATA", VERIFY_MINIMALDATA},
      {"DISCOURAGE_UPGRADABLE_NOPS", VERIFY_DISCOURAGE_UPGRADABLE_NOPS},
      {"CLEANSTACK", VERIFY_CLEANSTACK}, {"CHECKLOCKTIMEVERIFY", VERIFY_CHECKLOCKTIMEVERIFY},
      {"CHECKSEQUENCEVERIFY", VERIFY_CHECKSEQUENCEVERIFY}, {"WITNESS", VERIFY_WITNESS},
      {"DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM", VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM},
      {"MINIMALIF", VERIFY_MINIMALIF}, {"NULLFAIL", VERIFY_NULLFAIL},
      {"WITNESS_PUBKEYTYPE", VERIFY_WITNESS_PUBKEYTYPE}};
  std::uint32_t flags = 0;
  std::istringstream parts(text);
  std::string name;
  while (std::getline(parts, name, ',')) {
    if (name.empty())
      continue;
    auto it = known.find(name);
    if (it == known.end())
      return std::nullopt; // e.g. TAPROOT, CONST_SCRIPTCODE: not ours
    flags |= it->second;
  }
  return flags;
}

/// Every opcode of `script` is one we implement (and the script parses).
bool only_supported(const bytes& script, bool allow_sig_ops) {
  std::size_t pos = 0;
  while (pos < script.size()) {
    auto op = read_op(script, pos);
    if (!op)
      return true; // truncated push: the interpreter must say BAD_OPCODE
    const std::uint8_t c = op->code;
    const bool sig_op = c == OP_CHECKSIG || c == OP_CHECKSIGVERIFY || c == OP_CHECKMULTISIG ||
                        c == OP_CHECKMULTISIGVERIFY;
    if (sig_op && !allow_sig_ops)
      return false;
    const bool supported = c <= OP_16 && c != OP_RESERVED;
    if (supported || sig_op)
      continue;
    switch (c) {
    case OP_NOP: case OP_IF: case OP_NOTIF: case OP_ELSE: case OP_ENDIF: case OP_VERIFY:
    case OP_RETURN: case OP_DROP: case OP_DUP: case OP_EQUAL: case OP_EQUALVERIFY:
    case OP_SHA256: case OP_HASH160: case OP_CHECKLOCKTIMEVERIFY:
      continue;
    default:
      return false;
    }
  }
  return true;
}

bool contains_op(const bytes& script, std::uint8_t wanted) {
  std::size_t pos = 0;
  while (pos < script.size()) {
    auto op = read_op(script, pos);
    if (!op)
      return false;
    if (op->code == wanted)
      return true;
  }
  return false;
}

bool is_witness_program(const bytes& s) {
  return s.size() >= 4 && s.size() <= 42 && (s[0] == OP_0 || (s[0] >= OP_1 && s[0] <= OP_16)) &&
         static_cast<std::size_t>(s[1]) + 2 == s.size();
}

// Core's BuildCreditingTransaction / BuildSpendingTransaction.
transaction crediting(const bytes& script_pubkey, std::int64_t amount) {
  transaction tx;
  tx.version = 1;
  tx_input in;
  in.prevout.vout = 0xffffffff; // null prevout
  in.script_sig = bytes{OP_0, OP_0};
  tx.inputs.push_back(in);
  tx.outputs.push_back(tx_output{amount, script_pubkey});
  return tx;
}

transaction spending(const bytes& script_sig, const std::vector<bytes>& witness,
                     const transaction& credit) {
  transaction tx;
  tx.version = 1;
  tx_input in;
  in.prevout.txid = txid(credit);
  in.prevout.vout = 0;
  in.script_sig = script_sig;
  in.witness = witness;
  tx.inputs.push_back(in);
  tx.outputs.push_back(tx_output{credit.outputs[0].value, {}});
  return tx;
}

TEST(CoreScriptTests, SupportedWitnessAndCltvEntriesMatchCore) {
  std::ifstream file(COVSIGNER_SOURCE_DIR "/tests/unit/bitcoin/data/script_tests.json");
  ASSERT_TRUE(file) << "vendored script_tests.json is missing";
  std::stringstream content;
  content << file.rdbuf();
  const boost::json::array entries = boost::json::parse(content.str()).as_array();
  ASSERT_GT(entries.size(), 1000u);

  int run = 0, witness_run = 0, cltv_run = 0;
  for (const auto& value : entries) {
    const auto& e = value.as_array();
    if (e.size() < 4)
      continue; // comment
    std::size_t i = 0;
    std::vector<bytes> witness;
    std::int64_t amount = 0;
    bool has_witness_array = false;
    if (e[0].is_array()) {
      has_witness_array = true;
      const auto& w = e[0].as_array();
      bool usable = true;
      for (std::size_t k = 0; k + 1 < w.size(); ++k) {
        auto item = from_hex(w[k].as_string().c_str());
        if (!item) {
          usable = false; // taproot placeholders such as #SCRIPT#
          break;
        }
        witness.push_back(*item);
      }
      if (!usable)
        continue;
      amount = std::llround(w.back().to_number<double>() * 1e8);
      i = 1;
    }
    if (e.size() < i + 4)
      continue;
    const auto script_sig = parse_asm(e[i].as_string().c_str());
    const auto script_pubkey = parse_asm(e[i + 1].as_string().c_str());
    const auto flags = parse_flags(e[i + 2].as_string().c_str());
    const std::string expected = e[i + 3].as_string().c_str();
    if (!script_sig || !script_pubkey || !flags)
      continue;

    const bool witness_path = (*flags & VERIFY_WITNESS) && is_witness_program(*script_pubkey);
    const bool cltv = contains_op(*script_sig, OP_CHECKLOCKTIMEVERIFY) ||
                      contains_op(*script_pubkey, OP_CHECKLOCKTIMEVERIFY);
    if (!has_witness_array && !cltv)
      continue; // outside the subset: neither a witness nor a CLTV case
    // Signature checks exist only for witness v0; P2SH is not implemented.
    if (!only_supported(*script_sig, false) || !only_supported(*script_pubkey, false))
      continue;
    if ((*flags & VERIFY_P2SH) && script_pubkey->size() == 23 && (*script_pubkey)[0] == OP_HASH160)
      continue;
    if (witness_path && script_pubkey->size() == 34 && !witness.empty() &&
        !only_supported(witness.back(), true))
      continue;

    const transaction credit = crediting(*script_pubkey, amount);
    const transaction spend = spending(*script_sig, witness, credit);
    const script_error got =
        verify_script(*script_sig, *script_pubkey, witness, *flags, spend_context{spend, 0, amount});
    EXPECT_EQ(script_error_name(got), expected)
        << "entry: " << boost::json::serialize(value);
    ++run;
    witness_run += has_witness_array;
    cltv_run += cltv;
  }
  // Pinned so that a parser or filter change cannot silently shrink the
  // subset; update together with the vendored file.
  EXPECT_EQ(run, 60);
  EXPECT_EQ(witness_run, 59);
  EXPECT_EQ(cltv_run, 1);
}

} // namespace
