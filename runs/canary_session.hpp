#pragma once
// `tlsprobe canary` as a library call: one bounded run of a scenario under
// its lock, judged by the scenario's thresholds (failure rate, forbidden
// verdicts, faulty buckets, handshake p99, too few probes), its old run
// directories pruned by the scenario's retention.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "results/bucket_analysis.hpp"
#include "runs/run_session.hpp"
#include "scenarios/scenario.hpp"

namespace tlsprobe::runs {

struct CanaryRequest {
    scenarios::Scenario scenario;        // validated, vantage set; plan.out_dir empty: STATE_DIR/runs/<name>/<UTC time>
    std::filesystem::path state_dir;     // the lock (locks/<name>.lock) and the run directories
    std::optional<std::filesystem::path> metrics_dir;   // node_exporter's textfile directory
    std::filesystem::path history_file;  // the run history (SQLite) this run is appended to
};

struct CanaryResult {
    RunResult run;
    std::optional<results::BucketAnalysis> buckets;   // when the scenario has a hash model
    results::HealthJudgement judgement;               // the run's, and the canary's thresholds
    core::ExitCode exit_code = core::ExitCode::insufficient_evidence;
    std::vector<std::filesystem::path> pruned;        // run directories removed by the retention
    std::optional<std::string> history_problem;       // the history could not be read or appended to
    std::optional<std::filesystem::path> report;      // report.html, written when the canary is not healthy
};

// Throws core::LockedError when another canary of the scenario holds its
// lock (nothing is written then), and what run_session throws. With a
// metrics directory, writes tlsprobe_<name>.prom there (reports/metrics_file.hpp),
// then appends the run to the history. A history that is locked, read-only
// or damaged does not stop the metrics; it is reported in history_problem
// and, when the run was healthy, decides the exit code (3, or 2 for a
// damaged database): a canary that cannot keep its history is not quiet.
[[nodiscard]] CanaryResult canary_session(const CanaryRequest& request);

// The run directories of `runs_dir` the retention removes: all but the
// newest keep_runs, and any older than keep_days; never `current`.
[[nodiscard]] std::vector<std::filesystem::path> expired_run_dirs(const std::filesystem::path& runs_dir,
                                                                  const scenarios::Retention& retention,
                                                                  const std::filesystem::path& current);

}  // namespace tlsprobe::runs
