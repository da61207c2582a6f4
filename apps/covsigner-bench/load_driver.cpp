#include "apps/covsigner-bench/load_driver.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace covsigner::bench {

namespace {

using clock_type = std::chrono::steady_clock;

struct shared_state {
  std::atomic<std::uint64_t> next_seq{0};
  std::atomic<std::uint64_t> measured_started{0};
  std::atomic<std::uint64_t> completed{0}; // measured phase
  std::atomic<std::uint64_t> errors{0};    // measured phase
  std::atomic<std::uint64_t> warmup_done{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> gave_up{false}; // open loop: the backlog was abandoned
  std::atomic<std::int64_t> last_completion_ns{0}; // since measure start
  clock_type::time_point t0;            // warm-up start
  clock_type::time_point measure_start; // t0 + warm-up
};

double seconds_since(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::uint32_t clamp_us(double us) {
  if (us < 0)
    return 0;
  if (us > 4.0e9)
    return 4000000000u;
  return static_cast<std::uint32_t>(us);
}

void progress_line(const load_plan& plan, shared_state& st, bool final) {
  static const bool tty = isatty(2) != 0;
  auto now = clock_type::now();
  double into = seconds_since(st.measure_start, now);
  double frac = 0;
  std::string phase = "run";
  if (into < 0) {
    phase = "warm-up";
  } else if (plan.count) {
    frac = static_cast<double>(st.completed.load()) / static_cast<double>(*plan.count);
  } else {
    frac = into / plan.duration_s;
  }
  frac = std::min(1.0, std::max(0.0, frac));
  char bar[21];
  int filled = static_cast<int>(frac * 20);
  for (int i = 0; i < 20; ++i)
    bar[i] = i < filled ? '#' : '.';
  bar[20] = 0;
  // The final line reports over the phase as the table does (up to the
  // last completion), not up to the moment it is printed.
  double span = final ? static_cast<double>(st.last_completion_ns.load()) / 1e9 : into;
  double rate = span > 0 ? static_cast<double>(st.completed.load()) / span : 0;
  std::fprintf(stderr, "%s%-28s %-7s [%s] %5.1f s  %9llu done  %9.0f req/s  %llu errors%s",
               tty ? "\r" : "", plan.label.c_str(), phase.c_str(), bar, std::max(0.0, final ? span : into),
               static_cast<unsigned long long>(st.completed.load()), rate,
               static_cast<unsigned long long>(st.errors.load()), (final || !tty) ? "\n" : "");
  std::fflush(stderr);
}

} // namespace

load_result run_load(client_factory& clients, const load_plan& plan, const request_fn& request,
                     const std::vector<timed_event>& events) {
  shared_state st;
  std::vector<latency_recorder> recorders(plan.concurrency);
  std::mutex start_mutex;
  std::condition_variable start_cv;
  std::size_t ready = 0;
  bool go = false;

  auto worker = [&](std::size_t index) {
    auto client = clients.make_client();
    auto& rec = recorders[index];
    {
      std::unique_lock lock(start_mutex);
      ++ready;
      start_cv.notify_all();
      start_cv.wait(lock, [&] { return go; });
    }
    const bool open = plan.rate > 0;
    const auto measure_end =
      st.measure_start + std::chrono::duration_cast<clock_type::duration>(
                           std::chrono::duration<double>(plan.duration_s));
    // Open loop: a node that falls far behind would keep the bench busy
    // with its backlog for ever; past this, what is still due is not sent
    // and is reported as unsent.
    // (Closed loop has no schedule to fall behind: no bound. Computing one
    // from a zero rate overflowed the clock, which UBSan caught.)
    const double span_s = open && plan.count ? static_cast<double>(*plan.count) / plan.rate
                                             : plan.duration_s;
    const auto give_up =
      open ? st.measure_start + std::chrono::duration_cast<clock_type::duration>(
                                  std::chrono::duration<double>(span_s + std::max(10.0, span_s)))
           : clock_type::time_point::max();
    while (!st.stop.load(std::memory_order_relaxed)) {
      std::uint64_t seq = st.next_seq.fetch_add(1, std::memory_order_relaxed);
      clock_type::time_point intended;
      if (open) {
        intended = st.t0 + std::chrono::duration_cast<clock_type::duration>(
                             std::chrono::duration<double>(static_cast<double>(seq) / plan.rate));
        if (!plan.count && intended >= measure_end)
          break;
        if (clock_type::now() > give_up) {
          st.gave_up = true;
          break;
        }
        std::this_thread::sleep_until(intended);
      } else {
        intended = clock_type::now();
        if (!plan.count && intended >= measure_end)
          break;
      }
      bool measured = intended >= st.measure_start;
      if (measured && plan.count &&
          st.measured_started.fetch_add(1, std::memory_order_relaxed) >= *plan.count) {
        st.stop = true;
        break;
      }
      step s = request(*client, seq, index);
      auto done = clock_type::now();
      if (measured) {
        sample x;
        x.sent_us = clamp_us(std::chrono::duration<double, std::micro>(intended - st.measure_start).count());
        x.latency_us = clamp_us(std::chrono::duration<double, std::micro>(done - intended).count());
        x.op = s.op;
        x.error = s.result.error;
        rec.record(x);
        st.completed.fetch_add(1, std::memory_order_relaxed);
        if (s.result.error != error_kind::none)
          st.errors.fetch_add(1, std::memory_order_relaxed);
        auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(done - st.measure_start).count();
        auto prev = st.last_completion_ns.load(std::memory_order_relaxed);
        while (ns > prev && !st.last_completion_ns.compare_exchange_weak(prev, ns)) {
        }
      } else {
        st.warmup_done.fetch_add(1, std::memory_order_relaxed);
      }
      // A node that is down (sigkill) refuses connections at once; do not
      // spin on it in closed loop.
      if (!open && s.result.error == error_kind::connection)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  };

  std::vector<std::thread> threads;
  threads.reserve(plan.concurrency);
  for (std::size_t i = 0; i < plan.concurrency; ++i)
    threads.emplace_back(worker, i);
  {
    std::unique_lock lock(start_mutex);
    start_cv.wait(lock, [&] { return ready == plan.concurrency; });
    st.t0 = clock_type::now();
    st.measure_start = st.t0 + std::chrono::duration_cast<clock_type::duration>(
                                 std::chrono::duration<double>(plan.warmup_s));
    go = true;
  }
  start_cv.notify_all();

  std::atomic<bool> finished{false};
  std::thread event_thread([&] {
    for (const auto& e : events) {
      auto at = st.measure_start + std::chrono::duration_cast<clock_type::duration>(
                                     std::chrono::duration<double>(e.at_s));
      while (clock_type::now() < at && !finished.load())
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      if (finished.load())
        return;
      e.action();
    }
  });
  std::thread progress([&] {
    int tick = 0;
    while (!finished.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      if (isatty(2) ? true : (++tick % 8 == 0))
        progress_line(plan, st, false);
    }
  });
  for (auto& t : threads)
    t.join();
  finished = true;
  progress.join();
  event_thread.join();
  progress_line(plan, st, true);

  load_result out;
  for (auto& r : recorders)
    out.samples.merge(std::move(r));
  out.phase_s = std::max(static_cast<double>(st.last_completion_ns.load()) / 1e9,
                         plan.count ? 0.0 : plan.duration_s);
  if (out.phase_s <= 0)
    out.phase_s = 1e-9;
  out.warmup_requests = st.warmup_done.load();
  if (st.gave_up.load() && plan.rate > 0) {
    auto due = static_cast<std::uint64_t>((plan.warmup_s + (plan.count ? static_cast<double>(*plan.count) / plan.rate
                                                                     : plan.duration_s)) * plan.rate);
    auto sent = st.warmup_done.load() + st.completed.load();
    out.unsent = due > sent ? due - sent : 0;
  }
  out.issued = st.next_seq.load();
  return out;
}

} // namespace covsigner::bench
