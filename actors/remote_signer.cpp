#include "actors/remote_signer.hpp"

#include "crypto/bytes.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/remote_actor.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>

#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

namespace covsigner::actors {

using namespace messages;

namespace {

signature_reply refuse(std::string cause) {
  return {false, {}, std::move(cause)};
}

std::string endpoint(const remote_signer_settings& s) {
  return s.host + ":" + std::to_string(s.port);
}

// Blocking: the caller is main, a test, or the detached connector.
caf::expected<signer_actor> dial(caf::actor_system& system, const remote_signer_settings& s) {
  auto port = static_cast<std::uint16_t>(s.port);
  if (s.tls)
    return caf::openssl::remote_actor<signer_actor>(system, s.host, port);
  return system.middleman().remote_actor<signer_actor>(s.host, port);
}

// A one-shot helper on its own thread: it dials once, answers, and quits.
caf::behavior connector(caf::event_based_actor* self, remote_signer_settings settings) {
  return {
    [self, settings](caf::connect_atom) -> caf::result<signer_actor> {
      auto remote = dial(self->system(), settings);
      self->quit();
      if (!remote)
        return std::move(remote.error());
      return std::move(*remote);
    },
  };
}

using promise_type = caf::typed_response_promise<signature_reply>;

// One (request_id, sighash) being signed; identical requests join it.
struct pending_request {
  signature_request request;
  std::vector<promise_type> promises;
  std::uint64_t attempt = 0; // callbacks of older attempts are stale
  bool in_flight = false;    // false: waiting for a connection
  bool resent = false;       // already sent again after a lost connection
};

struct cached_signature {
  std::string sighash;
  std::string der_signature;
};

} // namespace

struct remote_signer_state {
  // Not an aggregate: CAF would otherwise try to build the state from `self`.
  remote_signer_state() = default;

