#pragma once
// `tlsprobe compare BEFORE_DIR AFTER_DIR` as a library call: read two run
// directories whole, refuse runs that do not measure the same thing, compare
// them (results/run_comparison.hpp) and leave compare.json.
#include <boost/json/object.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "results/run_comparison.hpp"

namespace tlsprobe::runs {

struct CompareRequest {
    std::filesystem::path before;    // run directory before the change
    std::filesystem::path after;     // run directory after it
    std::filesystem::path out_dir;   // where compare.json goes; empty: `after`
    bool force = false;              // compare runs that measure different things anyway
};

struct CompareResult {
    results::Comparison comparison;
    std::vector<std::string> differences;   // "target: A vs B", each setting the runs differ in
    bool forced = false;                    // compared although `differences` is not empty
    std::filesystem::path written;          // compare.json
    std::filesystem::path written_html;     // compare.html beside it
};

// A run directory read whole for compare. core::InputError naming the file
// (and line) when it is not a run directory, its summary.json is missing or
// malformed, or its probes.jsonl is missing, malformed, cut short, or does
// not hold the probes the summary counts.
struct ComparedRun {
    results::RunMeasurements measurements;
    boost::json::object summary;   // summary.json as written
};
[[nodiscard]] ComparedRun read_compared_run(const std::filesystem::path& dir);

// The settings that decide what two runs measure, compared key by key from
// their summaries: the target, the scenario's SHA-256, the port plan (ports,
// their order, count), the TLS options and the request. One "key: A vs B"
// per difference; empty when they measure the same thing.
[[nodiscard]] std::vector<std::string> measurement_differences(const boost::json::object& before_summary,
                                                               const boost::json::object& after_summary);

// Reads both runs, refuses (core::UsageError listing every difference)
// unless they measure the same thing or `force`, compares them, and writes
// compare.json and compare.html whole into `out_dir` (created when missing). Nothing is
// written when it throws before the comparison.
[[nodiscard]] CompareResult compare_session(const CompareRequest& request);

}  // namespace tlsprobe::runs
