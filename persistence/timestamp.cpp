#include "persistence/timestamp.hpp"

#include <cstdio>

namespace covsigner::persistence {

namespace {

using namespace std::chrono;

// Reads exactly `n` decimal digits at s[pos]; advances pos.
std::optional<int> digits(std::string_view s, std::size_t& pos, std::size_t n) {
  if (pos + n > s.size())
    return std::nullopt;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9')
      return std::nullopt;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c)
    return false;
  ++pos;
  return true;
}

} // namespace

std::string format_rfc3339nano(timestamp t) {
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss<nanoseconds> tod{t - day};
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                        static_cast<int>(tod.seconds().count()));
  std::string out(buf, static_cast<std::size_t>(n));
  long long frac = tod.subseconds().count();
  if (frac != 0) {
    char fbuf[16];
    std::snprintf(fbuf, sizeof fbuf, "%09lld", frac);
    std::string f = fbuf;
    while (!f.empty() && f.back() == '0')
      f.pop_back();
    out += '.';
    out += f;
  }
  out += 'Z';
  return out;
}

std::optional<timestamp> parse_rfc3339nano(std::string_view s) {
  std::size_t pos = 0;
  auto y = digits(s, pos, 4);
  if (!y || !expect(s, pos, '-'))
    return std::nullopt;
  auto mo = digits(s, pos, 2);
  if (!mo || !expect(s, pos, '-'))
    return std::nullopt;
  auto d = digits(s, pos, 2);
  if (!d || !expect(s, pos, 'T'))
    return std::nullopt;
  auto h = digits(s, pos, 2);
  if (!h || !expect(s, pos, ':'))
    return std::nullopt;
  auto mi = digits(s, pos, 2);
  if (!mi || !expect(s, pos, ':'))
    return std::nullopt;
  auto sec = digits(s, pos, 2);
  if (!sec)
    return std::nullopt;
  long long nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    long long scale = 100000000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      // Go keeps the first nine digits and ignores the rest.
      if (pos - start < 9) {
        nanos += (s[pos] - '0') * scale;
        scale /= 10;
      }
      ++pos;
    }
    if (pos == start)
      return std::nullopt;
  }
  int offset_minutes = 0;
  if (pos < s.size() && s[pos] == 'Z') {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    auto oh = digits(s, pos, 2);
    if (!oh || !expect(s, pos, ':'))
      return std::nullopt;
    auto om = digits(s, pos, 2);
    if (!om || *oh >= 24 || *om >= 60)
      return std::nullopt;
    offset_minutes = sign * (*oh * 60 + *om);
  } else {
    return std::nullopt;
  }
  if (pos != s.size())
    return std::nullopt;
  if (*mo < 1 || *mo > 12 || *h > 23 || *mi > 59 || *sec > 59)
    return std::nullopt;
  year_month_day ymd{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
  if (!ymd.ok())
    return std::nullopt;
  timestamp t = sys_days{ymd} + hours{*h} + minutes{*mi} + seconds{*sec} + nanoseconds{nanos};
  return t - minutes{offset_minutes};
}

std::string now_rfc3339nano() {
  return format_rfc3339nano(system_clock::now());
}

} // namespace covsigner::persistence
