// Indented JSON for humans (example requests): two-space indent, members
// in insertion order (the request's Go field order), arrays of scalars
// one item per line. Strings are escaped by Boost.JSON.
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace covsigner::ctl {

/// `v` as indented JSON text, with a trailing newline.
std::string pretty_json(const boost::json::value& v);

} // namespace covsigner::ctl
