#pragma once
// `tlsprobe hunt` as a library call: rounds of probes chosen by the hunt
// planner until its questions are settled or the budget is spent, then the
// bucket analysis of everything probed.
#include <chrono>
#include <filesystem>

#include "results/bucket_analysis.hpp"
#include "runs/hunt_rounds.hpp"
#include "scenarios/scenario.hpp"

namespace tlsprobe::runs {

struct HuntRequest {
    scenarios::Scenario scenario;              // validated by the caller; count gives way to hunt.budget;
                                               // plan.out_dir empty: runs/hunt-<UTC time>
    results::BucketAnalysisConfig buckets;     // model (may be null), background loss, alpha
};

struct HuntResult {
    std::filesystem::path dir;
    HuntReport report;
    results::BucketAnalysis analysis;
};

// Everything that can be checked is checked before the directory is created.
[[nodiscard]] HuntResult hunt_session(const HuntRequest& request);

}  // namespace tlsprobe::runs
