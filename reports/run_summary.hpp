#pragma once
// The table printed at the end of a probe run.
#include <string>

#include "prober/run_stats.hpp"

namespace tlsprobe::reports {

// Outcome counts, then per phase min / median / p95 / p99 / max in milliseconds.
[[nodiscard]] std::string run_summary_table(const prober::RunStats& stats, const prober::RunFacts& facts);

}  // namespace tlsprobe::reports
