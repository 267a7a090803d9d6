#pragma once
// `tlsprobe run` as a library call: capture agents, the fleet, the summary,
// the verdicts when the client side was captured, and the judgement the exit
// code comes from. Scenario, canary and compare runs call this too.
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "prober/fleet.hpp"
#include "prober/run_stats.hpp"
#include "results/analysis.hpp"
#include "results/health.hpp"
#include "runs/capture_spec.hpp"
#include "scenarios/run_plan.hpp"

namespace tlsprobe::runs {

struct RunRequest {
    scenarios::RunPlan plan;                      // validated by the caller
    std::vector<CaptureSpec> captures;            // parsed before anything is created
    std::chrono::milliseconds capture_linger{3000};
    std::filesystem::path out_dir;                // empty: runs/<UTC time>
};

struct RunResult {
    std::filesystem::path dir;
    prober::FleetReport fleet;
    prober::RunFacts facts;
    // The captured timelines; owned here because the analysis points into them.
    std::unique_ptr<results::AnalysisInputs> inputs;
    std::optional<results::Analysis> analysis;    // when the client side was captured
    std::vector<std::string> vantage_problems;    // capture agents that stopped early or failed
    results::HealthJudgement judgement;
};

// Checks everything that can be checked (target, source address, open-file
// limit, TLS settings, the output directory) before the run directory is
// created or an agent started; throws core::UsageError / EnvironmentError.
[[nodiscard]] RunResult run_session(const RunRequest& request);

}  // namespace tlsprobe::runs
