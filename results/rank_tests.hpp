#pragma once
// Distribution-free two-sample statistics of a location shift, for
// latencies in integer nanoseconds: the Mann-Whitney U test and the
// Hodges-Lehmann shift with its Moses confidence interval. Every function
// takes both samples sorted ascending; nothing builds the n*m pairwise
// differences. Definitions in docs/COMPARE.md.
#include <cstdint>
#include <optional>
#include <span>

namespace tlsprobe::results {

struct MannWhitney {
    double u = 0.0;        // pairs (x_i, y_j) with y_j > x_i, a tie counting one half
    double z = 0.0;        // (u - nm/2 -+ 1/2) / sigma: continuity- and tie-corrected
    double p_value = 1.0;  // two-sided, normal approximation; 1 when a sample is empty or all values tie
};

// Mann-Whitney U of `y` against `x` (the same p-value as R's
// wilcox.test(x, y, exact = FALSE, correct = TRUE)). O(n + m).
// Throws std::invalid_argument when a sample is not sorted.
[[nodiscard]] MannWhitney mann_whitney(std::span<const std::int64_t> x, std::span<const std::int64_t> y);

// The k-th smallest (1-based, k in [1, n*m]) of the differences y_j - x_i,
// by bisection over the difference value with a two-pointer count of the
// differences at or below it: O((n + m) log(range)).
// Throws std::invalid_argument when k is out of range or a sample is not sorted.
[[nodiscard]] std::int64_t kth_smallest_difference(std::span<const std::int64_t> x, std::span<const std::int64_t> y,
                                                   std::uint64_t k);

struct ShiftEstimate {
    double estimate = 0.0;              // Hodges-Lehmann: the median of the n*m differences y_j - x_i
    std::optional<std::int64_t> low;    // Moses interval at the confidence asked for;
    std::optional<std::int64_t> high;   // empty when the samples are too small to bound it
};

// How far `y` lies above `x`. The interval is (D(C), D(nm + 1 - C)) over
// the sorted differences D, C = floor(nm/2 - z(1 - (1-confidence)/2) *
// sqrt(nm(n+m+1)/12)) (the normal approximation of the U distribution's
// quantile, rounded to the wider interval). Estimate 0 and no interval when
// a sample is empty.
[[nodiscard]] ShiftEstimate hodges_lehmann_shift(std::span<const std::int64_t> x, std::span<const std::int64_t> y,
                                                 double confidence);

}  // namespace tlsprobe::results
