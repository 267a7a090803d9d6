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

// Events out of trials in each of two groups (e.g. failures out of probes
// before and after a change).
struct TwoProportions {
    std::uint64_t events_1 = 0;
    std::uint64_t trials_1 = 0;
    std::uint64_t events_2 = 0;
    std::uint64_t trials_2 = 0;
};

// Two-sided Fisher exact test of equal proportions: the probability, under
// the hypergeometric law with both margins fixed, of every table no more
// likely than the observed one (R's fisher.test rule). 1 when a group is empty.
[[nodiscard]] double fisher_exact_two_sided(const TwoProportions& table);

// Exact one-sided upper confidence bound of a rate after 0 events in
// `trials` (Clopper-Pearson): 1 - (1 - confidence)^(1 / trials), about
// 3 / trials at 0.95 (the rule of three). 1 when trials is 0.
[[nodiscard]] double zero_events_upper_bound(std::uint64_t trials, double confidence);

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
