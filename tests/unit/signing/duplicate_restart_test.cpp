// Duplicates on disk never cost a second signature (issue 20 item 2), seen
// from the node: a job is signed for real, the node stops, a second copy of
// its route key appears on disk (a double create once happened), and the
// node restarts with a signer that records every request. Nothing may reach
// it, and the route key answers what the rule says.
#include "tests/support/hanging_signer.hpp"
#include "tests/support/signing_node.hpp"

#include "persistence/job_file.hpp"
#include "persistence/prune.hpp"
#include "persistence/store_loader.hpp"
#include "persistence/timestamp.hpp"

using namespace covsigner;
using namespace covsigner::messages;
using namespace std::chrono_literals;

namespace {

class DuplicateRestart : public test_support::signing_node_fixture {
protected:
  persistence::store_layout layout() const { return persistence::store_layout::for_data_dir(data_dir()); }

  /// Signs `route_request_id` for real (local_key signer), then stops.
  covenant::job sign_then_stop(const std::string& route_request_id) {
    start(signing_options());
    auto reply = submit(self_v1.request, "self_v1", route_request_id);
    EXPECT_EQ(reply.result.status, "READY") << reply.result.detail;
    auto job = stored(reply.result.request_id).snapshot.job;
    stop();
    EXPECT_EQ(audit_entries().size(), 1u);
    return job;
  }

  /// Writes an unsigned, newer copy of `signed_job` under another request id
  /// (no route marker, as the Go node writes files).
  std::string plant_unsigned_copy(covenant::job copy) {
    copy.request_id = "kcs_self_00000000000000ee";
    copy.state = covenant::job_state::submitted;
    copy.detail.clear();
    copy.reason.clear();
    copy.completed_at.clear();
    copy.failed_at.clear();
    copy.psbt_hash.clear();
    copy.transaction_hex.clear();
    copy.updated_at = "2099-01-01T00:00:00Z"; // newer than everything
    std::ofstream(layout().job_file(copy.request_id)) << persistence::encode_job_file(copy);
    return copy.request_id;
  }

  /// Restarts with a signer that records and never answers; returns it.
  std::shared_ptr<test_support::hang_probe> restart_with_probe(actors::node_options& options) {
    auto probe = std::make_shared<test_support::hang_probe>();
    options = signing_options();
    options.signer.backend = "none";
    options.sessions.engine = actors::engine_kind::tbtc;
    options.sessions.tbtc.signer = test_support::spawn_hanging_signer(system, probe);
    start(options);
    return probe;
  }

  void stop_probe(const actors::node_options& options) {
    stop();
    caf::anon_send_exit(options.sessions.tbtc.signer->actor, caf::exit_reason::user_shutdown);
  }
};

} // namespace

TEST_F(DuplicateRestart, ANewerUnsignedCopyOfASignedJobIsNeverSigned) {
  auto signed_job = sign_then_stop("ors_dup_signed");
  auto planted = plant_unsigned_copy(signed_job);
  actors::node_options options;
  auto probe = restart_with_probe(options);
  // The signed copy keeps the key; the unsigned one is in quarantine.
  EXPECT_EQ(stored(planted).code, store_code::not_found);
  EXPECT_EQ(stored(signed_job.request_id).snapshot.job.state, covenant::job_state::artifact_ready);
  auto again = submit(self_v1.request, "self_v1", "ors_dup_signed", 200);
  EXPECT_EQ(again.result.request_id, signed_job.request_id);
  EXPECT_EQ(again.result.status, "READY");
  std::this_thread::sleep_for(200ms); // a resumed session would have asked by now
  EXPECT_EQ(probe->requests, 0);
  EXPECT_EQ(audit_entries().size(), 1u);
  stop_probe(options);
}

TEST_F(DuplicateRestart, ALiveJobBesideATombstoneIsNeverSignedAndPoisonsTheKey) {
  auto signed_job = sign_then_stop("ors_dup_pruned");
  {
    // Prune it (as `covsignerctl store prune` does, under the store lock).
    persistence::posix_file_system fs;
    auto opened = persistence::open_store(fs, layout());
    ASSERT_TRUE(std::holds_alternative<persistence::opened_store>(opened));
    auto& loaded = std::get<persistence::opened_store>(opened).loaded;
    auto ops = persistence::plan_prune(loaded.jobs, *persistence::parse_rfc3339nano("2100-01-01T00:00:00Z"),
                                       std::chrono::hours{24});
    ASSERT_EQ(ops.size(), 1u);
    ASSERT_TRUE(std::holds_alternative<std::vector<persistence::tombstone>>(
      persistence::prune_jobs(fs, layout(), ops)));
  }
  auto planted = plant_unsigned_copy(signed_job);
  actors::node_options options;
  auto probe = restart_with_probe(options);
  EXPECT_EQ(stored(planted).code, store_code::not_found);
  auto again = submit(self_v1.request, "self_v1", "ors_dup_pruned", 200);
  EXPECT_EQ(again.code, reply_code::unavailable) << again.message;
  EXPECT_NE(again.message.find("route key self_v1:ors_dup_pruned is poisoned (tombstoned_key)"),
            std::string::npos)
    << again.message;
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(probe->requests, 0);
  EXPECT_EQ(audit_entries().size(), 1u);
  stop_probe(options);
}
