// Strict JSON decoding with Go encoding/json semantics (reference §1.5, §5.1).
//
// The Go node decodes request bodies with `json.Decoder` +
// `DisallowUnknownFields`, so a compatible port must reproduce what that
// decoder accepts, what it rejects and what value it produces:
//
//   * Object keys map to struct fields case-insensitively; a key equal to a
//     field name byte for byte is matched first. Folding is Go 1.21's
//     `foldName`: ASCII letters fold, and the only non-ASCII characters that
//     fold onto an ASCII field name are U+017F (ſ -> S) and U+0131 (ı -> I).
//   * Every member is applied in document order, so a duplicate key is
//     "last wins" for scalars, while a duplicate object member decodes into
//     the value already there (Go merges into an existing struct, pointer
//     target or map). This is why we build our own document tree
//     (`node`) instead of `boost::json::value`, which collapses duplicates.
//   * An unknown key is an error (`json: unknown field "k"`) at every level.
//   * `null` leaves a scalar or struct unchanged and resets a pointer, slice
//     or map (our std::optional) to absent.
//   * Integer fields take only integral JSON number literals that fit the
//     field (`-1`, `1.0`, `1e2`, 2^64 are errors, as Go's ParseUint).
//   * Invalid UTF-8 inside strings and keys is replaced by U+FFFD per bad
//     byte (Go's utf8.DecodeRune rule).
//   * The first error in document order is reported, with Go's wording
//     (`json: cannot unmarshal string into Go struct field
//     RouteSubmitRequest.request.epoch of type uint64`), except that syntax
//     errors take precedence, as Go validates the whole value first.
//
// Deliberate limits (differences from Go):
//   * Nesting depth is limited to `max_depth` (64) arrays/objects; Go allows
//     10000. The deepest valid request nests 5 levels, so only hostile input
//     is affected, and it is rejected (never truncated).
//   * An escaped lone UTF-16 surrogate (`"\ud800"`) is a syntax error here
//     (Boost.JSON 1.81 rejects it); Go substitutes U+FFFD.
//
// Pure code: no I/O, no exceptions escape.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>

namespace covsigner::covenant::strict_json {

/// A parsed JSON value that keeps everything Go's decoder can observe:
/// members in document order including duplicates, and number literals as
/// their source text (so integer range checks are exact).
struct node {
  enum class kind { null, boolean, number, string, array, object };
  kind type = kind::null;
  bool boolean = false;
  std::string text; // string value (UTF-8, invalid bytes replaced) or number literal
  std::vector<node> items;
  std::vector<std::pair<std::string, node>> members;

  // Declared here and defaulted in strict_json.cpp: node is recursive
  // (members hold pair<string, node>), and clang 14 with libstdc++ 12's
  // constexpr std::vector checks pair<string, node> while node is still
  // incomplete if these are implicit. Out of line, every compiler sees
  // the complete type.
  node();
  node(const node&);
  node(node&&) noexcept;
  node& operator=(const node&);
  node& operator=(node&&) noexcept;
  ~node();
};

/// The maximum array/object nesting accepted by `parse`.
inline constexpr std::size_t max_depth = 64;

/// What may follow the first JSON value.
enum class trailing_policy {
  /// Only whitespace (the HTTP body rule: a second Decode must hit EOF).
  whitespace_only,
  /// Go's `Decoder.More()` rule used by the reference's strictUnmarshal:
  /// whitespace, or anything starting with `]` or `}`, is tolerated.
  go_more,
};

struct decode_error {
  std::string message; // Go-like text, for logs and nested error messages
};

/// Parses exactly one JSON value from `text` and applies `policy` to what
/// follows it. Errors: syntax errors, nesting deeper than `max_depth`, empty
/// input (`EOF`, as Go reports it), trailing content
/// (`unexpected trailing content after JSON object`).
std::variant<node, decode_error> parse(std::string_view text, trailing_policy policy);

/// Compact JSON text of `n` (members in stored order, duplicates kept,
/// numbers as their literal). Strings use canonical_json escaping.
std::string serialize(const node& n);

/// Converts to a Boost.JSON value (duplicate keys: last wins). Number
/// literals become int64/uint64 when integral and in range, else double.
boost::json::value to_value(const node& n);

/// Go's `foldName`: the key normalisation used for case-insensitive field
/// matching.
std::string fold_name(std::string_view name);

/// Replaces each byte that does not start a valid UTF-8 sequence by U+FFFD.
std::string replace_invalid_utf8(std::string_view s);

// ---------------------------------------------------------------------------
// Mapping a node onto C++ structs, Go style.
//
// A `context` carries the error-message state Go keeps while decoding (the
// innermost struct's type name and the stack of JSON field names) and the
// first error seen. Decoders keep going after an error, like Go's saveError,
// but only the first message is kept.

class context {
public:
  /// Records a type mismatch: `json: cannot unmarshal <what> into Go struct
  /// field <Struct>.<a.b.c> of type <go_type>` (or `... into Go value of
  /// type <go_type>` at top level).
  void type_error(std::string_view what, std::string_view go_type);
  /// Records any other error verbatim (first one wins).
  void fail(std::string message);

