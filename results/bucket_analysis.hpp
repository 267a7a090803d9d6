#pragma once
// `tlsprobe buckets`: from the attempts of a run to the finding. Groups the
// attempts per tuple, tests determinism from the tuples probed more than
// once, then either tests every bucket of a known hash model or fits the
// failing source ports as an affine subspace over GF(2) (docs/BUCKETS.md).
#include <boost/json/object.hpp>

#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "results/bucket_tests.hpp"
#include "results/determinism.hpp"
#include "results/gf2_fit.hpp"
#include "results/hash_model.hpp"
#include "results/health.hpp"
#include "prober/probe_record.hpp"

namespace tlsprobe::results {

// The tuple the prober used (client side).
struct TupleKey {
    std::string src_ip;
    std::uint16_t src_port = 0;
    std::string dst_ip;
    std::uint16_t dst_port = 0;
    auto operator<=>(const TupleKey&) const = default;
};

// Every attempt of one tuple, in attempt order; true = path failure.
struct TupleHistory {
    TupleKey tuple;
    std::vector<bool> failed;

    [[nodiscard]] std::uint64_t failures() const;
    [[nodiscard]] std::uint64_t passes() const { return failed.size() - failures(); }
    [[nodiscard]] bool always_failed() const { return !failed.empty() && passes() == 0; }
    [[nodiscard]] bool never_failed() const { return failures() == 0; }
    // Some attempts failed, some passed.
    [[nodiscard]] bool mixed() const { return failures() != 0 && passes() != 0; }
    // Failed at least twice and passed at least once: more than one background
    // loss, so the tuple's outcome really changes between tries.
    [[nodiscard]] bool flipped() const { return failures() >= 2 && passes() >= 1; }
};

// Attempts grouped per tuple, ordered by tuple; `local_error` attempts (the
// prober's own host failed) are left out.
[[nodiscard]] std::vector<TupleHistory> group_attempts(std::span<const prober::ProbeRecord> records);

// First try against second try of every tuple probed at least twice, and
// which of them flipped.
[[nodiscard]] RepeatEvidence repeat_evidence(std::span<const TupleHistory> tuples);

struct BucketAnalysisConfig {
    const HashModel* model = nullptr;  // none: fit the failing ports over GF(2)
    double background = 0.01;          // failure rate of a healthy bucket or tuple
    double alpha = 0.01;               // for determinism and the bucket tests
    double confidence = 0.95;          // of the Wilson intervals
    // Without a model, one labelled port in this many is held out of the fit
    // and predicted.
    std::uint32_t hold_out_every = 10;
};

// Without a model: what the GF(2) fit made of the failing ports.
struct PortFitReport {
    AffineFit fit;
    std::uint64_t fitted_failing = 0;   // ports that failed every attempt, used in the fit
    std::uint64_t fitted_passing = 0;   // ports that passed every attempt, used in the fit
    PredictionScore held_out;           // prediction of the held-out labelled ports
    // Tuples that failed at least once, each as a "bucket" of its own
    // (bucket = source port) against the background.
    std::vector<BucketResult> failing_tuples;
    std::uint64_t labelled = 0;         // tuples that always failed or always passed
    std::uint64_t always_failed = 0;
    Interval failing_share;             // Wilson interval of always_failed / labelled
};

struct BucketAnalysis {
    std::uint64_t attempts = 0;      // path attempts considered (local_error and interrupted left out)
    std::uint64_t failed_attempts = 0;
    std::uint64_t local_errors = 0;
    std::uint64_t interrupted = 0;   // cut off by SIGINT/SIGTERM, left out like local_errors
    std::uint64_t tuples = 0;
    DeterminismResult determinism;  // with the repeated and flipped tuples
    std::vector<std::uint16_t> flipped_ports;  // source ports of the flipped tuples, ascending
    std::string model;                       // canonical spec, empty without a model
    std::vector<BucketResult> buckets;       // with a model: one per bucket
    std::optional<PortFitReport> port_fit;   // without a model
    std::vector<std::string> findings;       // sentences, in reading order
    // Unhealthy on a faulty bucket, an accepted fit, a per-flow fault, or
    // more failures than the background loss explains; insufficient
    // evidence when no attempt reached the wire.
    HealthJudgement judgement;

    [[nodiscard]] std::vector<std::uint32_t> faulty_buckets() const;
    [[nodiscard]] bool healthy() const { return judgement.health == Health::healthy; }
};

// Throws core::UsageError when the rates are out of range.
[[nodiscard]] BucketAnalysis analyze_buckets(std::span<const prober::ProbeRecord> records, const BucketAnalysisConfig& config);

[[nodiscard]] boost::json::object bucket_analysis_json(const BucketAnalysis& analysis,
                                                       const BucketAnalysisConfig& config);
// "0-4, 6, 7": sorted numbers with runs of three or more collapsed.
[[nodiscard]] std::string compress_ranges(std::span<const std::uint32_t> sorted);

}  // namespace tlsprobe::results
