#pragma once
// The findings of an analysis in sentences with numbers, in reading order.
#include <string>
#include <vector>

#include "results/analysis.hpp"

namespace tlsprobe::results {

// From the verdicts and the flag counts of `analysis`; never empty.
[[nodiscard]] std::vector<std::string> verdict_findings(const Analysis& analysis);

}  // namespace tlsprobe::results