  bool failed() const { return error_.has_value(); }
  const std::optional<std::string>& error() const { return error_; }

  // Used by decode_object to track where we are.
  std::vector<std::string> field_stack;
  std::string struct_name;

private:
  std::optional<std::string> error_;
};

/// Go's description of a JSON value kind in type errors: "string",
/// "number", "bool", "array", "object".
std::string_view kind_name(const node& n);

/// One struct field: its JSON name and how to decode a value into it.
struct field {
  std::string_view name;
  void (*decode)(context&, const node&, void* target);
  void* target;
};

/// Decodes an object into the fields of one Go struct named `go_struct`
/// (short name, used in messages) of Go type `go_type` (qualified, used when
/// the value is not an object). `null` leaves the fields unchanged.
void decode_object(context& ctx, const node& n, std::string_view go_struct,
                   std::string_view go_type, const std::vector<field>& fields);

// Leaf decoders. Each leaves `out` unchanged on `null` and on error.
void decode_string(context& ctx, const node& n, std::string& out,
                   std::string_view go_type = "string");
void decode_bool(context& ctx, const node& n, bool& out);
void decode_uint64(context& ctx, const node& n, std::uint64_t& out);
void decode_uint32(context& ctx, const node& n, std::uint32_t& out);
/// Pointer-to-uint64 field: `null` resets to nullopt.
void decode_optional_uint64(context& ctx, const node& n, std::optional<std::uint64_t>& out);

/// A Go pointer field (`*T`): `null` resets `out` to nullopt; otherwise Go
/// allocates the target if needed and decodes into it (so a duplicate key
/// merges into the value already there). `decode(ctx, n, T&)` decodes one T.
template <class T, class Decode>
void decode_pointer(context& ctx, const node& n, std::optional<T>& out, Decode decode) {
  if (n.type == node::kind::null) {
    out.reset();
    return;
  }
  if (!out)
    out.emplace();
  decode(ctx, n, *out);
}

/// A Go slice field of Go type `go_type` (`[]uint32`, ...): `null` resets to
/// nullopt, `[]` gives an empty vector. Go decodes into the existing elements
/// (a duplicate key's `null` element keeps the earlier value), then
/// truncates.
template <class T, class Decode>
void decode_slice(context& ctx, const node& n, std::optional<std::vector<T>>& out,
                  std::string_view go_type, Decode decode) {
  if (n.type == node::kind::null) {
    out.reset();
    return;
  }
  if (n.type != node::kind::array) {
    ctx.type_error(kind_name(n), go_type);
    return;
  }
  std::vector<T> values = out.value_or(std::vector<T>{});
  values.resize(std::max(values.size(), n.items.size()));
  for (std::size_t i = 0; i < n.items.size(); ++i)
    decode(ctx, n.items[i], values[i]);
  values.resize(n.items.size());
  out = std::move(values);
}

/// A Go map field with string keys of Go type `go_type`: `null` resets to
/// nullopt. Go reuses an existing map (a duplicate key merges maps) but
/// decodes each element into a fresh zero value (a duplicate map key: last
/// wins).
template <class Map, class Decode>
void decode_map(context& ctx, const node& n, std::optional<Map>& out, std::string_view go_type,
                Decode decode) {
  if (n.type == node::kind::null) {
    out.reset();
    return;
  }
  if (n.type != node::kind::object) {
    ctx.type_error(kind_name(n), go_type);
    return;
  }
  if (!out)
    out.emplace();
  for (const auto& [key, value] : n.members) {
    typename Map::mapped_type element{};
    decode(ctx, value, element);
    (*out)[key] = std::move(element);
  }
}

/// Adapts a typed decoder `void f(context&, const node&, T&)` to `field`.
template <class T, void (*F)(context&, const node&, T&)>
field make_field(std::string_view name, T& target) {
  return field{name,
               [](context& c, const node& n, void* t) { F(c, n, *static_cast<T*>(t)); },
               &target};
}

} // namespace covsigner::covenant::strict_json
