#include "actors/certificate_issuer.hpp"

#include "covenant/canonical_json.hpp"
#include "covenant/certificate_issuance.hpp"

#include <caf/all.hpp>

#include <memory>

namespace covsigner::actors {

using namespace messages;

namespace {

using self_ptr = certificate_issuer_actor::stateful_pointer<certificate_issuer_state>;
using promise_type = caf::typed_response_promise<certificate_issue_reply>;

certificate_issue_reply from_error(const covenant::signer_approval_error& e) {
  switch (e.kind) {
    case covenant::signer_approval_error_kind::input:
      return {issue_code::bad_request, {}, e.message};
    case covenant::signer_approval_error_kind::registry_unavailable:
    case covenant::signer_approval_error_kind::bridge_unavailable:
      return {issue_code::unavailable, {}, e.message};
    case covenant::signer_approval_error_kind::internal:
      break;
  }
  return {issue_code::internal, {}, e.message};
}

struct issuance {
  promise_type promise;
  covenant::issuance_request request;
  covenant::issuance_plan plan;
};
using issuance_ptr = std::shared_ptr<issuance>;

// After the signature: the head again, so that a certificate whose signing
// finished past its endBlock is refused.
void finish(self_ptr self, issuance_ptr run, std::string der) {
  auto& st = self->state.settings;
  self->request(st.chain_head, st.chain_timeout, height_atom::value)
    .then(
      [run, der](chain_height& h) mutable {
        if (!h.fresh) {
          run->promise.deliver(certificate_issue_reply{
            issue_code::internal, {},
            "cannot get current host-chain block for signer approval certificate: " + h.cause});
          return;
        }
        auto cert = covenant::finish_certificate(run->plan, der, h.height);
        if (auto* e = std::get_if<covenant::signer_approval_error>(&cert)) {
          run->promise.deliver(from_error(*e));
          return;
        }
        run->promise.deliver(certificate_issue_reply{
          issue_code::ok,
          covenant::canonical_json(covenant::to_canonical_value(
            std::get<covenant::signer_approval_certificate>(cert))),
          {}});
      },
      [self, run](caf::error& err) {
        run->promise.deliver(certificate_issue_reply{
          issue_code::internal, {},
          "cannot get current host-chain block for signer approval certificate: " +
            self->system().render(err)});
      });
}

void sign(self_ptr self, issuance_ptr run) {
  auto& st = self->state.settings;
  // One certificate per (digest, endBlock): the signer's idempotency key.
  signature_request req{"certificate:" + crypto::to_0x_hex(run->plan.approval_digest) + ":" +
                          std::to_string(run->plan.end_block),
                        crypto::to_0x_hex(run->request.wallet_public_key_hash),
                        crypto::to_0x_hex(run->plan.signing_digest)};
  self->request(st.signer->actor, st.signer_timeout, std::move(req))
    .then(
      [self, run](signature_reply& r) {
        if (!r.ok) {
          run->promise.deliver(certificate_issue_reply{
            issue_code::internal, {}, "cannot sign signer approval certificate: " + r.cause});
          return;
        }
        finish(self, run, std::move(r.der_signature));
      },
      [self, run](caf::error& err) {
        run->promise.deliver(certificate_issue_reply{
          issue_code::internal, {},
          "cannot sign signer approval certificate: the signer did not answer: " +
            self->system().render(err)});
      });
}

void plan(self_ptr self, issuance_ptr run, covenant::wallet_lookup wallet) {
  auto& st = self->state.settings;
  self->request(st.chain_head, st.chain_timeout, height_atom::value)
    .then(
      [self, run, wallet](chain_height& h) {
        std::optional<std::uint64_t> height;
        if (h.fresh)
          height = h.height;
        auto planned = covenant::plan_certificate_issuance(
          run->request, self->state.settings.signer->public_key, wallet, height, h.cause);
        if (auto* e = std::get_if<covenant::signer_approval_error>(&planned)) {
          run->promise.deliver(from_error(*e));
          return;
        }
        run->plan = std::move(std::get<covenant::issuance_plan>(planned));
        sign(self, run);
      },
      [self, run, wallet](caf::error& err) {
        auto planned = covenant::plan_certificate_issuance(
          run->request, self->state.settings.signer->public_key, wallet, std::nullopt,
          self->system().render(err));
        run->promise.deliver(from_error(std::get<covenant::signer_approval_error>(planned)));
      });
}

} // namespace

certificate_issuer_actor::behavior_type certificate_issuer(self_ptr self,
                                                           certificate_issuer_settings settings) {
  self->state.settings = std::move(settings);
  return {
    [self](certificate_issue& req) -> caf::result<certificate_issue_reply> {
      auto& st = self->state.settings;
      auto run = std::make_shared<issuance>();
      auto pkh = crypto::fixed_from_0x_hex<20>(req.wallet_public_key_hash);
      if (!pkh)
        return certificate_issue_reply{issue_code::bad_request, {},
                                       "walletPublicKeyHash must be 0x-prefixed 20-byte hex"};
      auto digest = crypto::from_0x_hex(req.approval_digest);
      run->request = {*pkh, digest ? *digest : crypto::bytes{}, req.end_block};
      if (req.end_block == 0)
        return certificate_issue_reply{issue_code::bad_request, {}, "endBlock is required"};
      std::optional<std::span<const std::uint8_t>> key;
      if (st.signer)
        key = std::span<const std::uint8_t>(st.signer->public_key);
      if (auto e = covenant::check_issuance_request(run->request, key))
        return from_error(*e);
      if (!st.bridge_reader || !st.chain_head)
        return certificate_issue_reply{issue_code::unavailable, {},
                                       "no chain is configured: cannot read the wallet"};
      run->promise = self->make_response_promise<certificate_issue_reply>();
      self->request(st.bridge_reader, st.chain_timeout, wallet_atom::value, req.wallet_public_key_hash)
        .then(
          [self, run](wallet_reply& w) {
            covenant::wallet_lookup lookup;
            lookup.result = w.code == chain_code::ok          ? covenant::wallet_lookup::outcome::found
                            : w.code == chain_code::not_found ? covenant::wallet_lookup::outcome::not_found
                                                              : covenant::wallet_lookup::outcome::unavailable;
            lookup.wallet = std::move(w.wallet);
            lookup.cause = std::move(w.cause);
            plan(self, run, std::move(lookup));
          },
          [self, run](caf::error& err) {
            covenant::wallet_lookup lookup;
            lookup.cause = "the bridge reader did not answer: " + self->system().render(err);
            plan(self, run, std::move(lookup));
          });
      return run->promise;
    },
  };
}

} // namespace covsigner::actors
