#include "actors/bitcoin_reader.hpp"

namespace covsigner::actors {

using namespace messages;

namespace {

using reader_ptr = bitcoin_reader_impl::stateful_pointer<bitcoin_reader_state>;
using reply_promise = caf::typed_response_promise<outpoint_reply>;

// Second read of an outpoint request, once its transaction was found: the
// output's spent state. A failure leaves it unknown, with the cause; the
// transaction's read stands.
void read_output_spend(reader_ptr self, crypto::hash32 txid, std::uint32_t vout,
                       outpoint_reply reply, reply_promise promise) {
  auto src = self->state.source;
  guarded_call<covenant::output_spend>(
    self, self->state.core, [src, txid, vout] { return src->output_spend(txid, vout); },
    [reply = std::move(reply), promise](chain::read_result<covenant::output_spend> r) mutable {
      if (r.code == chain::read_code::ok) {
        reply.output = r.value;
      } else {
        reply.output = covenant::output_spend::unknown;
        reply.output_cause = std::move(r.cause);
      }
      promise.deliver(std::move(reply));
    });
}

} // namespace

bitcoin_reader_impl::behavior_type
bitcoin_reader(bitcoin_reader_impl::stateful_pointer<bitcoin_reader_state> self,
               std::shared_ptr<chain::bitcoin_source> source, reader_settings settings) {
  self->state.core.init("Bitcoin", settings);
  self->state.source = std::move(source);
  self->set_exception_handler([self](std::exception_ptr& ep) -> caf::error {
    auto cause = crash_cause(self->state.core.source, ep);
    self->state.core.fail_all(cause);
    return caf::make_error(caf::sec::runtime_error, cause);
  });
  return {
    [self](outpoint_atom, const std::string& txid_hex,
           std::uint32_t vout) -> caf::result<outpoint_reply> {
      auto txid = crypto::fixed_from_0x_hex<32>(txid_hex);
      if (!txid)
        return caf::make_error(caf::sec::invalid_argument,
                               "txid must be 0x-hex of 32 bytes: " + txid_hex);
      auto promise = self->make_response_promise<outpoint_reply>();
      auto src = self->state.source;
      guarded_call<chain::bitcoin_transaction>(
        self, self->state.core, [src, txid = *txid] { return src->transaction(txid); },
        [self, promise, txid = *txid, vout](chain::read_result<chain::bitcoin_transaction> r) mutable {
          outpoint_reply reply;
          reply.code = to_chain_code(r.code);
          reply.transaction_hex = std::move(r.value.hex);
          reply.confirmations = r.value.confirmations;
          reply.cause = std::move(r.cause);
          if (reply.code != chain_code::ok) {
            promise.deliver(std::move(reply));
            return;
          }
          read_output_spend(self, txid, vout, std::move(reply), std::move(promise));
        });
      return promise;
    },
    [self](status_atom) { return self->state.core.status(); },
    [self](call_done_atom, std::uint64_t id) { self->state.core.complete(id, std::nullopt); },
    [self](call_expired_atom, std::uint64_t id) { self->state.core.expire(id); },
  };
}

bitcoin_reader_actor::behavior_type supervised_bitcoin_reader(
  bitcoin_reader_actor::stateful_pointer<bitcoin_supervisor_state> self,
  std::shared_ptr<chain::bitcoin_source> source, reader_settings settings, restart_budget budget) {
  auto& st = self->state;
  st.source = "Bitcoin";
  st.budget = budget;
  st.spawn_worker = [source, settings](caf::actor_system& sys) -> bitcoin_reader_actor {
    return sys.spawn(bitcoin_reader, source, settings);
  };
  start_supervision(self);
  return {
    [self](outpoint_atom a, std::string& txid, std::uint32_t vout) -> caf::result<outpoint_reply> {
      if (!self->state.gave_up.empty()) {
        outpoint_reply down;
        down.cause = self->state.gave_up;
        return down;
      }
      return self->delegate(*self->state.worker, a, std::move(txid), vout);
    },
    [self](status_atom) { return supervised_status(self); },
  };
}

bitcoin_reader_actor spawn_bitcoin_reader(caf::actor_system& sys,
                                          std::shared_ptr<chain::bitcoin_source> source,
                                          reader_settings settings, restart_budget budget) {
  return sys.spawn(supervised_bitcoin_reader, std::move(source), settings, budget);
}

} // namespace covsigner::actors
