#pragma once
// What `tlsprobe history` prints: the recent runs (newest first), then the
// trend, a failure rate per hour or day for each scenario/target/vantage and
// when each bucket was first found faulty.
#include <span>
#include <string>

#include "results/history_store.hpp"

namespace tlsprobe::reports {

// One line per run: UTC start, scenario, target, vantage, probes, path
// failures, failure rate, health, faulty buckets.
[[nodiscard]] std::string history_runs_table(std::span<const results::StoredRun> runs);
// Per series a table of periods, then the buckets ever found faulty.
[[nodiscard]] std::string history_trend_text(const results::HistoryTrend& trend);

}  // namespace tlsprobe::reports
