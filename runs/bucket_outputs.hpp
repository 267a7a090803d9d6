#pragma once
// What `buckets` and `hunt` leave in a run directory: buckets.json.
#include <filesystem>
#include <span>

#include "prober/probe_record.hpp"
#include "results/bucket_analysis.hpp"

namespace tlsprobe::runs {

// Analyses `records` and writes DIR/buckets.json whole or not at all
// (DIR is created when missing; core::EnvironmentError when it cannot be).
[[nodiscard]] results::BucketAnalysis write_bucket_analysis(std::span<const prober::ProbeRecord> records,
                                                            const results::BucketAnalysisConfig& config,
                                                            const std::filesystem::path& dir);

}  // namespace tlsprobe::runs
