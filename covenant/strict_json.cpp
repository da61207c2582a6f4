#include "covenant/strict_json.hpp"

#include "covenant/canonical_json.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>
#include <charconv>
#include <limits>

namespace covsigner::covenant::strict_json {

node::node() = default;
node::node(const node&) = default;
node::node(node&&) noexcept = default;
node& node::operator=(const node&) = default;
node& node::operator=(node&&) noexcept = default;
node::~node() = default;

namespace {

namespace bj = boost::json;

// Builds a `node` tree from Boost.JSON's SAX events. Strings and keys may
// arrive in parts; number literals too.
class tree_builder {
public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  node root;

  bool on_document_begin(bj::error_code&) { return true; }
  bool on_document_end(bj::error_code&) { return true; }
  bool on_array_begin(bj::error_code&) { return open(node::kind::array); }
  bool on_array_end(std::size_t, bj::error_code&) { return close(); }
  bool on_object_begin(bj::error_code&) { return open(node::kind::object); }
  bool on_object_end(std::size_t, bj::error_code&) { return close(); }
  bool on_string_part(bj::string_view s, std::size_t, bj::error_code&) {
    buffer_.append(s.data(), s.size());
    return true;
  }
  bool on_string(bj::string_view s, std::size_t, bj::error_code&) {
    buffer_.append(s.data(), s.size());
    node n;
    n.type = node::kind::string;
    n.text = replace_invalid_utf8(buffer_);
    buffer_.clear();
    return add(std::move(n));
  }
  bool on_key_part(bj::string_view s, std::size_t, bj::error_code&) {
    buffer_.append(s.data(), s.size());
    return true;
  }
  bool on_key(bj::string_view s, std::size_t, bj::error_code&) {
    buffer_.append(s.data(), s.size());
    key_ = replace_invalid_utf8(buffer_);
    buffer_.clear();
    return true;
  }
  bool on_number_part(bj::string_view s, bj::error_code&) {
    buffer_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t, bj::string_view s, bj::error_code&) { return number(s); }
  bool on_uint64(std::uint64_t, bj::string_view s, bj::error_code&) { return number(s); }
  bool on_double(double, bj::string_view s, bj::error_code&) { return number(s); }
  bool on_bool(bool b, bj::error_code&) {
    node n;
    n.type = node::kind::boolean;
    n.boolean = b;
    return add(std::move(n));
  }
  bool on_null(bj::error_code&) { return add(node{}); }
  bool on_comment_part(bj::string_view, bj::error_code&) { return true; }
  bool on_comment(bj::string_view, bj::error_code&) { return true; }

private:
  bool number(bj::string_view s) {
    buffer_.append(s.data(), s.size());
    node n;
    n.type = node::kind::number;
    n.text = std::move(buffer_);
    buffer_.clear();
    return add(std::move(n));
  }

  // Places a finished value into its parent (or at the root).
  bool add(node n) {
    if (stack_.empty()) {
      root = std::move(n);
      return true;
    }
    node& parent = *stack_.back();
    if (parent.type == node::kind::array)
      parent.items.push_back(std::move(n));
    else
      parent.members.emplace_back(std::move(key_), std::move(n));
    return true;
  }

