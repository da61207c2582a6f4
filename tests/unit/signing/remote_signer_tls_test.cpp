// The remote signer over mutual TLS (CAF's OpenSSL module): both ends hold a
// certificate from one test CA, made here with the openssl command line.
// With them the remote signs over TLS; a client certified by another CA gets
// no connection (a clear startup error, no hang); a half-configured TLS
// setup is refused before any connection is tried.
#include "tests/unit/signing/test_remote_signer.hpp"

#include "actors/remote_signer.hpp"
#include "crypto/hash160.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/openssl/all.hpp>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

using namespace covsigner;
using namespace covsigner::messages;
using namespace std::chrono_literals;
namespace ts = covsigner::test_support;

namespace {

// An actor system with caf::io, CAF's OpenSSL module and `name`.pem/.key
// from `dir`, trusting `ca`.pem.
struct tls_config : ts::remoting_actor_system_config {
  tls_config(const std::filesystem::path& dir, const std::string& name, const std::string& ca) {
    load<caf::openssl::manager>();
    openssl_certificate = (dir / (name + ".pem")).string();
    openssl_key = (dir / (name + ".key")).string();
    openssl_cafile = (dir / (ca + ".pem")).string();
  }
};

int run(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str());
}

// A CA `ca` and a certificate `name` issued by it (P-256, one day).
void make_certificate(const std::filesystem::path& dir, const std::string& ca,
                      const std::string& name) {
  const auto d = dir.string() + "/";
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
  if (!std::filesystem::exists(d + ca + ".pem")) {
    ASSERT_EQ(run("openssl req -x509 " + ec + "-keyout " + d + ca + ".key -out " + d + ca +
                  ".pem -subj /CN=" + ca + " -days 1"),
              0);
  }
  ASSERT_EQ(run("openssl req " + ec + "-keyout " + d + name + ".key -out " + d + name +
                ".csr -subj /CN=" + name),
            0);
  ASSERT_EQ(run("openssl x509 -req -in " + d + name + ".csr -CA " + d + ca + ".pem -CAkey " + d +
                ca + ".key -CAcreateserial -out " + d + name + ".pem -days 1"),
            0);
}

class RemoteSignerTls : public ::testing::Test {
protected:
  ts::temp_dir dir;

  void SetUp() override {
    make_certificate(dir.path(), "ca", "remote");
    make_certificate(dir.path(), "ca", "node");
    make_certificate(dir.path(), "other-ca", "stranger");
  }

  actors::remote_signer_settings settings(std::uint16_t port) {
    actors::remote_signer_settings s;
    s.port = port;
    s.public_key = ts::dev_public_key_hex(0x22);
    s.tls = true;
    s.connect_timeout = 3s;
    return s;
  }
};

// The remote: a local_key signer published over TLS.
struct tls_remote {
  tls_config cfg;
  caf::actor_system system{cfg};
  signer_actor signer = actors::spawn_local_key_signer(system, ts::dev_key(0x22)).actor;
  std::uint16_t port = 0;

  explicit tls_remote(const std::filesystem::path& dir) : cfg(dir, "remote", "ca") {
    auto published = caf::openssl::publish(signer, 0, "127.0.0.1", true);
    if (published)
      port = *published;
  }
  ~tls_remote() { caf::anon_send_exit(signer, caf::exit_reason::kill); }
};

} // namespace

TEST_F(RemoteSignerTls, SignsOverMutualTls) {
  tls_remote remote(dir.path());
  ASSERT_NE(remote.port, 0);
  tls_config cfg(dir.path(), "node", "ca");
  caf::actor_system system{cfg};
  auto s = settings(remote.port);
  auto connected = actors::connect_remote_signer(system, s);
  ASSERT_TRUE(std::holds_alternative<signer_actor>(connected)) << std::get<std::string>(connected);
  auto signer = actors::spawn_remote_signer(system, s, std::get<signer_actor>(connected));
  signature_request req{"kcs_tls_1", crypto::to_0x_hex(crypto::hash160(signer.public_key)),
                        "0x" + std::string(64, '5')};
  auto reply = ts::ask<signature_reply>(system, signer.actor, 10s, req);
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->ok) << reply->cause;
  // The same answer as the local_key signer gives in-process (RFC 6979).
  auto local = actors::spawn_local_key_signer(system, ts::dev_key(0x22));
  auto direct = ts::ask<signature_reply>(system, local.actor, 10s, req);
  ASSERT_TRUE(direct);
  EXPECT_EQ(reply->der_signature, direct->der_signature);
  caf::anon_send_exit(signer.actor, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(local.actor, caf::exit_reason::user_shutdown);
}

TEST_F(RemoteSignerTls, AClientFromAnotherCaGetsNoConnection) {
  tls_remote remote(dir.path());
  ASSERT_NE(remote.port, 0);
  tls_config cfg(dir.path(), "stranger", "other-ca");
  caf::actor_system system{cfg};
  auto connected = actors::connect_remote_signer(system, settings(remote.port));
  ASSERT_TRUE(std::holds_alternative<std::string>(connected));
  // The remote refuses the stranger's certificate in the handshake.
  EXPECT_EQ(std::get<std::string>(connected),
            "cannot reach the remote signer at 127.0.0.1:" + std::to_string(remote.port) +
              ": system_error(disconnect_during_handshake)");
}

TEST_F(RemoteSignerTls, HalfConfiguredTlsIsRefused) {
  tls_config cfg(dir.path(), "node", "ca");
  cfg.openssl_cafile.clear();
  caf::actor_system system{cfg};
  auto connected = actors::connect_remote_signer(system, settings(4242));
  ASSERT_TRUE(std::holds_alternative<std::string>(connected));
  EXPECT_EQ(std::get<std::string>(connected),
            "TLS for the remote signer needs --openssl.certificate, --openssl.key and "
            "--openssl.cafile (or --openssl.capath): mutual TLS, both ends authenticated by "
            "that CA");
}

TEST_F(RemoteSignerTls, AKeyThatDoesNotMatchTheCertificateIsRefused) {
  tls_config cfg(dir.path(), "node", "ca");
  cfg.openssl_key = (dir.path() / "remote.key").string();
  caf::actor_system system{cfg};
  auto connected = actors::connect_remote_signer(system, settings(4242));
  ASSERT_TRUE(std::holds_alternative<std::string>(connected));
  const auto& error = std::get<std::string>(connected);
  // OpenSSL refuses the key as it loads it (its own text follows).
  EXPECT_TRUE(error.starts_with("TLS for the remote signer: cannot load --openssl.key [" +
                                cfg.openssl_key + "]: "))
    << error;
  EXPECT_NE(error.find("key values mismatch"), std::string::npos) << error;
}
