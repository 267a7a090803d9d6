#pragma once
// Per-bucket tests with a known hash model: which buckets lose more than the
// background? Exact binomial upper tail per bucket, Holm across buckets,
// Wilson interval for each bucket's failure rate (docs/BUCKETS.md).
#include "results/exact_tests.hpp"

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace tlsprobe::results {

struct BucketCounts {
    std::uint32_t bucket = 0;
    std::uint64_t probes = 0;
    std::uint64_t failures = 0;
};

enum class BucketVerdict {
    faulty,    // Holm-adjusted p-value below alpha
    clean,     // probed, no significant excess over the background
    unprobed,  // no probe landed in the bucket
};

[[nodiscard]] std::string_view to_string(BucketVerdict verdict);

struct BucketResult {
    std::uint32_t bucket = 0;
    std::uint64_t probes = 0;
    std::uint64_t failures = 0;
    Interval failure_rate;     // Wilson interval at the configured confidence
    double p_value = 1.0;      // P(X >= failures), X ~ Binomial(probes, background)
    double p_adjusted = 1.0;   // Holm over all probed buckets
    BucketVerdict verdict = BucketVerdict::unprobed;
};

struct BucketTestConfig {
    double background = 0.0;   // failure rate of a healthy bucket, in [0, 1)
    double alpha = 0.01;       // family-wise error rate over the buckets
    double confidence = 0.95;  // of the Wilson intervals
};

// One result per input bucket, in input order. Unprobed buckets take no part
// in the Holm correction.
[[nodiscard]] std::vector<BucketResult> test_buckets(std::span<const BucketCounts> counts,
                                                     const BucketTestConfig& config);

}  // namespace tlsprobe::results
