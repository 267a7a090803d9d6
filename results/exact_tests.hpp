#pragma once
// Exact small-sample statistics for the bucket inference: p-values summed
// term by term from log-gamma, no normal approximations. Definitions in
// docs/BUCKETS.md.
#include <cstdint>
#include <span>
#include <vector>

namespace tlsprobe::results {

// Re-probe outcomes of tuples, split by their first outcome.
struct RepeatTable {
    std::uint64_t failed_failed = 0;  // first failed, repeat failed
    std::uint64_t failed_passed = 0;  // first failed, repeat passed
    std::uint64_t passed_failed = 0;  // first passed, repeat failed
    std::uint64_t passed_passed = 0;  // first passed, repeat passed
};

// One-sided Fisher exact test, alternative "a repeat fails more often after a
// first failure": P(X >= failed_failed) under the hypergeometric law of the
// table with both margins fixed. 1 for an empty table.
[[nodiscard]] double fisher_exact_greater(const RepeatTable& table);

// Exact binomial upper tail P(X >= successes), X ~ Binomial(trials, rate).
[[nodiscard]] double binomial_upper_tail(std::uint64_t successes, std::uint64_t trials, double rate);

// Holm step-down adjusted p-values, in the order given:
// adj(i) = max over j <= rank(i) of min(1, (m - j + 1) * p_(j)).
[[nodiscard]] std::vector<double> holm_adjust(std::span<const double> p_values);

struct Interval {
    double low = 0.0;
    double high = 1.0;
};

// Wilson score interval for a proportion at `confidence` (e.g. 0.95);
// [0, 1] when trials is 0.
[[nodiscard]] Interval wilson_interval(std::uint64_t successes, std::uint64_t trials, double confidence);

// z with P(Z <= z) = probability for a standard normal Z; probability in (0, 1).
[[nodiscard]] double normal_quantile(double probability);

}  // namespace tlsprobe::results
