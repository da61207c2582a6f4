#include "chain/fault_switch.hpp"

#include <stdexcept>
#include <thread>

namespace covsigner::chain {

fault_switch::fault_switch(std::chrono::milliseconds hang_limit) : hang_limit_(hang_limit) {}

fault_switch::~fault_switch() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    ++generation_;
  }
  changed_.notify_all();
}

void fault_switch::set(fault_mode mode, std::chrono::milliseconds delay, std::string only) {
  {
    std::lock_guard lock(mutex_);
    mode_ = mode;
    delay_ = delay;
    only_ = std::move(only);
    ++generation_;
  }
  changed_.notify_all();
}

fault_mode fault_switch::mode() const {
  std::lock_guard lock(mutex_);
  return mode_;
}

std::optional<std::string> fault_switch::apply(const std::string& source) {
  std::unique_lock lock(mutex_);
  if (!only_.empty() && source.find(only_) == std::string::npos)
    return std::nullopt;
  switch (mode_) {
    case fault_mode::none:
      return std::nullopt;
    case fault_mode::fail:
      return source + " failed (simulated fault)";
    case fault_mode::hang: {
      auto generation = generation_;
      changed_.wait_for(lock, hang_limit_, [&] { return generation_ != generation; });
      return source + " hung (simulated fault)";
    }
    case fault_mode::slow: {
      auto delay = delay_;
      lock.unlock();
      std::this_thread::sleep_for(delay);
      return std::nullopt;
    }
    case fault_mode::crash:
      throw std::runtime_error(source + " crashed (simulated fault)");
  }
  return std::nullopt;
}

} // namespace covsigner::chain
