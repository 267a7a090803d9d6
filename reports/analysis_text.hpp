#pragma once
// The text `analyze` and `run --capture` print: verdict counts, the clock
// offset between the vantages, the findings, and one example per failing
// verdict as a ladder of both timelines with its Wireshark filter.
#include <string>

#include "results/analysis.hpp"

namespace tlsprobe::reports {

[[nodiscard]] std::string analysis_report(const results::Analysis& analysis, const results::AnalysisInputs& inputs);

}  // namespace tlsprobe::reports
