#pragma once
// The text `compare` prints: the verdict in one line, the evidence tables
// (rates, buckets, latency), then the findings in sentences.
#include <span>
#include <string>

#include "results/run_comparison.hpp"

namespace tlsprobe::reports {

// `differences` are the settings in which the runs differ; non-empty means
// the comparison was forced, and the report says so under the verdict.
[[nodiscard]] std::string compare_report(const results::Comparison& comparison,
                                         std::span<const std::string> differences);

}  // namespace tlsprobe::reports
