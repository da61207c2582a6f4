// The outcome of one read from a chain source: a value, "the source says
// there is no such thing", or "the source could not answer" (with why).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace covsigner::chain {

enum class read_code : std::uint8_t {
  ok,
  not_found,   // the source answered: no such wallet / transaction
  unavailable, // transport error, RPC error, revert, malformed answer, timeout
};

template <class T>
struct read_result {
  read_code code = read_code::unavailable;
  T value{};
  std::string cause; // empty iff code == ok

  static read_result ok(T v) { return {read_code::ok, std::move(v), {}}; }
  static read_result not_found(std::string why) { return {read_code::not_found, T{}, std::move(why)}; }
  static read_result unavailable(std::string why) {
    return {read_code::unavailable, T{}, std::move(why)};
  }
};

} // namespace covsigner::chain
