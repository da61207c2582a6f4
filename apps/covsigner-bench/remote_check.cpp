#include "apps/covsigner-bench/remote_check.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

namespace covsigner::bench {

namespace {

using clock_type = std::chrono::steady_clock;

// Keys resubmitted after the polls: enough to catch a node that answers
// polls from one place and dedupes from another, few enough to stay cheap.
constexpr std::size_t resubmit_sample = 200;
// A 429 or 503 (the node's budgets or overload) is waited out, this often.
constexpr int retries = 5;
constexpr auto retry_pause = std::chrono::milliseconds(500);

struct probe_item {
  std::string rrid;
  std::string request_id;
  std::uint64_t variant = 0;
  bool resubmit = false; // submit again instead of polling
};

std::vector<probe_item> items_of(const request_factory& rq, const ack_log::merged& seen,
                                 const std::map<std::string, std::uint64_t>& variants) {
  std::vector<probe_item> polls, resubmits;
  const std::size_t every = std::max<std::size_t>(1, seen.acked.size() / resubmit_sample);
  std::size_t n = 0;
  const auto prefix = rq.route() + ":";
  for (const auto& [key, ids] : seen.acked) {
    auto v = variants.find(key);
    probe_item base{key.substr(prefix.size()), "", v == variants.end() ? 0 : v->second, false};
    for (const auto& id : ids) {
      auto item = base;
      item.request_id = id;
      polls.push_back(item);
    }
    if (n++ % every == 0 && ids.size() == 1 && resubmits.size() < resubmit_sample) {
      auto item = base;
      item.request_id = *ids.begin();
      item.resubmit = true;
      resubmits.push_back(item);
    }
  }
  polls.insert(polls.end(), resubmits.begin(), resubmits.end());
  return polls;
}

outcome ask(bench_client& c, const request_factory& rq, const probe_item& item) {
  outcome out;
  for (int attempt = 0; attempt <= retries; ++attempt) {
    out = item.resubmit ? c.submit(rq.submit_variant(item.rrid, item.variant))
                        : c.poll(rq.poll(item.rrid, item.request_id, item.variant));
    if (out.error != error_kind::rate_limited && out.error != error_kind::unavailable &&
        out.error != error_kind::connection)
      break;
    std::this_thread::sleep_for(retry_pause);
  }
  return out;
}

std::string problem_of(const probe_item& item, const outcome& out) {
  std::string what = item.resubmit ? "resubmit of " : "poll of ";
  what += item.request_id + " (" + item.rrid + "): ";
  if (out.error == error_kind::none)
    return what + "answered requestId " + out.request_id;
  return what + (out.status ? "HTTP " + std::to_string(out.status) + " " + out.detail
                            : "no answer (" + out.detail + ")");
}

} // namespace

correctness_report check_remote(client_factory& clients, const request_factory& rq,
                                const ack_log::merged& seen,
                                const std::map<std::string, std::uint64_t>& variants,
                                const remote_check_settings& settings) {
  correctness_report r;
  r.check = "remote polls";
  r.keys_sent = seen.sent.size();
  r.keys_acked = seen.acked.size();
  std::mutex mutex;
  auto note = [&](std::string problem) {
    if (r.problems.size() < 8)
      r.problems.push_back(std::move(problem));
  };
  for (const auto& [key, ids] : seen.acked)
    if (ids.size() > 1) {
      ++r.split_acks;
      note("route key " + key + " was acknowledged with " + std::to_string(ids.size()) +
           " request ids");
    }
  const auto items = items_of(rq, seen, variants);
  std::fprintf(stderr, "checking %zu acknowledged jobs on the node (%zu requests, at most %.0f/s)\n",
               static_cast<std::size_t>(r.keys_acked), items.size(), settings.rate_per_s);
  std::atomic<std::size_t> next{0};
  const auto t0 = clock_type::now();
  auto worker = [&] {
    auto client = clients.make_client();
    for (;;) {
      auto i = next.fetch_add(1);
      if (i >= items.size())
        return;
      // A shared schedule: item i is due at t0 + i / rate, whoever sends it.
      std::this_thread::sleep_until(t0 + std::chrono::duration_cast<clock_type::duration>(
                                           std::chrono::duration<double>(static_cast<double>(i) /
                                                                         settings.rate_per_s)));
      const auto& item = items[i];
      auto out = ask(*client, rq, item);
      bool same = out.error == error_kind::none && out.request_id == item.request_id;
      std::lock_guard lock(mutex);
      ++(item.resubmit ? r.resubmitted : r.polled);
      if (same) {
        ++(item.resubmit ? r.resubmit_same : r.found);
        continue;
      }
      if (!item.resubmit)
        ++r.acked_missing;
      note(problem_of(item, out));
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, settings.clients); ++i)
    threads.emplace_back(worker);
  for (auto& t : threads)
    t.join();
  r.passed = r.problems.empty() && r.found == r.polled && r.resubmit_same == r.resubmitted;
  return r;
}

} // namespace covsigner::bench
