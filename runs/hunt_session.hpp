#pragma once
// `tlsprobe hunt` as a library call: rounds of probes chosen by the hunt
// planner until its questions are settled or the budget is spent, then the
// bucket analysis of everything probed.
#include <chrono>
#include <filesystem>

#include "results/bucket_analysis.hpp"
#include "runs/hunt_rounds.hpp"
#include "scenarios/run_plan.hpp"

namespace tlsprobe::runs {

struct HuntRequest {
    scenarios::RunPlan plan;                   // validated by the caller; count is replaced by the budget
    results::BucketAnalysisConfig buckets;     // model (may be null), background loss, alpha
    std::uint64_t budget = 1000;
    std::chrono::milliseconds repeat_gap{2000};
    std::filesystem::path out_dir;             // empty: runs/hunt-<UTC time>
};

struct HuntResult {
    std::filesystem::path dir;
    HuntReport report;
    results::BucketAnalysis analysis;
};

// Everything that can be checked is checked before the directory is created.
[[nodiscard]] HuntResult hunt_session(const HuntRequest& request);

}  // namespace tlsprobe::runs
