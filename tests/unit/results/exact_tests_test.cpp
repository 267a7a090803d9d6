#include "results/exact_tests.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <vector>

namespace tlsprobe::results {
namespace {

// Reference values are exact rationals (sums of binomial coefficients in
// arbitrary precision), rounded to double.
void expect_relative(double actual, double expected) {
    EXPECT_NEAR(actual, expected, std::abs(expected) * 1e-9) << actual << " vs " << expected;
}

TEST(FisherExact, OneSidedMatchesExactHypergeometricSums) {
    expect_relative(fisher_exact_greater({3, 1, 1, 3}), 0.24285714285714285);  // 17/70, tea tasting
    expect_relative(fisher_exact_greater({1, 9, 11, 3}), 0.99996634809530216);
    expect_relative(fisher_exact_greater({10, 0, 2, 198}), 1.7848963174624839e-15);
    expect_relative(fisher_exact_greater({2, 98, 2, 98}), 0.68939877050225751);
    expect_relative(fisher_exact_greater({5, 5, 0, 10}), 0.016253869969040248);
}

TEST(FisherExact, TheIncidentTableIsOverwhelming) {
    // 148/148 failing tuples failed again, 0/200 passing ones did: 1 / C(348, 148).
    expect_relative(fisher_exact_greater({148, 0, 0, 200}), 1.9926167586472277e-102);
}

TEST(FisherExact, EmptyTableIsNoEvidence) {
    EXPECT_EQ(fisher_exact_greater({}), 1.0);
    EXPECT_EQ(fisher_exact_greater({0, 0, 3, 7}), 1.0);
}

TEST(FisherExact, TwoSidedMatchesExactHypergeometricSums) {
    // Tea tasting, 3 of 4 cups right: tables as likely as or less likely than
    // the observed one, (1 + 16 + 16 + 1) / 70.
    expect_relative(fisher_exact_two_sided({.events_1 = 3, .trials_1 = 4, .events_2 = 1, .trials_2 = 4}),
                    0.48571428571428571);
    expect_relative(fisher_exact_two_sided({.events_1 = 1, .trials_1 = 10, .events_2 = 11, .trials_2 = 14}),
                    0.0027594561852200836);
    // Failure rates of 0.5% and 1.5% at 4000 probes each.
    expect_relative(fisher_exact_two_sided({.events_1 = 20, .trials_1 = 4000, .events_2 = 60, .trials_2 = 4000}),
                    7.758793870138148e-06);
    expect_relative(fisher_exact_two_sided({.events_1 = 0, .trials_1 = 500, .events_2 = 5, .trials_2 = 500}),
                    0.06187531563659949);
}

TEST(FisherExact, TwoSidedIsSymmetricAndOneForNoEvidence) {
    const TwoProportions table{.events_1 = 7, .trials_1 = 300, .events_2 = 19, .trials_2 = 280};
    const TwoProportions swapped{.events_1 = 19, .trials_1 = 280, .events_2 = 7, .trials_2 = 300};
    expect_relative(fisher_exact_two_sided(table), fisher_exact_two_sided(swapped));
    EXPECT_EQ(fisher_exact_two_sided({}), 1.0);
    EXPECT_EQ(fisher_exact_two_sided({.events_1 = 3, .trials_1 = 10, .events_2 = 0, .trials_2 = 0}), 1.0);
    EXPECT_NEAR(fisher_exact_two_sided({.events_1 = 5, .trials_1 = 100, .events_2 = 5, .trials_2 = 100}), 1.0, 1e-12);
}

TEST(ZeroEvents, UpperBoundIsTheRuleOfThree) {
    expect_relative(zero_events_upper_bound(1000, 0.95), 0.0029912495450953314);   // 1 - 0.05^(1/1000)
    EXPECT_NEAR(zero_events_upper_bound(10000, 0.95) * 10000, 3.0, 0.01);
    EXPECT_EQ(zero_events_upper_bound(0, 0.95), 1.0);
}

TEST(BinomialUpperTail, MatchesExactSums) {
    expect_relative(binomial_upper_tail(2, 2, 0.01), 1e-4);
    expect_relative(binomial_upper_tail(3, 3, 0.01), 1e-6);
    expect_relative(binomial_upper_tail(1, 10, 0.01), 0.095617924991195508);
    expect_relative(binomial_upper_tail(5, 100, 0.01), 0.0034323215877545151);
    expect_relative(binomial_upper_tail(10, 20, 0.5), 0.58809852600097656);
    expect_relative(binomial_upper_tail(3, 64, 1.0 / 64.0), 0.078843534051090805);
}

TEST(BinomialUpperTail, EdgeCases) {
    EXPECT_EQ(binomial_upper_tail(0, 5, 0.1), 1.0);
    EXPECT_EQ(binomial_upper_tail(6, 5, 0.1), 0.0);
    EXPECT_EQ(binomial_upper_tail(1, 5, 0.0), 0.0);
    EXPECT_EQ(binomial_upper_tail(5, 5, 1.0), 1.0);
}

TEST(Holm, StepDownAdjustmentKeepsInputOrder) {
    const std::vector<double> p{0.01, 0.04, 0.03, 0.005};
    const auto adjusted = holm_adjust(p);
    const std::array<double, 4> expected{0.03, 0.06, 0.06, 0.02};
    ASSERT_EQ(adjusted.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_NEAR(adjusted[i], expected[i], 1e-15) << i;
    }
    EXPECT_TRUE(holm_adjust({}).empty());
    EXPECT_EQ(holm_adjust(std::vector<double>{0.9, 0.8})[0], 1.0);
}

TEST(NormalQuantile, KnownPoints) {
    EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-12);
    EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-12);
    EXPECT_NEAR(normal_quantile(0.995), 2.5758293035489004, 1e-12);
}

TEST(Wilson, KnownIntervals) {
    const auto half = wilson_interval(5, 10, 0.95);
    EXPECT_NEAR(half.low, 0.2365930905, 1e-9);
    EXPECT_NEAR(half.high, 0.7634069095, 1e-9);
    // 0 of n: [0, z^2 / (n + z^2)].
    const auto none = wilson_interval(0, 10, 0.95);
    EXPECT_EQ(none.low, 0.0);
    EXPECT_NEAR(none.high, 3.841458820694124 / 13.841458820694124, 1e-12);
    const auto all = wilson_interval(10, 10, 0.95);
    EXPECT_NEAR(all.low, 10.0 / 13.841458820694124, 1e-12);
    EXPECT_EQ(all.high, 1.0);
    const auto nothing = wilson_interval(0, 0, 0.95);
    EXPECT_EQ(nothing.low, 0.0);
    EXPECT_EQ(nothing.high, 1.0);
}

}  // namespace
}  // namespace tlsprobe::results
