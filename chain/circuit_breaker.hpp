// A circuit breaker for one chain source: closed -> open after
// `failure_threshold` failures (errors or timeouts) within `window`; open ->
// half-open after `open_backoff`, letting exactly one probe through; the
// probe's success closes it, its failure opens it again. Time is passed in,
// so the state machine is pure and testable without sleeping. Not
// thread-safe: one owner (the reader actor).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string_view>

namespace covsigner::chain {

struct breaker_settings {
  std::uint32_t failure_threshold = 5;           // >= 1
  std::chrono::milliseconds window{10000};       // failures older than this are forgotten
  std::chrono::milliseconds open_backoff{2000};  // open -> half-open after this
};

enum class breaker_state : std::uint8_t { closed, open, half_open };

std::string_view to_string(breaker_state s);

class circuit_breaker {
public:
  using clock = std::chrono::steady_clock;

  explicit circuit_breaker(breaker_settings settings = {});

  /// Whether a call may start now. Open: false until the backoff has
  /// passed, then the breaker turns half-open and this call is the probe
  /// (true). Half-open with the probe still out: false.
  bool allow(clock::time_point now);

  /// Outcome of a call that was allowed. "Not found" is a success: the
  /// source answered.
  void record_success(clock::time_point now);
  void record_failure(clock::time_point now);

  breaker_state state() const { return state_; }
  /// Failures recorded since the breaker was created (for /metrics).
  std::uint64_t total_failures() const { return total_failures_; }
  /// Calls refused without reaching the source.
  std::uint64_t rejected() const { return rejected_; }
  const breaker_settings& settings() const { return settings_; }

private:
  void open(clock::time_point now);

  breaker_settings settings_;
  breaker_state state_ = breaker_state::closed;
  std::deque<clock::time_point> recent_failures_;
  clock::time_point opened_at_{};
  bool probe_out_ = false;
  std::uint64_t total_failures_ = 0;
  std::uint64_t rejected_ = 0;
};

} // namespace covsigner::chain
