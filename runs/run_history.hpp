#pragma once
// A finished run appended to the run history (results/history_store.hpp):
// what the canary does after every run and `run --history` on request.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "core/errors.hpp"
#include "results/bucket_analysis.hpp"
#include "results/history_run.hpp"
#include "runs/run_session.hpp"

namespace tlsprobe::runs {

// The run as the history keeps it; `buckets` when the run had a hash model.
[[nodiscard]] results::HistoryRun history_entry(const scenarios::Scenario& scenario, const RunResult& run,
                                                const results::HealthJudgement& judgement,
                                                const results::BucketAnalysis* buckets, core::ExitCode exit_code,
                                                std::chrono::system_clock::time_point started,
                                                std::chrono::system_clock::time_point ended);

// What kept a run out of the history, and the exit code it calls for when
// the run itself was healthy: 3 for a locked or read-only database, 2 for
// a damaged one.
struct HistoryProblem {
    std::string message;
    core::ExitCode exit_code = core::ExitCode::environment;
};

// Appends `entry` to the history at `file` in one transaction; the problem
// instead of a throw, so what the run wrote elsewhere stands.
[[nodiscard]] std::optional<HistoryProblem> append_to_history(const std::filesystem::path& file,
                                                              const results::HistoryRun& entry);

// The scenario's vantage, or this host's name.
[[nodiscard]] std::string vantage_of(const scenarios::Scenario& scenario);

}  // namespace tlsprobe::runs
