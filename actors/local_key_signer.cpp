#include "actors/local_key_signer.hpp"

#include "crypto/hash160.hpp"
#include "persistence/key_file.hpp"

#include <caf/all.hpp>

#include <sys/prctl.h>

namespace covsigner::actors {

using namespace messages;

namespace {

signature_reply refuse(std::string cause) {
  return {false, {}, std::move(cause)};
}

} // namespace

signer_actor::behavior_type
local_key_signer(signer_actor::stateful_pointer<local_key_signer_state> self,
                 crypto::private_key key) {
  auto& st = self->state;
  st.wallet_public_key_hash =
    crypto::hash160(crypto::serialize_compressed(crypto::derive_public_key(key)));
  st.key.emplace(std::move(key));
  return {
    [self](signature_request& req) -> signature_reply {
      auto& st = self->state;
      if (req.request_id.empty())
        return refuse("signature request has no request id");
      auto digest = crypto::fixed_from_0x_hex<32>(req.sighash);
      if (!digest || req.sighash.size() != 66)
        return refuse("sighash must be 0x followed by 64 hex digits");
      auto pkh = crypto::fixed_from_0x_hex<20>(req.wallet_public_key_hash);
      if (!pkh || *pkh != st.wallet_public_key_hash)
        return refuse("wallet " + req.wallet_public_key_hash +
                      " is not controlled by this signer");
      // Compare in one letter case: the sighash is a value, not a string.
      const std::string sighash = crypto::to_0x_hex(*digest);
      if (auto it = st.signed_requests.find(req.request_id); it != st.signed_requests.end()) {
        if (it->second.sighash != sighash)
          return refuse("request " + req.request_id + " was already signed over sighash " +
                        it->second.sighash + "; refusing to sign a different sighash");
        return {true, it->second.der_signature, {}};
      }
      auto der = crypto::to_0x_hex(crypto::sign_der(*st.key, *digest));
      st.signed_requests.emplace(req.request_id,
                                 local_key_signer_state::signed_request{sighash, der});
      return {true, std::move(der), {}};
    },
  };
}

signer_handle spawn_local_key_signer(caf::actor_system& system, const crypto::private_key& key) {
  signer_handle handle;
  handle.public_key = crypto::serialize_compressed(crypto::derive_public_key(key));
  handle.actor = system.spawn(local_key_signer, key);
  return handle;
}

std::variant<crypto::private_key, std::string> load_local_key(const std::filesystem::path& key_file,
                                                              bool make_undumpable) {
  if (make_undumpable && ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    return std::string{"cannot mark the process not dumpable (prctl PR_SET_DUMPABLE)"};
  return persistence::read_key_file(key_file);
}

} // namespace covsigner::actors
