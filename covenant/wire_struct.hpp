// One description per wire struct (issue 16 §2): a struct's field table
// drives both its strict decoder (covenant/strict_json.hpp, Go
// encoding/json semantics) and its canonical encoder (Go field order and
// omitempty, covenant/canonical_json.hpp). The request digest is computed
// over the canonical encoding, so a field written once cannot drift between
// what is accepted and what is digested.
//
// A table is a specialisation of `wire<S>`:
//
//   template <> struct wire<covenant_outpoint> {
//     static constexpr std::string_view go_struct = "CovenantOutpoint";
//     static constexpr auto fields = std::make_tuple(
//         field("txid", &covenant_outpoint::txid),
//         field("scriptHash", &covenant_outpoint::script_hash).omitempty());
//   };
//
// Fields are listed in Go declaration order: decoding matches keys against
// them in that order (exact name first, then Go's case folding) and encoding
// writes them in that order.
//
// How a member is decoded and encoded follows from its C++ type:
//   std::string, bool, uint32, uint64   Go scalars (a string may name a Go
//                                       type with `.go("pkg.Type")`)
//   S with a wire<S> table              a Go struct (nested object)
//   std::optional<S>                    a Go pointer `*S` (absent = nil)
//   std::optional<std::uint64_t>        `*uint64`
//   std::optional<std::vector<T>>       a Go slice (absent = nil)
//   std::optional<std::map<string, T>>  a Go map (absent = nil); name its Go
//                                       type with `.go(...)`
//   std::optional<strict_json::node>    json.RawMessage, kept as parsed
// An absent pointer, slice or map encodes as `null` unless the field is
// `.omitempty()`; omitempty also drops "", 0, false and empty slices/maps,
// as Go does. Pure code, header only: instantiated by the translation unit
// that owns the tables.
#pragma once

#include "covenant/strict_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace covsigner::covenant::wire_struct {

/// The Go package every wire struct's qualified type name starts with.
inline constexpr std::string_view go_package = "covenantsigner.";

/// Specialised once per wire struct with `go_struct` (the short Go type
/// name, as decoder errors print it) and `fields` (a tuple of `member`s).
template <class S>
struct wire;

/// A struct that has a field table.
template <class S>
concept described = requires {
  wire<S>::go_struct;
  wire<S>::fields;
};

/// When an encoded field is written.
enum class presence { always, omit_empty };

/// One field of struct S: its JSON name, the member it maps to, Go's
/// omitempty, and the Go type name decoder errors use for it when the C++
/// type does not say it (named string types, maps).
template <class S, class M>
struct member {
  std::string_view json;
  M S::*ptr;
  presence when = presence::always;
  std::string_view go_type = {};

  /// The same field with Go's `omitempty`.
  constexpr member omitempty() const {
    member m = *this;
    m.when = presence::omit_empty;
    return m;
  }
  /// The same field with the Go type name `type` in decoder errors.
  constexpr member go(std::string_view type) const {
    member m = *this;
    m.go_type = type;
    return m;
  }
};

/// A field named `json` mapped to `ptr`, written always.
template <class S, class M>
constexpr member<S, M> field(std::string_view json, M S::*ptr) {
  return member<S, M>{json, ptr};
}

namespace detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

template <class T>
struct is_map : std::false_type {};
template <class T>
struct is_map<std::map<std::string, T>> : std::true_type {};

template <class T>
inline constexpr bool always_false = false;

} // namespace detail

template <described S>
void decode_struct(strict_json::context& ctx, const strict_json::node& n, S& out);
template <described S>
boost::json::object encode_struct(const S& value);

/// The Go type name of T as decoder errors print it (slice elements).
template <class T>
const std::string& go_type_name() {
  static const std::string name = [] {
    if constexpr (std::is_same_v<T, std::string>)
      return std::string("string");
    else if constexpr (std::is_same_v<T, std::uint32_t>)
      return std::string("uint32");
    else if constexpr (std::is_same_v<T, std::uint64_t>)
      return std::string("uint64");
    else if constexpr (std::is_same_v<T, bool>)
      return std::string("bool");
    else if constexpr (described<T>)
      return std::string(go_package) + std::string(wire<T>::go_struct);
    else
      static_assert(detail::always_false<T>, "no Go type name for this member type");
  }();
  return name;
}