  remote_signer_settings settings;
  signer_actor remote; // null while disconnected
  bool connecting = false;
  std::unordered_map<std::string, pending_request> pending; // by request id
  std::unordered_map<std::string, cached_signature> cache;  // by request id
  std::deque<std::string> cache_order;                      // oldest first
  static inline const char* name = "remote_signer";
};

namespace {

using self_ptr = signer_actor::stateful_pointer<remote_signer_state>;

void remember(remote_signer_state& st, const std::string& request_id, cached_signature entry) {
  if (st.settings.cache_capacity == 0 || st.cache.count(request_id) != 0)
    return;
  st.cache.emplace(request_id, std::move(entry));
  st.cache_order.push_back(request_id);
  while (st.cache.size() > st.settings.cache_capacity) {
    st.cache.erase(st.cache_order.front());
    st.cache_order.pop_front();
  }
}

void answer(remote_signer_state& st, const std::string& request_id, const signature_reply& reply) {
  auto it = st.pending.find(request_id);
  if (it == st.pending.end())
    return;
  for (auto& promise : it->second.promises)
    promise.deliver(reply);
  st.pending.erase(it);
}

// The remote was asked and its answer is not known: not a refusal (it may
// have signed), so the caller gets an error, as if it had timed out itself.
void answer_unknown(remote_signer_state& st, const std::string& request_id, caf::error err) {
  auto it = st.pending.find(request_id);
  if (it == st.pending.end())
    return;
  for (auto& promise : it->second.promises)
    promise.deliver(err);
  st.pending.erase(it);
}

void send(self_ptr self, const std::string& request_id) {
  auto& st = self->state;
  auto& entry = st.pending.at(request_id);
  entry.in_flight = true;
  auto attempt = ++entry.attempt;
  self->request(st.remote, st.settings.request_timeout, entry.request)
    .then(
      [self, request_id, attempt, sighash = entry.request.sighash](signature_reply& reply) {
        auto& st = self->state;
        if (reply.ok) {
          // Any attempt's signature answers the pair: the remote is
          // idempotent per (request_id, sighash). A late one (its request
          // already answered with a timeout) is kept for a retry of the pair.
          remember(st, request_id, {sighash, reply.der_signature});
          auto it = st.pending.find(request_id);
          if (it != st.pending.end() && it->second.request.sighash == sighash)
            answer(st, request_id, reply);
          return;
        }
        auto it = st.pending.find(request_id);
        if (it != st.pending.end() && it->second.attempt == attempt)
          answer(st, request_id, reply);
      },
      [self, request_id, attempt](caf::error& err) {
        auto& st = self->state;
        auto it = st.pending.find(request_id);
        if (it == st.pending.end() || it->second.attempt != attempt)
          return;
        if (err == caf::sec::request_timeout)
          answer_unknown(st, request_id,
                         caf::make_error(caf::sec::request_timeout,
                                         "the remote signer at " + endpoint(st.settings) +
                                           " did not answer within " +
                                           std::to_string(st.settings.request_timeout.count()) +
                                           " ms; it may have signed"));
        else
          answer(st, request_id,
                 refuse("the remote signer at " + endpoint(st.settings) +
                        " failed: " + self->system().render(err)));
      });
}

void connected(self_ptr self, signer_actor remote) {
  auto& st = self->state;
  st.connecting = false;
  st.remote = std::move(remote);
  self->monitor(st.remote);
  std::vector<std::string> waiting;
  for (auto& [id, entry] : st.pending)
    if (!entry.in_flight)
      waiting.push_back(id);
  for (auto& id : waiting)
    send(self, id);
}

void connect_failed(self_ptr self, const caf::error& err) {
  auto& st = self->state;
  st.connecting = false;
  const auto cause =
    "cannot reach the remote signer at " + endpoint(st.settings) + ": " +
    (err == caf::sec::request_timeout
       ? "no connection within " + std::to_string(st.settings.connect_timeout.count()) + " ms"
       : self->system().render(err));
  std::vector<std::string> waiting;
  for (auto& [id, entry] : st.pending)
    if (!entry.in_flight)
      waiting.push_back(id);
  for (auto& id : waiting) {
    const bool lost = st.pending.at(id).resent;
    answer(st, id,
           refuse(lost ? "the connection to the remote signer was lost while it was signing; " +
                           cause
                       : cause));
  }
}

// Reconnects off the scheduler threads: a detached connector dials, and its
// answer (or the connect timeout) comes back as a message.
void ensure_connecting(self_ptr self) {
  auto& st = self->state;
  if (st.connecting || st.remote)
    return;
  st.connecting = true;
  auto helper = self->spawn<caf::detached>(connector, st.settings);
  self->request(helper, st.settings.connect_timeout, caf::connect_atom::value)
    .then([self](signer_actor& remote) { connected(self, std::move(remote)); },
          [self](caf::error& err) { connect_failed(self, err); });
}

void on_down(self_ptr self, const caf::down_msg& dm) {
  auto& st = self->state;
  if (!st.remote || dm.source != st.remote.address())
    return;
  st.remote = nullptr;
  const auto cause = "the connection to the remote signer at " + endpoint(st.settings) +
                     " was lost: " + self->system().render(dm.reason);
  // In flight on the lost connection: the reply may be lost too. Send each
  // once more (same request_id and sighash) on a new connection.
  std::vector<std::string> failed;
  bool resend = false;
  for (auto& [id, entry] : st.pending) {
    if (!entry.in_flight)
      continue;
    if (entry.resent) {
      failed.push_back(id);
      continue;
    }
    entry.resent = true;
    entry.in_flight = false;
    ++entry.attempt; // the old attempt's error is stale now
    resend = true;
  }
  for (auto& id : failed)
    answer(st, id, refuse(cause));
  if (resend)
    ensure_connecting(self);
}

signer_actor::behavior_type remote_signer(self_ptr self, remote_signer_settings settings,
                                          signer_actor remote) {
  self->state.settings = std::move(settings);
  self->state.remote = std::move(remote);
  if (self->state.remote)
    self->monitor(self->state.remote);
  self->set_down_handler([self](caf::down_msg& dm) { on_down(self, dm); });
  return {
    [self](signature_request& req) -> caf::result<signature_reply> {
      auto& st = self->state;
      if (req.request_id.empty())
        return refuse("signature request has no request id");
      auto digest = crypto::fixed_from_0x_hex<32>(req.sighash);
      if (!digest || req.sighash.size() != 66)
        return refuse("sighash must be 0x followed by 64 hex digits");
      // Compare in one letter case: the sighash is a value, not a string.
      req.sighash = crypto::to_0x_hex(*digest);
      if (auto it = st.cache.find(req.request_id); it != st.cache.end()) {
        if (it->second.sighash != req.sighash)
          return refuse("request " + req.request_id + " was already signed over sighash " +
                        it->second.sighash + "; refusing to sign a different sighash");
        return signature_reply{true, it->second.der_signature, {}};
      }
      auto promise = self->make_response_promise<signature_reply>();
      if (auto it = st.pending.find(req.request_id); it != st.pending.end()) {
        if (it->second.request.sighash != req.sighash)
          return refuse("request " + req.request_id + " is being signed over sighash " +
                        it->second.request.sighash + "; refusing to sign a different sighash");
        it->second.promises.push_back(promise);
        return promise;
      }
      auto id = req.request_id;
      pending_request entry;
      entry.request = std::move(req);
      entry.promises.push_back(promise);
      st.pending.emplace(id, std::move(entry));
      if (st.remote)
        send(self, id);
      else
        ensure_connecting(self);
      return promise;
    },
  };
}

// CAF's OpenSSL module raises inside its I/O thread on a bad file; check
// the files here, where the error can still be a startup message.
std::optional<std::string> check_tls_files(const caf::actor_system_config& cfg) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_method()), SSL_CTX_free);
  if (!ctx)
    return std::string{"cannot create an OpenSSL context"};
  auto failed = [](const std::string& what) {
    char buf[256] = {};
    ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
    ERR_clear_error();
    return what + ": " + buf;
  };
  if (!cfg.openssl_passphrase.empty())
    SSL_CTX_set_default_passwd_cb_userdata(ctx.get(),
                                           const_cast<char*>(cfg.openssl_passphrase.c_str()));
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), cfg.openssl_certificate.c_str()) != 1)
    return failed("cannot load --openssl.certificate [" + cfg.openssl_certificate + "]");
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), cfg.openssl_key.c_str(), SSL_FILETYPE_PEM) != 1)
    return failed("cannot load --openssl.key [" + cfg.openssl_key + "]");
  if (SSL_CTX_check_private_key(ctx.get()) != 1)
    return failed("--openssl.key does not match --openssl.certificate");
  const char* cafile = cfg.openssl_cafile.empty() ? nullptr : cfg.openssl_cafile.c_str();
  const char* capath = cfg.openssl_capath.empty() ? nullptr : cfg.openssl_capath.c_str();
  if (SSL_CTX_load_verify_locations(ctx.get(), cafile, capath) != 1)
    return failed("cannot load --openssl.cafile/--openssl.capath");
  return std::nullopt;
}

} // namespace

