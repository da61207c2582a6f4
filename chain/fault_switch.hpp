// Fault injection for the fixture backend (tests and demos only; every
// failure it produces says "simulated"). One switch can be shared by several
// sources; flipping it affects calls that start afterwards, and releases
// calls that are hanging.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace covsigner::chain {

enum class fault_mode : std::uint8_t {
  none,  // answer normally
  fail,  // answer "unavailable (simulated)"
  hang,  // block until the mode changes or `hang_limit` passes, then fail
  slow,  // sleep `delay`, then answer normally
  crash, // throw (a bug in the backend): the reader crashes
};

class fault_switch {
public:
  explicit fault_switch(std::chrono::milliseconds hang_limit = std::chrono::seconds(60));
  ~fault_switch(); // releases hanging calls

  /// `only`: when non-empty, the fault applies to sources whose name
  /// contains it (e.g. "WalletRegistry", "Bridge", "host chain") and the
  /// others answer normally; empty: every source.
  void set(fault_mode mode, std::chrono::milliseconds delay = std::chrono::milliseconds(0),
           std::string only = {});
  fault_mode mode() const;

  /// Called by a source before it answers. nullopt: answer normally (after
  /// sleeping when slow). A value: answer "unavailable" with that cause.
  /// Throws std::runtime_error in crash mode.
  std::optional<std::string> apply(const std::string& source);

private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  fault_mode mode_ = fault_mode::none;
  std::chrono::milliseconds delay_{0};
  std::string only_;
  std::chrono::milliseconds hang_limit_;
  std::uint64_t generation_ = 0;
  bool closing_ = false;
};

} // namespace covsigner::chain
