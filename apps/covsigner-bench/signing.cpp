#include "apps/covsigner-bench/signing.hpp"

#include "apps/covsignerctl/dev_keys.hpp"
#include "apps/covsignerctl/example_chain.hpp"
#include "covenant/signing_engine.hpp"

#include <boost/json.hpp>

#include <fcntl.h>
#include <fstream>
#include <unistd.h>

namespace covsigner::bench {

namespace fs = std::filesystem;

namespace {

fs::path beside(const fs::path& data_dir, const std::string& suffix) {
  return data_dir.parent_path() / (data_dir.filename().string() + suffix);
}

} // namespace

std::variant<signing_fixture, std::string> write_signing_fixture(const fs::path& data_dir) {
  signing_fixture f;
  f.chain_file = beside(data_dir, "-chain.json");
  f.key_file = beside(data_dir, "-signer.key");
  auto chain = ctl::make_example_chain(covenant::default_min_confirmations);
  if (auto* err = std::get_if<std::string>(&chain))
    return "development fixture chain: " + *err;
  std::ofstream(f.chain_file) << boost::json::serialize(std::get<boost::json::object>(chain));
  // The node refuses a key file readable by others: create it 0600.
  int fd = ::open(f.key_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return "cannot create " + f.key_file.string();
  const auto key = ctl::dev_private_key(ctl::dev_signer_fill);
  const std::string line = crypto::to_hex(key.secret()) + "\n";
  bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!written)
    return "cannot write " + f.key_file.string();
  f.signer_public_key = crypto::serialize_compressed(crypto::derive_public_key(key));
  return f;
}

} // namespace covsigner::bench
