#pragma once
// `tlsprobe compare`: two runs of one scenario, before and after a change,
// judged improved, unchanged, regressed or inconclusive. Every test, rule
// and field is defined in docs/COMPARE.md.
#include <boost/json/object.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prober/probe_record.hpp"
#include "results/exact_tests.hpp"
#include "results/rank_tests.hpp"
#include "results/verdict.hpp"
#include "scenarios/thresholds.hpp"

namespace tlsprobe::results {

// What compare needs of one run.
struct RunMeasurements {
    std::string dir;                       // where the run was read from
    std::string name;                      // the scenario's name; empty for a run without one
    std::string sha256;                    // of the run's scenario.toml; empty without one
    scenarios::Thresholds thresholds;      // the scenario's, or the defaults
    std::string hash_model;                // spec of the scenario's hash model; empty without one
    double background_loss = 0.01;         // the scenario's, for the bucket machinery
    boost::json::object labels;            // the scenario's free key/values
    bool interrupted = false;              // the run was stopped by SIGINT/SIGTERM
    std::vector<prober::ProbeRecord> probes;          // as the prober recorded them
    std::vector<prober::ProbeRecord> hashed_probes;   // the same under the tuples the hashing device saw
    std::optional<std::array<std::uint64_t, verdict_count>> verdicts;   // per verdict, when captured
};

enum class CompareVerdict { improved, unchanged, regressed, inconclusive };
[[nodiscard]] std::string_view to_string(CompareVerdict verdict);

// Which way a row moved, when its test (after Holm) and its rule say it moved.
enum class Change { none, worse, better };
[[nodiscard]] std::string_view to_string(Change change);

// What a rate row counts.
enum class RateKind {
    failed,    // every path failure among the judged probes
    outcome,   // one failure outcome among the judged probes
    verdict,   // one failure verdict among the decided verdicts
    bucket,    // path failures among the judged probes of one hash bucket
};
[[nodiscard]] std::string_view to_string(RateKind kind);

// One rate before and after.
struct RateRow {
    RateKind kind = RateKind::failed;
    std::string name;              // "failed", an outcome, a verdict, or the bucket number
    std::uint64_t before = 0;      // events in the before run
    std::uint64_t before_of = 0;   // out of
    std::uint64_t after = 0;
    std::uint64_t after_of = 0;
    Interval before_rate;          // Wilson 95%
    Interval after_rate;
    double difference = 0.0;       // after rate - before rate
    double p_value = 1.0;          // Fisher exact, two-sided
    double p_adjusted = 1.0;       // Holm within its family
    Change change = Change::none;

    [[nodiscard]] double before_share() const;
    [[nodiscard]] double after_share() const;
};

// Latencies of `ok` probes, each between two phase timestamps.
enum class LatencyPhase {
    connect,         // established - connect_start
    tls_handshake,   // handshake_done - client_hello
    first_byte,      // first_byte - request
    total,           // done (closed when there is no done) - connect_start
};
inline constexpr int latency_phase_count = static_cast<int>(LatencyPhase::total) + 1;
[[nodiscard]] std::string_view to_string(LatencyPhase phase);

struct LatencyRow {
    LatencyPhase phase = LatencyPhase::total;
    std::uint64_t before_samples = 0;
    std::uint64_t after_samples = 0;
    std::int64_t before_median_ns = 0;   // nearest rank
    std::int64_t before_p99_ns = 0;
    std::int64_t after_median_ns = 0;
    std::int64_t after_p99_ns = 0;
    ShiftEstimate shift;                 // after - before, ns; interval at 1 - alpha
    double tolerance_ns = 0.0;           // max(latency_tolerance_ratio * before median, latency_tolerance_ms)
    MannWhitney test;
    double p_adjusted = 1.0;             // Holm over the latency rows
    bool significant = false;            // p_adjusted < alpha
    Change change = Change::none;        // significant and the shift beyond the tolerance
};

// Whether the runs were large enough to see the failure-rate rise the
// scenario cares about.
struct PowerCheck {
    double baseline = 0.0;        // the before run's failure rate
    double rise = 0.0;            // min_rate_change
    double alpha_per_row = 0.0;   // alpha / rows of the rates family: Holm's first step, the worst case
    std::uint64_t needed = 0;     // judged probes each run needs
    bool adequate = false;        // both runs judged at least that many
};

// What the report says of each run.
struct RunSide {
    std::string dir;
    std::string name;
    std::string sha256;
    std::uint64_t probes = 0;        // records in probes.jsonl
    std::uint64_t judged = 0;        // of them, probes that judged the path
    std::uint64_t failed = 0;        // of those, path failures
    std::uint64_t local_errors = 0;  // left out: ended on the prober's host
    std::uint64_t interrupted = 0;   // left out: cut off by the run's stop
    bool stopped = false;            // the run was interrupted
};

struct Comparison {
    CompareVerdict verdict = CompareVerdict::inconclusive;
    std::string headline;                 // the evidence for the verdict, in one line
    RunSide before;
    RunSide after;
    scenarios::Thresholds thresholds;     // the after run's; the judgement used them
    std::vector<RateRow> rows;            // failed, outcomes, verdicts: one Holm family
    std::string bucket_model;             // canonical spec; empty when buckets were not compared
    std::vector<RateRow> buckets;         // buckets probed in both runs: a Holm family of their own
    std::vector<LatencyRow> latency;      // phases with samples in both runs: a Holm family of their own
    PowerCheck power;
    boost::json::object labels;           // the after run's
    std::vector<std::string> findings;    // sentences, in reading order
};

// Throws core::UsageError when a run's hash model does not parse.
[[nodiscard]] Comparison compare_runs(const RunMeasurements& before, const RunMeasurements& after);

// A p-value as the report shows it: three significant digits, "<1e-300"
// below what a double holds (a p-value of exactly 0 is underflow).
[[nodiscard]] std::string p_value_text(double p);

// compare.json without what only the caller knows (forced, differences).
[[nodiscard]] boost::json::object comparison_json(const Comparison& comparison);

}  // namespace tlsprobe::results
