#include "covenant/canonical_json.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cstdint>

namespace covsigner::covenant {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_u_escape(std::string& out, unsigned code) {
  out += "\\u";
  out += hex_digits[(code >> 12) & 0xf];
  out += hex_digits[(code >> 8) & 0xf];
  out += hex_digits[(code >> 4) & 0xf];
  out += hex_digits[code & 0xf];
}

void write(std::string& out, const boost::json::value& v, go_json_options options) {
  switch (v.kind()) {
    case boost::json::kind::null:
      out += "null";
      break;
    case boost::json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case boost::json::kind::int64:
      out += std::to_string(v.get_int64());
      break;
    case boost::json::kind::uint64:
      out += std::to_string(v.get_uint64());
      break;
    case boost::json::kind::double_: {
      char buf[64];
      auto res = std::to_chars(buf, buf + sizeof buf, v.get_double());
      out.append(buf, res.ptr);
      break;
    }
    case boost::json::kind::string:
      append_go_json_string(out, v.get_string(), options);
      break;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first)
          out += ',';
        first = false;
        write(out, item, options);
      }
      out += ']';
      break;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& member : v.get_object()) {
        if (!first)
          out += ',';
        first = false;
        append_go_json_string(out, member.key(), options);
        out += ':';
        write(out, member.value(), options);
      }
      out += '}';
      break;
    }
  }
}

} // namespace

std::size_t utf8_sequence_length(std::string_view s, std::size_t i, unsigned& code) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned c0 = byte(i);
  std::size_t len;
  unsigned min;
  if (c0 < 0x80) {
    code = c0;
    return 1;
  } else if ((c0 & 0xe0) == 0xc0) {
    len = 2, code = c0 & 0x1f, min = 0x80;
  } else if ((c0 & 0xf0) == 0xe0) {
    len = 3, code = c0 & 0x0f, min = 0x800;
  } else if ((c0 & 0xf8) == 0xf0) {
    len = 4, code = c0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size())
    return 0;
  for (std::size_t k = 1; k < len; ++k) {
    unsigned ck = byte(i + k);
    if ((ck & 0xc0) != 0x80)
      return 0;
    code = (code << 6) | (ck & 0x3f);
  }
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
    return 0;
  return len;
}

namespace {

/// For each byte: true when Go's encoder copies it as is (printable ASCII
/// other than '"' and '\\'; with escape_html also not <, >, &). A table,
/// because this runs for every byte of every job file at load.
struct verbatim_table {
  bool plain[256] = {};
  bool html_safe[256] = {};
  constexpr verbatim_table() {
    for (unsigned c = 0x20; c < 0x80; ++c) {
      plain[c] = c != '"' && c != '\\';
      html_safe[c] = plain[c] && c != '<' && c != '>' && c != '&';
    }
  }
};

constexpr verbatim_table verbatim;

} // namespace

void append_go_json_string(std::string& out, std::string_view s, go_json_options options) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    // Runs of plain ASCII (nearly all of a job file: hex, ids, timestamps)
    // are appended at once rather than byte by byte.
    const bool* copied = options.escape_html ? verbatim.html_safe : verbatim.plain;
    std::size_t run = i;
    while (run < s.size() && copied[static_cast<unsigned char>(s[run])])
      ++run;
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '<':
        case '>':
        case '&':
          if (options.escape_html)
            append_u_escape(out, c);
          else
            out += static_cast<char>(c);
          break;
        default:
          if (c < 0x20)
            append_u_escape(out, c);
          else
            out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    unsigned code = 0;
    std::size_t len = utf8_sequence_length(s, i, code);
    if (len == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (code == 0x2028 || code == 0x2029)
      append_u_escape(out, code);
    else
      out.append(s.substr(i, len));
    i += len;
  }
  out += '"';
}

std::string to_go_json(const boost::json::value& v, go_json_options options) {
  std::string out;
  write(out, v, options);
  return out;
}

std::string escape_html_in_json(std::string_view canonical) {
  std::string out;
  out.reserve(canonical.size());
  for (char c : canonical) {
    if (c == '<' || c == '>' || c == '&')
      append_u_escape(out, static_cast<unsigned char>(c));
    else
      out += c;
  }
  return out;
}

} // namespace covsigner::covenant