/// Decodes `n` into `out` with Go's rules for M's Go type. `go_type`
/// overrides the default Go type name in errors (empty: the default).
template <class M>
void decode_value(strict_json::context& ctx, const strict_json::node& n, M& out,
                  std::string_view go_type) {
  namespace sj = strict_json;
  auto element = [](sj::context& c, const sj::node& e, auto& target) {
    decode_value(c, e, target, {});
  };
  if constexpr (std::is_same_v<M, std::string>) {
    sj::decode_string(ctx, n, out, go_type.empty() ? std::string_view("string") : go_type);
  } else if constexpr (std::is_same_v<M, bool>) {
    sj::decode_bool(ctx, n, out);
  } else if constexpr (std::is_same_v<M, std::uint32_t>) {
    sj::decode_uint32(ctx, n, out);
  } else if constexpr (std::is_same_v<M, std::uint64_t>) {
    sj::decode_uint64(ctx, n, out);
  } else if constexpr (described<M>) {
    decode_struct(ctx, n, out);
  } else if constexpr (std::is_same_v<M, std::optional<std::uint64_t>>) {
    sj::decode_optional_uint64(ctx, n, out);
  } else if constexpr (std::is_same_v<M, std::optional<sj::node>>) {
    out = n; // json.RawMessage: `null` is kept as a null node
  } else if constexpr (detail::is_optional<M>::value) {
    using T = typename M::value_type;
    if constexpr (detail::is_vector<T>::value) {
      static const std::string slice = "[]" + go_type_name<typename T::value_type>();
      sj::decode_slice(ctx, n, out, go_type.empty() ? std::string_view(slice) : go_type,
                       element);
    } else if constexpr (detail::is_map<T>::value) {
      static const std::string map = "map[string]" + go_type_name<typename T::mapped_type>();
      sj::decode_map(ctx, n, out, go_type.empty() ? std::string_view(map) : go_type, element);
    } else {
      static_assert(described<T>, "a pointer member must point to a described struct");
      sj::decode_pointer(ctx, n, out, element);
    }
  } else {
    static_assert(detail::always_false<M>, "no decoder for this member type");
  }
}

/// Go's omitempty test: "", 0, false, a nil pointer, a nil or empty slice
/// or map; a struct value is never empty.
template <class M>
bool is_empty(const M& v) {
  if constexpr (detail::is_optional<M>::value) {
    using T = typename M::value_type;
    if constexpr (detail::is_vector<T>::value || detail::is_map<T>::value)
      return !v || v->empty();
    else
      return !v.has_value();
  } else if constexpr (std::is_same_v<M, std::string>) {
    return v.empty();
  } else if constexpr (std::is_same_v<M, bool> || std::is_integral_v<M>) {
    return v == M{};
  } else {
    static_assert(described<M>, "omitempty is not defined for this member type");
    return false;
  }
}

/// The canonical (Go encoding/json) value of `v`.
template <class M>
boost::json::value encode_value(const M& v) {
  if constexpr (described<M>) {
    return encode_struct(v);
  } else if constexpr (detail::is_optional<M>::value) {
    if (!v)
      return nullptr;
    return encode_value(*v);
  } else if constexpr (std::is_same_v<M, strict_json::node>) {
    return strict_json::to_value(v);
  } else if constexpr (detail::is_vector<M>::value) {
    boost::json::array a;
    for (const auto& e : v)
      a.push_back(encode_value(e));
    return a;
  } else if constexpr (detail::is_map<M>::value) {
    // std::map iterates keys in byte-wise order, as Go sorts map keys.
    boost::json::object o;
    for (const auto& [key, e] : v)
      o[key] = encode_value(e);
    return o;
  } else {
    return boost::json::value(v);
  }
}

namespace detail {

// Decodes one field (index I of S's table) into the member `target` points
// to; the shape strict_json::field stores.
template <class S, std::size_t I>
void decode_field(strict_json::context& ctx, const strict_json::node& n, void* target) {
  constexpr const auto& m = std::get<I>(wire<S>::fields);
  using M = std::remove_reference_t<decltype(std::declval<S&>().*(m.ptr))>;
  decode_value(ctx, n, *static_cast<M*>(target), m.go_type);
}

template <class S, std::size_t... I>
std::vector<strict_json::field> bind_fields(S& out, std::index_sequence<I...>) {
  constexpr const auto& fields = wire<S>::fields;
  return {strict_json::field{std::get<I>(fields).json, &decode_field<S, I>,
                             &(out.*(std::get<I>(fields).ptr))}...};
}

} // namespace detail

/// Decodes an object into S with Go's rules (unknown fields refused, `null`
/// leaves S unchanged, first error kept in `ctx`).
template <described S>
void decode_struct(strict_json::context& ctx, const strict_json::node& n, S& out) {
  static const std::string go_type = std::string(go_package) + std::string(wire<S>::go_struct);
  constexpr std::size_t count = std::tuple_size_v<std::remove_cv_t<decltype(wire<S>::fields)>>;
  strict_json::decode_object(ctx, n, wire<S>::go_struct, go_type,
                             detail::bind_fields(out, std::make_index_sequence<count>{}));
}

/// The canonical object of `value`: fields in table order, omitempty
/// honoured.
template <described S>
boost::json::object encode_struct(const S& value) {
  boost::json::object o;
  std::apply(
      [&](const auto&... m) {
        (
            [&] {
              const auto& v = value.*(m.ptr);
              if (m.when == presence::omit_empty && is_empty(v))
                return;
              o[m.json] = encode_value(v);
            }(),
            ...);
      },
      wire<S>::fields);
  return o;
}

} // namespace covsigner::covenant::wire_struct
