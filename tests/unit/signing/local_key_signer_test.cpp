// The local_key signer actor: low-S DER over the sighash, idempotent per
// (request id, sighash), refuses a second sighash and other wallets.
#include "actors/local_key_signer.hpp"
#include "crypto/hash160.hpp"
#include "tests/support/actor_system.hpp"
#include "tests/support/signed_requests.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <sys/stat.h>

using namespace covsigner;
using namespace covsigner::messages;
using namespace std::chrono_literals;

namespace {

class LocalKeySigner : public ::testing::Test {
protected:
  test_support::test_actor_system_config cfg;
  caf::actor_system system{cfg};
  actors::signer_handle signer = actors::spawn_local_key_signer(system, test_support::dev_key(0x22));
  std::string pkh = crypto::to_0x_hex(crypto::hash160(signer.public_key));

  void TearDown() override { caf::anon_send_exit(signer.actor, caf::exit_reason::user_shutdown); }

  signature_reply ask(signature_request req) {
    signature_reply out;
    caf::scoped_actor self{system};
    self->request(signer.actor, 5s, std::move(req))
      .receive([&](signature_reply& r) { out = std::move(r); },
               [&](caf::error& e) { ADD_FAILURE() << system.render(e); });
    return out;
  }
};

std::string sighash(char fill) {
  return "0x" + std::string(64, fill);
}

} // namespace

TEST_F(LocalKeySigner, SignsLowSDerThatVerifiesUnderItsKey) {
  EXPECT_EQ(signer.public_key, *crypto::from_0x_hex(test_support::dev_public_key_hex(0x22)));
  auto reply = ask({"kcs_self_0000000000000001", pkh, sighash('a')});
  ASSERT_TRUE(reply.ok) << reply.cause;
  auto der = crypto::from_0x_hex(reply.der_signature);
  ASSERT_TRUE(der);
  EXPECT_TRUE(crypto::is_strict_der_low_s(*der));
  auto parsed = crypto::parse_der_signature(*der);
  ASSERT_TRUE(std::holds_alternative<crypto::ecdsa_signature>(parsed));
  EXPECT_TRUE(crypto::verify(*crypto::parse_public_key(signer.public_key),
                             *crypto::fixed_from_0x_hex<32>(sighash('a')),
                             std::get<crypto::ecdsa_signature>(parsed)));
}

TEST_F(LocalKeySigner, IdempotentPerRequestAndSighash) {
  auto first = ask({"kcs_self_0000000000000001", pkh, sighash('a')});
  auto again = ask({"kcs_self_0000000000000001", pkh, "0x" + std::string(64, 'A')});
  ASSERT_TRUE(first.ok && again.ok);
  EXPECT_EQ(first.der_signature, again.der_signature);
  auto other = ask({"kcs_self_0000000000000001", pkh, sighash('b')});
  EXPECT_FALSE(other.ok);
  EXPECT_EQ(other.cause, "request kcs_self_0000000000000001 was already signed over sighash " +
                           sighash('a') + "; refusing to sign a different sighash");
  EXPECT_TRUE(other.der_signature.empty());
  // Another request may sign the same digest.
  EXPECT_TRUE(ask({"kcs_self_0000000000000002", pkh, sighash('b')}).ok);
}

TEST_F(LocalKeySigner, RefusesOtherWalletsAndMalformedRequests) {
  auto other = crypto::to_0x_hex(crypto::hash160(
    crypto::serialize_compressed(crypto::derive_public_key(test_support::dev_key(0x33)))));
  auto r = ask({"kcs_self_0000000000000001", other, sighash('a')});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.cause, "wallet " + other + " is not controlled by this signer");
  EXPECT_EQ(ask({"kcs_self_0000000000000001", pkh, "0x1234"}).cause,
            "sighash must be 0x followed by 64 hex digits");
  EXPECT_EQ(ask({"", pkh, sighash('a')}).cause, "signature request has no request id");
}

TEST(LocalKeySignerFile, LoadsOnlyAKeyFileOfMode0600) {
  test_support::temp_dir dir;
  auto path = dir.path() / "signer.key";
  std::ofstream(path) << std::string(64, '2') << "\n";
  ::chmod(path.c_str(), 0640);
  auto refused = actors::load_local_key(path, false);
  ASSERT_TRUE(std::holds_alternative<std::string>(refused));
  EXPECT_EQ(std::get<std::string>(refused),
            "signer key file " + path.string() + " has mode 0640; it must be 0600 (owner read/write only)");
  ::chmod(path.c_str(), 0600);
  auto key = actors::load_local_key(path, false);
  ASSERT_TRUE(std::holds_alternative<crypto::private_key>(key));
  EXPECT_EQ(crypto::derive_public_key(std::get<crypto::private_key>(key)),
            crypto::derive_public_key(test_support::dev_key(0x22)));
}
