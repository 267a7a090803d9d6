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
#include "scenarios/scenario.hpp"

namespace tlsprobe::runs {


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

// Runs `scenario` (validated by the caller; its plan's out_dir empty:
// runs/<UTC time>). Checks everything that can be checked (target, source
// address, capture interfaces, open-file limit, TLS settings, the output
// directory) before the run directory is created or an agent started;
// throws core::UsageError / EnvironmentError naming the field. The
// directory keeps scenario.toml, and summary.json its SHA-256.
[[nodiscard]] RunResult run_session(const scenarios::Scenario& scenario);

}  // namespace tlsprobe::runs