  bool open(node::kind k) {
    node n;
    n.type = k;
    node* placed;
    if (stack_.empty()) {
      root = std::move(n);
      placed = &root;
    } else {
      node& parent = *stack_.back();
      if (parent.type == node::kind::array) {
        parent.items.push_back(std::move(n));
        placed = &parent.items.back();
      } else {
        parent.members.emplace_back(std::move(key_), std::move(n));
        placed = &parent.members.back().second;
      }
    }
    // Children are appended only to the innermost open container, so this
    // pointer stays valid until the container is closed.
    stack_.push_back(placed);
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  std::vector<node*> stack_;
  std::string buffer_;
  std::string key_;
};

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Length of a valid UTF-8 sequence at s[i] (Go's utf8.DecodeRune rules), or
// 0 when the byte at i does not start one.
std::size_t valid_utf8_length(std::string_view s, std::size_t i) {
  unsigned code = 0;
  return utf8_sequence_length(s, i, code);
}

void serialize_to(std::string& out, const node& n) {
  switch (n.type) {
    case node::kind::null:
      out += "null";
      break;
    case node::kind::boolean:
      out += n.boolean ? "true" : "false";
      break;
    case node::kind::number:
      out += n.text;
      break;
    case node::kind::string:
      append_go_json_string(out, n.text);
      break;
    case node::kind::array: {
      out += '[';
      for (std::size_t i = 0; i < n.items.size(); ++i) {
        if (i)
          out += ',';
        serialize_to(out, n.items[i]);
      }
      out += ']';
      break;
    }
    case node::kind::object: {
      out += '{';
      for (std::size_t i = 0; i < n.members.size(); ++i) {
        if (i)
          out += ',';
        append_go_json_string(out, n.members[i].first);
        out += ':';
        serialize_to(out, n.members[i].second);
      }
      out += '}';
      break;
    }
  }
}

// strconv.ParseUint(s, 10, 64) for a JSON number literal: digits only.
std::optional<std::uint64_t> parse_uint_literal(std::string_view s) {
  if (s.empty())
    return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9')
      return std::nullopt;
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size())
    return std::nullopt;
  return v;
}

void decode_unsigned(context& ctx, const node& n, std::uint64_t& out, std::uint64_t max,
                     std::string_view go_type) {
  if (n.type == node::kind::null)
    return;
  if (n.type != node::kind::number) {
    ctx.type_error(kind_name(n), go_type);
    return;
  }
  auto v = parse_uint_literal(n.text);
  if (!v || *v > max) {
    ctx.type_error("number " + n.text, go_type);
    return;
  }
  out = *v;
}

} // namespace

std::string replace_invalid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = valid_utf8_length(s, i);
    if (len == 0) {
      out += "\xef\xbf\xbd";
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::variant<node, decode_error> parse(std::string_view text, trailing_policy policy) {
  bj::parse_options options;
  options.allow_invalid_utf8 = true; // replaced by U+FFFD in the builder
  options.max_depth = max_depth;
  bj::basic_parser<tree_builder> parser(options);
  bj::error_code ec;
  std::size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
  if (ec) {
    bool only_space = true;
    for (char c : text)
      only_space = only_space && is_json_space(c);
    if (only_space)
      return decode_error{"EOF"};
    if (ec == bj::error::too_deep)
      return decode_error{"exceeded max depth"};
    return decode_error{"invalid JSON: " + ec.message()};
  }
  std::size_t i = consumed;
  while (i < text.size() && is_json_space(text[i]))
    ++i;
  if (i < text.size()) {
    bool tolerated =
        policy == trailing_policy::go_more && (text[i] == ']' || text[i] == '}');
    if (!tolerated)
      return decode_error{"unexpected trailing content after JSON object"};
  }
  return std::move(parser.handler().root);
}

std::string serialize(const node& n) {
  std::string out;
  serialize_to(out, n);
  return out;
}

boost::json::value to_value(const node& n) {
  switch (n.type) {
    case node::kind::null:
      return nullptr;
    case node::kind::boolean:
      return n.boolean;
    case node::kind::number: {
      if (auto u = parse_uint_literal(n.text))
        return *u;
      std::int64_t i = 0;
      auto [ptr, ec] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), i);
      if (ec == std::errc{} && ptr == n.text.data() + n.text.size())
        return i;
      double d = 0;
      auto [dptr, dec] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), d);
      (void)dptr;
      (void)dec;
      return d;
    }
    case node::kind::string:
      return boost::json::string(n.text);
    case node::kind::array: {
      boost::json::array a;
      for (const auto& item : n.items)
        a.push_back(to_value(item));
      return a;
    }
    case node::kind::object: {
      boost::json::object o;
      for (const auto& [k, v] : n.members)
        o[k] = to_value(v);
      return o;
    }
  }
  return nullptr;
}

