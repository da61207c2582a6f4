// The request tools: `example`, `example-chain`, `digest`, `validate`,
// `spend-key` (command.hpp).
#include "apps/covsignerctl/arguments.hpp"
#include "apps/covsignerctl/command.hpp"
#include "apps/covsignerctl/example_chain.hpp"
#include "apps/covsignerctl/example_request.hpp"
#include "apps/covsignerctl/pretty_json.hpp"
#include "covenant/normalize.hpp"
#include "covenant/request.hpp"
#include "covenant/spend_authorization.hpp"
#include "covenant/validation.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <ostream>

namespace covsigner::ctl {

namespace {

// The domain options' help, shared by every command's help text.
#define COVSIGNERCTL_DOMAIN_HELP \
  "  --eip712-chain-id N     EIP-712 domain chainId of approvals (default 0)\n" \
  "  --eip712-salt HEX       EIP-712 domain salt, 0x + 64 hex (default: keccak256(\"tBTC\n" \
  "                          Covenant Artifact Approval Domain v2\"), the node's default)\n"

// Parses arguments (plus the domain options); prints the error and returns
// nullopt on failure.
std::optional<std::pair<parsed_arguments, covenant::eip712_domain>> parse_with_domain(
    const std::vector<std::string>& args, std::vector<std::string_view> allowed,
    std::ostream& err) {
  allowed.push_back(option_chain_id);
  allowed.push_back(option_salt);
  auto parsed = parse_arguments(args, allowed);
  if (const auto* e = std::get_if<std::string>(&parsed)) {
    err << "covsignerctl: " << *e << '\n';
    return std::nullopt;
  }
  auto& a = std::get<parsed_arguments>(parsed);
  auto domain = eip712_domain_from(a);
  if (const auto* e = std::get_if<std::string>(&domain)) {
    err << "covsignerctl: " << *e << '\n';
    return std::nullopt;
  }
  return std::make_pair(std::move(a), std::get<covenant::eip712_domain>(domain));
}

// A decimal uint64 option value (digits only), or nullopt.
std::optional<std::uint64_t> parse_u64(const std::string& text) {
  std::uint64_t v = 0;
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return v;
}

// Reads and decodes the one FILE argument; on failure prints to `err`
// (decoding failures: the HTTP body text, then the decoder's detail) and
// returns the exit code.
std::variant<covenant::submit_input, int> read_submit_file(const parsed_arguments& a,
                                                           std::ostream& out, std::ostream& err) {
  if (a.positional.size() != 1) {
    err << "covsignerctl: expected exactly one FILE argument (- for standard input)\n";
    return exit_usage;
  }
  auto file = read_input(a.positional[0]);
  if (!file.error.empty()) {
    err << "covsignerctl: " << file.error << '\n';
    return exit_usage;
  }
  auto decoded = covenant::decode_submit_input(file.content);
  if (const auto* e = std::get_if<covenant::input_error>(&decoded)) {
    out << e->message << '\n';
    err << "detail: " << e->detail << '\n';
    return exit_failed;
  }
  return std::get<covenant::submit_input>(std::move(decoded));
}

int run_example(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto parsed = parse_with_domain(
      args, {"route", "action", "route-request-id", "signer-approval-end-block"}, err);
  if (!parsed)
    return exit_usage;
  auto& [a, domain] = *parsed;
  if (!a.positional.empty() || !a.option("route")) {
    err << "covsignerctl: usage: covsignerctl example --route qc_v1|self_v1 [options]\n";
    return exit_usage;
  }
  example_options options;
  options.route = *a.option("route");
  options.action = a.option("action").value_or("");
  options.route_request_id = a.option("route-request-id").value_or("");
  options.domain = domain;
  if (auto end_block = a.option("signer-approval-end-block")) {
    auto v = parse_u64(*end_block);
    if (!v || *v == 0) {
      err << "covsignerctl: invalid --signer-approval-end-block [" << *end_block
          << "]: expected a non-zero decimal uint64\n";
      return exit_usage;
    }
    options.signer_approval_end_block = *v;
  }
  auto body = make_example_submit(options);
  if (const auto* e = std::get_if<std::string>(&body)) {
    err << "covsignerctl: " << *e << '\n';
    return e->rfind("internal:", 0) == 0 ? exit_internal : exit_usage;
  }
  out << pretty_json(std::get<boost::json::object>(body));
  return exit_ok;
}

int run_example_chain(const std::vector<std::string>& args, std::ostream& out,
                      std::ostream& err) {
  auto parsed = parse_arguments(args, {"confirmations"});
  if (const auto* e = std::get_if<std::string>(&parsed)) {
    err << "covsignerctl: " << *e << '\n';
    return exit_usage;
  }
  const auto& a = std::get<parsed_arguments>(parsed);
  if (!a.positional.empty()) {
    err << "covsignerctl: usage: covsignerctl example-chain [--confirmations N]\n";
    return exit_usage;
  }
  std::uint64_t confirmations = 6;
  if (auto text = a.option("confirmations")) {
    auto v = parse_u64(*text);
    if (!v) {
      err << "covsignerctl: invalid --confirmations [" << *text
          << "]: expected a decimal uint64\n";
      return exit_usage;
    }
    confirmations = *v;
  }
  auto chain = make_example_chain(confirmations);
  if (const auto* e = std::get_if<std::string>(&chain)) {
    err << "covsignerctl: " << *e << '\n';
    return exit_internal;
  }
  out << pretty_json(std::get<boost::json::object>(chain));
  return exit_ok;
}

struct normalized_submit {
  covenant::route_submit_request request;
  covenant::eip712_domain domain;
};

// The FILE argument's request, normalised under the --eip712-* domain as
// the node files it; or the exit code once the arguments, the file or the
// request were refused (the reason already written).
std::variant<normalized_submit, int> read_normalized_submit(const std::vector<std::string>& args,
                                                            std::ostream& out, std::ostream& err) {
  auto parsed = parse_with_domain(args, {}, err);
  if (!parsed)
    return exit_usage;
  auto& [a, domain] = *parsed;
  auto input = read_submit_file(a, out, err);
  if (const int* code = std::get_if<int>(&input))
    return *code;
  const auto& request = std::get<covenant::submit_input>(input).request;
  auto normalized = covenant::normalize_request(request, {.domain = domain});
  if (const auto* e = std::get_if<covenant::input_error>(&normalized)) {
    out << e->message << '\n';
    return exit_failed;
  }
  return normalized_submit{std::move(std::get<covenant::route_submit_request>(normalized)), domain};
}

int run_digest(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto submit = read_normalized_submit(args, out, err);
  if (const int* code = std::get_if<int>(&submit))
    return *code;
  const auto& [n, domain] = std::get<normalized_submit>(submit);
  out << "requestDigest: " << covenant::request_digest(n) << '\n';
  // normalize_request requires artifactApprovals' digestible hashes only
  // when approvals are present; without them there is no approval digest.
  if (!n.artifact_approvals) {
    out << "approvalDigest: none (request.artifactApprovals is absent)\n";
    return exit_ok;
  }
  auto approval = covenant::artifact_approval_digest(n.artifact_approvals->payload, domain);
  if (const auto* e = std::get_if<covenant::input_error>(&approval)) {
    out << e->message << '\n';
    return exit_failed;
  }
  out << "approvalDigest: " << crypto::to_0x_hex(std::get<crypto::hash32>(approval)) << '\n';
  return exit_ok;
}

int run_validate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto parsed = parse_with_domain(args, {"route"}, err);
  if (!parsed)
    return exit_usage;
  auto& [a, domain] = *parsed;
  auto input = read_submit_file(a, out, err);
  if (const int* code = std::get_if<int>(&input))
    return *code;
  const auto& submit = std::get<covenant::submit_input>(input);
  const std::string route = a.option("route").value_or(submit.request.route);
  covenant::validation_policy policy;
  policy.domain = domain;
  policy.now = std::chrono::system_clock::now();
  auto validated = covenant::validate_submit(submit, route, policy);
  if (const auto* e = std::get_if<covenant::validation_error>(&validated)) {
    out << e->message << '\n';
    if (e->kind == covenant::validation_error_kind::height_unavailable)
      err << "note: a node answers this with HTTP 500 internal server error\n";
    return exit_failed;
  }
  out << "ok\n";
  return exit_ok;
}

int run_spend_key(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  // The node files the normalised request; the tuple is computed from it.
  auto submit = read_normalized_submit(args, out, err);
  if (const int* code = std::get_if<int>(&submit))
    return *code;
  const auto& n = std::get<normalized_submit>(submit).request;
  covenant::job j;
  j.route = n.route;
  j.request_json = covenant::canonical_request_json(n);
  auto tuple = covenant::spend_authorization_of_request(j);
  if (const auto* e = std::get_if<std::string>(&tuple)) {
    out << *e << '\n';
    return exit_failed;
  }
  const auto& t = std::get<covenant::spend_authorization>(tuple);
  out << "utxoKey: " << crypto::to_0x_hex(t.utxo_key) << '\n'
      << "walletPKH: " << crypto::to_0x_hex(t.wallet_pkh) << '\n'
      << "value: " << t.value << '\n'
      << "outputsHash: " << crypto::to_0x_hex(t.outputs_hash) << '\n'
      << "fundingTxHash: " << crypto::to_0x_hex(t.funding_tx_hash) << '\n'
      << "fundingOutputIndex: " << t.funding_output_index << '\n';
  return exit_ok;
}

const std::array<command, 5> commands = {{
    {"example", "print a valid, dev-key-signed submit body",
     "usage: covsignerctl example --route qc_v1|self_v1 [--action MIGRATION|REDEEM|RENEW]\n"
     "                            [--route-request-id ID] [--signer-approval-end-block N]\n"
     "                            [--eip712-chain-id N] [--eip712-salt HEX]\n"
     "\n"
     "Prints (stdout) a submit body for POST /v1/<route>/signer/requests that a node with\n"
     "the given EIP-712 domain and no trust roots accepts: consistent destination and\n"
     "plan commitments, D (and for qc_v1, C) approvals, no plan quote. Without --action\n"
     "the action field is omitted (MIGRATION). Default routeRequestId: ors_demo_<route>.\n"
     "\n"
     "The active outpoint is output 1 of the route's SIMULATED development funding\n"
     "transaction, which `covsignerctl example-chain` puts on the development fixture\n"
     "chain (examples/chain/dev-chain.json): a node on that chain whose signer is the\n"
     "signer dev key (examples/dev-signer.key) can sign the request.\n"
     "\n"
     "Without --signer-approval-end-block there is no signerApproval (a node without a\n"
     "certificate verifier, i.e. without a chain, refuses one). With it, the body carries\n"
     "a v2 signer approval certificate valid through host-chain block N, signed by the\n"
     "signer dev key for the development wallet of example-chain (wallet id 0xa1..a1,\n"
     "members-IDs hash 0xb2..b2, honest threshold 51); a node with a chain requires one.\n"
     "\n"
     "The approvals are signed with FIXED, PUBLISHED DEVELOPMENT KEYS (the secp256k1\n"
     "scalars 0x11..11 depositor, 0x22..22 signer, 0x33..33 custodian, from the\n"
     "reference's tests). Anyone can sign with them: use them for development only.\n"
     "\n"
     "options:\n"
     "  --route R               qc_v1 or self_v1 (required)\n"
     "  --action A              MIGRATION, REDEEM or RENEW\n"
     "  --route-request-id ID   the body's routeRequestId\n"
     "  --signer-approval-end-block N\n"
     "                          add a signer approval certificate valid through host-chain\n"
     "                          block N (non-zero; the dev chain is at height 1000)\n"
     COVSIGNERCTL_DOMAIN_HELP,
     run_example},
    {"example-chain", "print the development fixture chain the examples spend from",
     "usage: covsignerctl example-chain [--confirmations N]\n"
     "\n"
     "Prints (stdout) a fixture chain file (covsignerd --chain.backend=fixture\n"
     "--chain.fixture-file=F) holding SIMULATED data only: host-chain height 1000,\n"
     "Bitcoin height 850000, the development wallet of the PUBLIC signer dev key\n"
     "(0x22..22; Live, wallet id 0xa1..a1, members-IDs hash 0xb2..b2) and the qc_v1 and\n"
     "self_v1 development funding transactions whose output 1 every `covsignerctl\n"
     "example` body of that route spends, with the CovenantSpendAuthorization entries\n"
     "of their MIGRATION spends (`covsignerctl spend-key`), so a node that requires the\n"
     "gate signs them. examples/chain/dev-chain.json is its output.\n"
     "\n"
     "options:\n"
     "  --confirmations N       confirmations of each funding transaction (default 6,\n"
     "                          the node's default minimum)\n",
     run_example_chain},
    {"digest", "print a submit body's request and approval digests",
     "usage: covsignerctl digest FILE [--eip712-chain-id N] [--eip712-salt HEX]\n"
     "\n"
     "Prints the request digest (the digest a node files the request under) and the\n"
     "EIP-712 approval digest D and C sign, of the submit body in FILE (- = stdin):\n"
     "  requestDigest: 0x...\n"
     "  approvalDigest: 0x...\n"
     "Exit 1, with the node's error text, when the body does not decode or normalise.\n"
     "\n"
     "options:\n" COVSIGNERCTL_DOMAIN_HELP,
     run_digest},
    {"validate", "validate a submit body as a node would",
     "usage: covsignerctl validate FILE [--route R] [--eip712-chain-id N] [--eip712-salt HEX]\n"
     "\n"
     "Runs the node's submit validation on the body in FILE (- = stdin) for endpoint\n"
     "route R (default: the body's request.route), with no trust roots, no\n"
     "certificate verifier and no chain height. Prints `ok` (exit 0) or the first\n"
     "error exactly as the node's HTTP 400 body (exit 1).\n"
     "\n"
     "options:\n"
     "  --route R               the endpoint route (qc_v1 or self_v1)\n" COVSIGNERCTL_DOMAIN_HELP,
     run_validate},
    {"spend-key", "print the CovenantSpendAuthorization tuple a request is gated on",
     "usage: covsignerctl spend-key FILE [--eip712-chain-id N] [--eip712-salt HEX]\n"
     "\n"
     "Prints the tuple a node asks the chain's CovenantSpendAuthorization registry\n"
     "about before it signs the submit body in FILE (- = stdin), built as the node\n"
     "builds the spend: the template's signer key, the active outpoint, the plan's\n"
     "input value and the destination outputs:\n"
     "  utxoKey: 0x...             keccak256(fundingTxHash ++ uint32 BE fundingOutputIndex)\n"
     "  walletPKH: 0x...           HASH160 of the signer's compressed key\n"
     "  value: N                   satoshis of the covenant output spent\n"
     "  outputsHash: 0x...         BIP-143 hashOutputs of the spend\n"
     "  fundingTxHash: 0x...       the active txid in internal (little-endian) byte order\n"
     "  fundingOutputIndex: N\n"
     "The registry's owner posts it with authorizeCovenantSpend(fundingTxHash,\n"
     "fundingOutputIndex, walletPKH, value, outputsHash). Exit 1, with the node's\n"
     "error text, when the body does not decode or the spend cannot be built.\n"
     "\n"
     "options:\n" COVSIGNERCTL_DOMAIN_HELP,
     run_spend_key},
}};

} // namespace

std::span<const command> request_commands() {
  return commands;
}

} // namespace covsigner::ctl
