#pragma once
// What a canary prints when the path is not healthy: short enough for a
// cron mail, with what to look at first and where the evidence is.
#include <filesystem>
#include <optional>
#include <string>

#include "prober/run_stats.hpp"
#include "results/analysis.hpp"
#include "results/bucket_analysis.hpp"
#include "results/health.hpp"

namespace tlsprobe::reports {

struct CanaryReport {
    std::string scenario;
    int exit_code = 0;
    std::filesystem::path run_dir;
    const results::HealthJudgement* judgement = nullptr;
    const prober::RunStats* stats = nullptr;
    const results::Analysis* analysis = nullptr;         // when the run had captures
    const results::BucketAnalysis* buckets = nullptr;    // when the scenario has a hash model
    std::optional<std::filesystem::path> html_report;    // report.html, when it was written
};

// The headline, the reasons, the outcomes and verdicts that are not ok,
// the analysis findings, the faulty buckets, and where the HTML report is.
[[nodiscard]] std::string canary_text(const CanaryReport& report);

}  // namespace tlsprobe::reports
