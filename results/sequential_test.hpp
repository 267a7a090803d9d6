#pragma once
// Early stop for per-bucket probing: Wald's sequential probability ratio test
// per bucket, with the family-wise alpha split evenly over the buckets
// (docs/BUCKETS.md).
#include "results/bucket_tests.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace tlsprobe::results {

enum class SequentialDecision {
    undecided,  // keep probing this bucket
    faulty,     // accepted H1: failure rate is `faulty_rate`
    clean,      // accepted H0: failure rate is the background
};

[[nodiscard]] std::string_view to_string(SequentialDecision decision);

struct SequentialConfig {
    double background = 0.01;   // H0 failure rate, in (0, faulty_rate)
    double faulty_rate = 0.9;   // H1 failure rate, in (background, 1)
    double alpha = 0.01;        // family-wise chance of calling a healthy bucket faulty
    double beta = 0.05;         // per-bucket chance of calling a faulty bucket clean
    std::uint32_t buckets = 1;  // alpha is split as alpha / buckets per bucket
};

class SequentialBucketTest {
public:
    // Throws core::UsageError when the rates or error levels are out of range.
    explicit SequentialBucketTest(const SequentialConfig& config);

    // Log-likelihood ratio log(L(H1) / L(H0)) of `failures` in `probes`.
    [[nodiscard]] double log_likelihood_ratio(std::uint64_t probes, std::uint64_t failures) const;
    [[nodiscard]] SequentialDecision decide(std::uint64_t probes, std::uint64_t failures) const;
    // The fewest further probes that can decide an undecided bucket: as many
    // passes as reach `clean`, or failures as reach `faulty`, whichever is
    // fewer; 0 for a decided bucket.
    [[nodiscard]] std::uint64_t probes_to_decide(std::uint64_t probes, std::uint64_t failures) const;
    [[nodiscard]] double upper_bound() const { return upper_; }
    [[nodiscard]] double lower_bound() const { return lower_; }

private:
    double log_fail_ratio_;  // log(p1 / p0), added per failure
    double log_pass_ratio_;  // log((1 - p1) / (1 - p0)), added per pass
    double upper_;           // log((1 - beta) / alpha'), accept H1 at or above
    double lower_;           // log(beta / (1 - alpha')), accept H0 at or below
};

// Where the next probe should go: the undecided bucket with the fewest probes
// (ties: the first), as an index into `counts`; nullopt when every bucket is
// decided, i.e. probing can stop.
[[nodiscard]] std::optional<std::size_t> next_bucket_to_probe(std::span<const BucketCounts> counts,
                                                              const SequentialBucketTest& rule);

}  // namespace tlsprobe::results
