#pragma once
// `tlsprobe history --json`: the recent runs and the trend as one JSON
// object (docs/HISTORY.md, "JSON").
#include <boost/json/object.hpp>

#include <filesystem>
#include <span>

#include "results/history_store.hpp"

namespace tlsprobe::results {

[[nodiscard]] boost::json::object stored_run_json(const StoredRun& stored);
[[nodiscard]] boost::json::object history_trend_json(const HistoryTrend& trend);
// {"history": FILE, "schema_version", "runs": [...newest first], "trend": {...}}
[[nodiscard]] boost::json::object history_json(const std::filesystem::path& file, std::span<const StoredRun> runs,
                                               const HistoryTrend& trend);

}  // namespace tlsprobe::results
