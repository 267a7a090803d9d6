#pragma once
// How many probes a comparison needs to see the change a scenario cares
// about (docs/COMPARE.md, "Power").
#include <cstdint>

namespace tlsprobe::results {

// Probes per group for a two-sided test of two proportions at level `alpha`
// to tell `rate_1` from `rate_2` with probability `power`: the normal
// approximation with the pooled variance under the null hypothesis and no
// continuity correction (as in Fleiss, Statistical Methods for Rates and
// Proportions),
// n = (z(1-alpha/2) sqrt(2 pq) + z(power) sqrt(p1 q1 + p2 q2))^2 / (p1 - p2)^2
// with p the mean of the two rates, rounded up. 0 when the rates are equal
// or a parameter is outside (0, 1).
[[nodiscard]] std::uint64_t two_proportion_sample_size(double rate_1, double rate_2, double alpha, double power);

}  // namespace tlsprobe::results
