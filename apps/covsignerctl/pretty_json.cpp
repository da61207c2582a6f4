#include "apps/covsignerctl/pretty_json.hpp"

#include <boost/json/serialize.hpp>

namespace covsigner::ctl {

namespace {

void write(const boost::json::value& v, std::string& out, std::size_t depth) {
  const std::string pad((depth + 1) * 2, ' ');
  const std::string close_pad(depth * 2, ' ');
  if (const auto* o = v.if_object()) {
    if (o->empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (const auto& member : *o) {
      if (!first)
        out += ",\n";
      first = false;
      out += pad;
      out += boost::json::serialize(boost::json::value(member.key()));
      out += ": ";
      write(member.value(), out, depth + 1);
    }
    out += "\n" + close_pad + "}";
    return;
  }
  if (const auto* a = v.if_array()) {
    if (a->empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    bool first = true;
    for (const auto& item : *a) {
      if (!first)
        out += ",\n";
      first = false;
      out += pad;
      write(item, out, depth + 1);
    }
    out += "\n" + close_pad + "]";
    return;
  }
  out += boost::json::serialize(v);
}

} // namespace

std::string pretty_json(const boost::json::value& v) {
  std::string out;
  write(v, out, 0);
  out += '\n';
  return out;
}

} // namespace covsigner::ctl
