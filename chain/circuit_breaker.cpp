#include "chain/circuit_breaker.hpp"

namespace covsigner::chain {

std::string_view to_string(breaker_state s) {
  switch (s) {
    case breaker_state::closed:
      return "closed";
    case breaker_state::open:
      return "open";
    case breaker_state::half_open:
      return "half_open";
  }
  return "unknown";
}

circuit_breaker::circuit_breaker(breaker_settings settings) : settings_(settings) {
  if (settings_.failure_threshold == 0)
    settings_.failure_threshold = 1;
}

bool circuit_breaker::allow(clock::time_point now) {
  switch (state_) {
    case breaker_state::closed:
      return true;
    case breaker_state::open:
      if (now - opened_at_ >= settings_.open_backoff) {
        state_ = breaker_state::half_open;
        probe_out_ = true;
        return true;
      }
      ++rejected_;
      return false;
    case breaker_state::half_open:
      if (!probe_out_) {
        probe_out_ = true;
        return true;
      }
      ++rejected_;
      return false;
  }
  return false;
}

void circuit_breaker::record_success(clock::time_point) {
  if (state_ == breaker_state::half_open) {
    state_ = breaker_state::closed;
    probe_out_ = false;
    recent_failures_.clear();
  }
  // Closed: failures inside the window still count; a success between them
  // does not hide a source that fails every other call. Open: a late answer
  // from before the breaker opened does not close it; only a probe does.
}

void circuit_breaker::record_failure(clock::time_point now) {
  ++total_failures_;
  switch (state_) {
    case breaker_state::closed:
      recent_failures_.push_back(now);
      while (!recent_failures_.empty() && now - recent_failures_.front() > settings_.window)
        recent_failures_.pop_front();
      if (recent_failures_.size() >= settings_.failure_threshold)
        open(now);
      return;
    case breaker_state::half_open:
      open(now);
      return;
    case breaker_state::open:
      return;
  }
}

void circuit_breaker::open(clock::time_point now) {
  state_ = breaker_state::open;
  opened_at_ = now;
  probe_out_ = false;
  recent_failures_.clear();
}

} // namespace covsigner::chain