bool is_loopback_host(const std::string& host) {
  if (host == "localhost")
    return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1)
    return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1)
    return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

std::optional<std::string> check_remote_signer_settings(const remote_signer_settings& settings) {
  if (settings.port < 1 || settings.port > 65535)
    return "invalid remote signer port [" + std::to_string(settings.port) +
           "]: expected 1..65535";
  if (!settings.tls && !is_loopback_host(settings.host))
    return "remote signer host [" + settings.host +
           "] is not a loopback address; a non-loopback remote signer needs TLS "
           "(--signer.remote-tls with --openssl.certificate, --openssl.key and --openssl.cafile)";
  auto key = crypto::from_0x_hex(settings.public_key);
  if (!key || key->size() != 33 || ((*key)[0] != 0x02 && (*key)[0] != 0x03))
    return "invalid remote signer public key [" + settings.public_key +
           "]: expected 0x + 66 hex (a compressed secp256k1 key)";
  return std::nullopt;
}

std::variant<signer_actor, std::string>
connect_remote_signer(caf::actor_system& system, const remote_signer_settings& settings) {
  if (auto err = check_remote_signer_settings(settings))
    return *err;
  if (!system.has_middleman())
    return std::string{"the remote signer needs the actor system to load caf::io::middleman"};
  if (settings.tls) {
    if (!system.has_openssl_manager())
      return std::string{"TLS for the remote signer needs the actor system to load "
                         "caf::openssl::manager"};
    const auto& cfg = system.config();
    // Without a certificate CAF's OpenSSL module falls back to anonymous
    // ciphers: encrypted, but nobody is authenticated.
    if (cfg.openssl_certificate.empty() || cfg.openssl_key.empty() ||
        (cfg.openssl_cafile.empty() && cfg.openssl_capath.empty()))
      return std::string{"TLS for the remote signer needs --openssl.certificate, --openssl.key "
                         "and --openssl.cafile (or --openssl.capath): mutual TLS, both ends "
                         "authenticated by that CA"};
    if (auto err = check_tls_files(cfg))
      return "TLS for the remote signer: " + *err;
  }
  // Dialled by the same detached helper as reconnects, so a remote that
  // accepts but never completes the handshake cannot hold the start forever.
  std::variant<signer_actor, std::string> out =
    "cannot reach the remote signer at " + endpoint(settings) + ": no answer";
  caf::scoped_actor self{system};
  auto helper = system.spawn<caf::detached>(connector, settings);
  self->request(helper, settings.connect_timeout, caf::connect_atom::value)
    .receive([&](signer_actor& remote) { out = std::move(remote); },
             [&](caf::error& err) {
               out = "cannot reach the remote signer at " + endpoint(settings) + ": " +
                     (err == caf::sec::request_timeout
                        ? "no connection within " +
                            std::to_string(settings.connect_timeout.count()) + " ms"
                        : system.render(err));
             });
  return out;
}

signer_handle spawn_remote_signer(caf::actor_system& system, remote_signer_settings settings,
                                  signer_actor remote) {
  signer_handle handle;
  handle.public_key = *crypto::from_0x_hex(settings.public_key);
  handle.actor = system.spawn(remote_signer, std::move(settings), std::move(remote));
  return handle;
}

} // namespace covsigner::actors