std::string fold_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (std::size_t i = 0; i < name.size();) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - ('a' - 'A')) : static_cast<char>(c);
      ++i;
      continue;
    }
    // unicode.ToUpper maps exactly two non-ASCII code points onto ASCII:
    // U+0131 (dotless i) -> 'I' and U+017F (long s) -> 'S'. Every other
    // non-ASCII rune stays non-ASCII and can never equal an ASCII field
    // name, so it is copied as is.
    if (name.substr(i, 2) == "\xc4\xb1") {
      out += 'I';
      i += 2;
    } else if (name.substr(i, 2) == "\xc5\xbf") {
      out += 'S';
      i += 2;
    } else {
      out += static_cast<char>(c);
      ++i;
    }
  }
  return out;
}

void context::type_error(std::string_view what, std::string_view go_type) {
  std::string message = "json: cannot unmarshal ";
  message += what;
  if (field_stack.empty()) {
    message += " into Go value of type ";
  } else {
    message += " into Go struct field ";
    message += struct_name;
    for (std::size_t i = 0; i < field_stack.size(); ++i) {
      message += '.';
      message += field_stack[i];
    }
    message += " of type ";
  }
  message += go_type;
  fail(std::move(message));
}

void context::fail(std::string message) {
  if (!error_)
    error_ = std::move(message);
}

std::string_view kind_name(const node& n) {
  switch (n.type) {
    case node::kind::null:
      return "null";
    case node::kind::boolean:
      return "bool";
    case node::kind::number:
      return "number";
    case node::kind::string:
      return "string";
    case node::kind::array:
      return "array";
    case node::kind::object:
      return "object";
  }
  return "value";
}

void decode_object(context& ctx, const node& n, std::string_view go_struct,
                   std::string_view go_type, const std::vector<field>& fields) {
  if (n.type == node::kind::null)
    return;
  if (n.type != node::kind::object) {
    ctx.type_error(kind_name(n), go_type);
    return;
  }
  for (const auto& [key, value] : n.members) {
    const field* match = nullptr;
    for (const auto& f : fields)
      if (f.name == key) {
        match = &f;
        break;
      }
    if (!match) {
      std::string folded = fold_name(key);
      for (const auto& f : fields)
        if (fold_name(f.name) == folded) {
          match = &f;
          break;
        }
    }
    if (!match) {
      std::string quoted;
      append_go_json_string(quoted, key);
      ctx.fail("json: unknown field " + quoted);
      continue;
    }
    std::string saved_struct = ctx.struct_name;
    ctx.struct_name = std::string(go_struct);
    ctx.field_stack.emplace_back(match->name);
    match->decode(ctx, value, match->target);
    ctx.field_stack.pop_back();
    ctx.struct_name = std::move(saved_struct);
  }
}

void decode_string(context& ctx, const node& n, std::string& out, std::string_view go_type) {
  if (n.type == node::kind::null)
    return;
  if (n.type != node::kind::string) {
    ctx.type_error(kind_name(n), go_type);
    return;
  }
  out = n.text;
}

void decode_bool(context& ctx, const node& n, bool& out) {
  if (n.type == node::kind::null)
    return;
  if (n.type != node::kind::boolean) {
    ctx.type_error(kind_name(n), "bool");
    return;
  }
  out = n.boolean;
}

void decode_uint64(context& ctx, const node& n, std::uint64_t& out) {
  decode_unsigned(ctx, n, out, std::numeric_limits<std::uint64_t>::max(), "uint64");
}

void decode_uint32(context& ctx, const node& n, std::uint32_t& out) {
  std::uint64_t v = out;
  decode_unsigned(ctx, n, v, std::numeric_limits<std::uint32_t>::max(), "uint32");
  out = static_cast<std::uint32_t>(v);
}

void decode_optional_uint64(context& ctx, const node& n, std::optional<std::uint64_t>& out) {
  if (n.type == node::kind::null) {
    out.reset();
    return;
  }
  // Go allocates the pointer target before decoding into it.
  std::uint64_t v = out.value_or(0);
  decode_uint64(ctx, n, v);
  out = v;
}

} // namespace covsigner::covenant::strict_json
