#include "persistence/prune.hpp"

namespace covsigner::persistence {

std::vector<write_op> plan_prune(const std::vector<covenant::job>& jobs, timestamp now,
                                 std::chrono::nanoseconds older_than) {
  std::vector<write_op> ops;
  timestamp cutoff = now - older_than;
  for (const auto& j : jobs) {
    if (!covenant::is_terminal(j.state))
      continue;
    auto updated = parse_rfc3339nano(j.updated_at);
    if (!updated || *updated >= cutoff)
      continue;
    ops.push_back(write_op{write_op::kind::tombstone_and_remove, j, format_rfc3339nano(now)});
  }
  return ops;
}

std::variant<std::vector<tombstone>, io_error> prune_jobs(file_system& fs, const store_layout& layout,
                                                          const std::vector<write_op>& planned) {
  std::vector<write_op> ops = planned;
  for (auto& op : ops)
    if (op.pruned_at.empty())
      op.pruned_at = now_rfc3339nano();
  std::optional<io_error> latched;
  auto outcomes = run_write_round(fs, layout, ops, latched);
  std::vector<tombstone> written;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (!outcomes[i].ok)
      return outcomes[i].error;
    const auto& j = ops[i].job;
    written.push_back(tombstone{j.request_id, j.route, j.route_request_id, j.request_digest, j.state,
                                ops[i].pruned_at});
  }
  return written;
}

} // namespace covsigner::persistence
