#include "actors/bridge_reader.hpp"

namespace covsigner::actors {

using namespace messages;

namespace {

using self_ptr = bridge_reader_impl::stateful_pointer<bridge_reader_state>;

// registry_unavailable_cause holds the bare reason: consumers that need the
// members hash refuse with "wallet registry data unavailable for wallet
// 0x<id>: <cause>" (DESIGN.md, GetWallet), so it does not repeat the id.

// Second half of GetWallet: the best-effort registry read.
void add_registry_data(self_ptr self, covenant::wallet_chain_data wallet,
                       caf::typed_response_promise<wallet_reply> promise) {
  auto& st = self->state;
  if (!st.registry) {
    wallet.registry_unavailable_cause = "no wallet registry reader is configured";
    promise.deliver(wallet_reply{chain_code::ok, std::move(wallet), {}});
    return;
  }
  auto wait = st.next_wait++;
  st.awaiting_registry.emplace(wait, promise);
  auto finish = [self, wait](covenant::wallet_chain_data w) {
    auto& waiting = self->state.awaiting_registry;
    auto it = waiting.find(wait);
    if (it == waiting.end())
      return;
    auto p = std::move(it->second);
    waiting.erase(it);
    p.deliver(wallet_reply{chain_code::ok, std::move(w), {}});
  };
  self
    ->request(st.registry, st.registry_timeout, wallet_atom::value,
              crypto::to_0x_hex(wallet.ecdsa_wallet_id))
    .then(
      [wallet, finish](registry_reply& r) mutable {
        if (r.code == chain_code::ok)
          wallet.members_ids_hash = r.members_ids_hash;
        else
          wallet.registry_unavailable_cause = r.cause;
        finish(std::move(wallet));
      },
      [wallet, finish](caf::error& err) mutable {
        wallet.registry_unavailable_cause =
          "wallet registry reader did not answer: " + caf::to_string(err);
        finish(std::move(wallet));
      });
}

caf::result<wallet_reply> read_wallet(self_ptr self, const std::string& pkh_hex,
                                      bool with_registry) {
  auto pkh = crypto::fixed_from_0x_hex<20>(pkh_hex);
  if (!pkh)
    return caf::make_error(caf::sec::invalid_argument,
                           "wallet public key hash must be 0x-hex of 20 bytes: " + pkh_hex);
  auto promise = self->make_response_promise<wallet_reply>();
  auto src = self->state.source;
  guarded_call<covenant::wallet_chain_data>(
    self, self->state.core, [src, pkh = *pkh] { return src->wallet(pkh); },
    [self, promise, pkh = *pkh, with_registry](chain::read_result<covenant::wallet_chain_data> r) mutable {
      switch (r.code) {
        case chain::read_code::unavailable:
          promise.deliver(wallet_reply{chain_code::unavailable, {},
                                       "cannot get wallet for public key hash " +
                                         crypto::to_0x_hex(pkh) + ": " + r.cause});
          return;
        case chain::read_code::not_found:
          promise.deliver(wallet_reply{chain_code::not_found, {},
                                       "wallet not found for public key hash [" +
                                         crypto::to_0x_hex(pkh) + "]: " + r.cause});
          return;
        case chain::read_code::ok:
          break;
      }
      r.value.members_ids_hash.reset();
      if (!with_registry) {
        r.value.registry_unavailable_cause = "not requested (Bridge-only read)";
        promise.deliver(wallet_reply{chain_code::ok, std::move(r.value), {}});
        return;
      }
      add_registry_data(self, std::move(r.value), promise);
    });
  return promise;
}

} // namespace

bridge_reader_impl::behavior_type bridge_reader(self_ptr self,
                                                std::shared_ptr<chain::bridge_source> source,
                                                registry_reader_actor registry,
                                                bridge_reader_settings settings) {
  auto& st = self->state;
  st.core.init("Bridge", settings.reader);
  st.source = std::move(source);
  st.registry = std::move(registry);
  st.registry_timeout = settings.registry_timeout;
  self->set_exception_handler([self](std::exception_ptr& ep) -> caf::error {
    auto cause = crash_cause(self->state.core.source, ep);
    self->state.core.fail_all(cause);
    auto waiting = std::move(self->state.awaiting_registry);
    self->state.awaiting_registry.clear();
    for (auto& [id, promise] : waiting)
      promise.deliver(wallet_reply{chain_code::unavailable, {}, cause});
    return caf::make_error(caf::sec::runtime_error, cause);
  });
  return {
    [self](wallet_atom, const std::string& pkh) { return read_wallet(self, pkh, true); },
    [self](bridge_only_atom, const std::string& pkh) { return read_wallet(self, pkh, false); },
    [self](status_atom) { return self->state.core.status(); },
    [self](call_done_atom, std::uint64_t id) { self->state.core.complete(id, std::nullopt); },
    [self](call_expired_atom, std::uint64_t id) { self->state.core.expire(id); },
  };
}

bridge_reader_actor::behavior_type supervised_bridge_reader(
  bridge_reader_actor::stateful_pointer<bridge_supervisor_state> self,
  std::shared_ptr<chain::bridge_source> source, registry_reader_actor registry,
  bridge_reader_settings settings, restart_budget budget) {
  auto& st = self->state;
  st.source = "Bridge";
  st.budget = budget;
  st.spawn_worker = [source, registry, settings](caf::actor_system& sys) -> bridge_reader_actor {
    return sys.spawn(bridge_reader, source, registry, settings);
  };
  start_supervision(self);
  auto refuse = [self]() -> std::optional<wallet_reply> {
    if (self->state.gave_up.empty())
      return std::nullopt;
    return wallet_reply{chain_code::unavailable, {}, self->state.gave_up};
  };
  return {
    [self, refuse](wallet_atom a, std::string& pkh) -> caf::result<wallet_reply> {
      if (auto r = refuse())
        return *r;
      return self->delegate(*self->state.worker, a, std::move(pkh));
    },
    [self, refuse](bridge_only_atom a, std::string& pkh) -> caf::result<wallet_reply> {
      if (auto r = refuse())
        return *r;
      return self->delegate(*self->state.worker, a, std::move(pkh));
    },
    [self](status_atom) { return supervised_status(self); },
  };
}

bridge_reader_actor spawn_bridge_reader(caf::actor_system& sys,
                                        std::shared_ptr<chain::bridge_source> source,
                                        registry_reader_actor registry,
                                        bridge_reader_settings settings, restart_budget budget) {
  return sys.spawn(supervised_bridge_reader, std::move(source), std::move(registry), settings,
                   budget);
}

} // namespace covsigner::actors
