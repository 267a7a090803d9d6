#pragma once
// One run as the run history keeps it (docs/HISTORY.md): a plain struct the
// canary (or `run --history`) fills after a run, and the helpers that fill
// it from what a run already has (RunStats, verdict counts, the bucket
// analysis).
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prober/run_stats.hpp"
#include "results/bucket_analysis.hpp"
#include "results/health.hpp"
#include "results/verdict.hpp"

namespace tlsprobe::results {

// One hash bucket in which a run saw path failures.
struct HistoryBucket {
    std::uint32_t bucket = 0;     // under the run's hash_model
    std::uint64_t probes = 0;     // path attempts that landed in it
    std::uint64_t failures = 0;   // of them, path failures
    bool faulty = false;          // the run's bucket test named it faulty (binomial + Holm, docs/BUCKETS.md)
};

struct HistoryRun {
    std::string scenario;                 // the scenario's name
    std::string target;                   // HOST:PORT as the run was given it
    std::string vantage;                  // where the prober ran (the canary's `vantage` label)
    std::string started_utc;              // utc_timestamp(): "2026-12-02T05:16:01.147Z"
    double duration_seconds = 0;          // wall time of the run
    std::uint64_t probes = 0;             // every attempt; the outcome counts add up to it
    std::map<std::string, std::uint64_t> outcomes;                  // outcome name -> count (history_outcomes)
    std::optional<std::map<std::string, std::uint64_t>> verdicts;   // verdict name -> count, when captured
    Health health = Health::insufficient_evidence;
    int exit_code = 0;                    // the process exit code the run ended with
    std::string run_dir;                  // where its files are (may be pruned later)
    std::optional<std::string> hash_model;   // canonical spec the buckets are numbered under
    std::vector<HistoryBucket> buckets;      // only buckets with failures (history_buckets)
};

// Probes that judged the path (every outcome but local_error and
// interrupted) and, of them, the path failures: what a failure rate is made of.
struct PathCounts {
    std::uint64_t judged = 0;
    std::uint64_t failures = 0;

    // failures / judged; nothing when no probe judged the path (no evidence is never a rate of 0).
    [[nodiscard]] std::optional<double> failure_rate() const;
};

// From outcome names and counts. Throws std::invalid_argument on a name
// that is not an outcome.
[[nodiscard]] PathCounts path_counts(const std::map<std::string, std::uint64_t>& outcomes);

// "2026-12-02T05:16:01.147Z": UTC, milliseconds, fixed width, so text order
// is time order and a prefix is the hour or day.
[[nodiscard]] std::string utc_timestamp(std::chrono::system_clock::time_point time);
// The time utc_timestamp() wrote as `text`; nothing when `text` does not
// have exactly that shape or is not a valid date and time.
[[nodiscard]] std::optional<std::chrono::system_clock::time_point> parse_utc_timestamp(std::string_view text);
// Whether `text` has exactly utc_timestamp()'s shape and a valid date and time.
[[nodiscard]] bool is_utc_timestamp(std::string_view text);

// The outcome counts of a run, by name; outcomes no probe ended in are left out.
// Every outcome (verdict) by name with its count, zeros included.
[[nodiscard]] std::map<std::string, std::uint64_t> outcome_counts(const prober::RunStats& stats);
[[nodiscard]] std::map<std::string, std::uint64_t> verdict_counts(const std::array<std::uint64_t, verdict_count>& counts);
[[nodiscard]] std::map<std::string, std::uint64_t> history_outcomes(const prober::RunStats& stats);
// The verdict counts of a run, by name; verdicts of no probe are left out.
[[nodiscard]] std::map<std::string, std::uint64_t> history_verdicts(
    const std::array<std::uint64_t, verdict_count>& counts);
// The buckets of a bucket analysis under a hash model that saw failures,
// ascending, each marked faulty as the analysis judged it; empty without a model.
[[nodiscard]] std::vector<HistoryBucket> history_buckets(const BucketAnalysis& analysis);

// Checks what the store relies on: the timestamp's shape, known outcome and
// verdict names, outcome counts adding up to `probes`, a finite duration of
// at least 0, bucket numbers unique, failures within probes, a faulty bucket
// with failures, buckets only with a hash model. Throws std::invalid_argument
// naming the field: a run filled wrongly is a bug of the caller.
void check_history_run(const HistoryRun& run);

}  // namespace tlsprobe::results
