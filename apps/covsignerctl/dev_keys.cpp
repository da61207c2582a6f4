#include "apps/covsignerctl/dev_keys.hpp"

#include <array>

namespace covsigner::ctl {

crypto::private_key dev_private_key(std::uint8_t fill) {
  std::array<std::uint8_t, 32> scalar;
  scalar.fill(fill);
  return *crypto::parse_private_key(scalar); // fills 0x11/0x22/0x33 are below n
}

std::string dev_public_key_hex(std::uint8_t fill) {
  return crypto::to_0x_hex(crypto::serialize_compressed(crypto::derive_public_key(dev_private_key(fill))));
}

} // namespace covsigner::ctl
