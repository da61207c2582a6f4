#include "transport/prepared_submits.hpp"

#include "covenant/plan_quote.hpp"
#include "crypto/sha256.hpp"

#include <boost/json.hpp>

#include <mutex>

namespace covsigner::transport {

namespace {

const boost::json::object* object_at(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().get_object() : nullptr;
}

} // namespace

// SHA-256 over route, a separator no route contains, and the body.
std::string prepared_submits::key_of(std::string_view route, std::string_view body) {
  crypto::sha256_stream s;
  s.update(route).update(std::string_view{"\n", 1}).update(body);
  auto h = s.finish();
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

bool prepared_submits::still_valid(const entry& e, const memo_clock& clock) {
  // The quote is fresh while expiresAt >= now (covenant::verify_plan_quote).
  if (e.quote_expires_ms &&
      std::chrono::milliseconds(*e.quote_expires_ms) < clock.now.time_since_epoch())
    return false;
  // Expired = height > endBlock; no fresh height = cannot tell here.
  if (e.certificate_end_block && (!clock.height || *clock.height > *e.certificate_end_block))
    return false;
  return true;
}

std::optional<messages::submit_command> prepared_submits::find(std::string_view route,
                                                               std::string_view body,
                                                               const memo_clock& clock) const {
  if (capacity_ == 0)
    return std::nullopt;
  auto key = key_of(route, body);
  std::shared_lock<std::shared_mutex> guard{mutex_};
  auto it = commands_.find(key);
  if (it == commands_.end() || !still_valid(it->second, clock))
    return std::nullopt;
  return it->second.command;
}

void prepared_submits::remember(std::string_view route, std::string_view body,
                                const messages::submit_command& cmd) {
  if (capacity_ == 0)
    return;
  // The time bounds come from the normalised request the command carries
  // (parsed once here, never on a hit). A request the memo cannot read is
  // not remembered: it is simply validated afresh every time.
  entry e{cmd, std::nullopt, std::nullopt};
  boost::system::error_code ec;
  auto parsed = boost::json::parse(cmd.draft.request_json, ec);
  if (ec || !parsed.is_object())
    return;
  const auto& request = parsed.get_object();
  if (const auto* quote = object_at(request, "migrationPlanQuote")) {
    auto at = quote->find("expiresAt");
    if (at == quote->end() || !at->value().is_string())
      return;
    e.quote_expires_ms = covenant::parse_iso_millis(at->value().get_string());
    if (!e.quote_expires_ms)
      return;
  }
  if (const auto* approval = object_at(request, "signerApproval")) {
    auto end = approval->find("endBlock");
    if (end == approval->end() || !end->value().is_number())
      return;
    auto value = end->value().to_number<std::uint64_t>(ec);
    if (ec)
      return;
    e.certificate_end_block = value;
  }
  auto key = key_of(route, body);
  std::unique_lock<std::shared_mutex> guard{mutex_};
  if (!commands_.emplace(key, std::move(e)).second)
    return;
  order_.push_back(std::move(key));
  while (order_.size() > capacity_) {
    commands_.erase(order_.front());
    order_.pop_front();
  }
}

} // namespace covsigner::transport
