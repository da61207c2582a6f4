// Go encoding/json output rules, the basis of every digest and of the job
// file format (reference §5.9, §1.6).
//
// Objects are written in the order their keys were inserted (Go writes struct
// fields in declaration order; callers build objects in that order and sort
// map keys themselves). No whitespace. Strings follow Go: `"` and `\` are
// escaped, \n \r \t use short escapes, other control characters \u00XX,
// U+2028/U+2029 are escaped, invalid UTF-8 becomes \ufffd. With
// `escape_html`, <, > and & become \u003c, \u003e, \u0026 (json.Marshal and
// json.Encoder); canonical JSON turns it off.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace covsigner::covenant {

struct go_json_options {
  bool escape_html = false;
};

/// Serialises `v` with Go's rules. Precondition: numbers are integers
/// (doubles are never part of the wire format; they are written in Go's
/// shortest form only as a fallback).
std::string to_go_json(const boost::json::value& v, go_json_options options = {});

/// Length of the valid UTF-8 sequence starting at s[i] and its code point,
/// or 0 when none starts there (overlong forms, surrogates and code points
/// above U+10FFFF are invalid, as in Go's utf8.DecodeRuneInString).
/// Precondition: i < s.size().
std::size_t utf8_sequence_length(std::string_view s, std::size_t i, unsigned& code);

/// Appends the Go-escaped, quoted form of `s` to `out`.
void append_go_json_string(std::string& out, std::string_view s, go_json_options options = {});

/// Canonical JSON = Go encoding without HTML escaping (reference §5.9).
inline std::string canonical_json(const boost::json::value& v) {
  return to_go_json(v, {.escape_html = false});
}

/// Turns canonical JSON text into the HTML-escaped form json.Marshal writes.
/// Exact because <, > and & can only occur inside JSON strings.
std::string escape_html_in_json(std::string_view canonical);

} // namespace covsigner::covenant
