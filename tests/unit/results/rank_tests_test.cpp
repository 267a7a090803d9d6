// Mann-Whitney, Hodges-Lehmann and the Moses interval against values worked
// out by hand (and by brute force over every pairwise difference).
#include "results/rank_tests.hpp"
#include "results/sample_size.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

namespace tlsprobe::results {
namespace {

using Sample = std::vector<std::int64_t>;

Sample sorted(Sample values)
{
    std::ranges::sort(values);
    return values;
}

TEST(MannWhitney, SeparatedSamples)
{
    // U = 9 of 9 pairs; sigma = sqrt(9 * 7 / 12); z = (4.5 - 0.5) / sigma;
    // R: wilcox.test(1:3, 4:6, exact = FALSE) gives p = 0.08086.
    const auto test = mann_whitney(Sample{1, 2, 3}, Sample{4, 5, 6});
    EXPECT_DOUBLE_EQ(test.u, 9.0);
    EXPECT_NEAR(test.z, 1.7457431218879391, 1e-12);
    EXPECT_NEAR(test.p_value, 0.0808555983700523, 1e-12);
}

TEST(MannWhitney, TiesShareMidRanksAndShrinkTheVariance)
{
    // Ranks of 1 2 2 2 3 3 3 4: 1, 3, 3, 3, 6, 6, 6, 8; y holds 3 + 6 + 6 + 8
    // = 23, so U = 23 - 10 = 13; tie term 2 * (27 - 3) = 48.
    const auto test = mann_whitney(Sample{1, 2, 2, 3}, Sample{2, 3, 3, 4});
    EXPECT_DOUBLE_EQ(test.u, 13.0);
    EXPECT_NEAR(test.z, 1.365698202000489, 1e-12);
    EXPECT_NEAR(test.p_value, 0.17203370892182296, 1e-12);
}

TEST(MannWhitney, TheExampleOfRsWilcoxTest)
{
    // Hollander & Wolfe's example in R's ?wilcox.test (times 100): W = 35.
    const auto x = sorted({80, 83, 189, 104, 145, 138, 191, 164, 73, 146});
    const auto y = sorted({115, 88, 90, 74, 121});
    const auto test = mann_whitney(y, x);
    EXPECT_DOUBLE_EQ(test.u, 35.0);
    EXPECT_NEAR(test.p_value, 0.24462360512698333, 1e-12);
    EXPECT_NEAR(mann_whitney(x, y).p_value, test.p_value, 1e-15);
    EXPECT_DOUBLE_EQ(mann_whitney(x, y).u, 15.0);
}

TEST(MannWhitney, NoEvidenceWithoutSpread)
{
    EXPECT_EQ(mann_whitney(Sample{}, Sample{1, 2}).p_value, 1.0);
    EXPECT_EQ(mann_whitney(Sample{5, 5}, Sample{5, 5, 5}).p_value, 1.0);
    EXPECT_THROW((void)mann_whitney(Sample{2, 1}, Sample{1}), std::invalid_argument);
}

TEST(HodgesLehmann, TheExampleOfRsWilcoxTest)
{
    // R: wilcox.test(x, y, conf.int = TRUE) reports a difference in location of 0.305.
    const auto x = sorted({80, 83, 189, 104, 145, 138, 191, 164, 73, 146});
    const auto y = sorted({115, 88, 90, 74, 121});
    const auto shift = hodges_lehmann_shift(y, x, 0.95);
    EXPECT_DOUBLE_EQ(shift.estimate, 30.5);
    // C = floor(25 - 1.96 * sqrt(50 * 16 / 12)) = 8: the 8th and 43rd of the 50 differences.
    ASSERT_TRUE(shift.low && shift.high);
    EXPECT_EQ(*shift.low, -17);
    EXPECT_EQ(*shift.high, 76);
}

TEST(HodgesLehmann, EvenNumberOfPairsAveragesTheMiddleTwo)
{
    const Sample x{1, 2, 3, 4, 5, 6, 7, 8};
    const Sample y{3, 5, 7, 9, 11, 13, 15, 17, 19};
    const auto shift = hodges_lehmann_shift(x, y, 0.95);
    EXPECT_DOUBLE_EQ(shift.estimate, 6.5);
    ASSERT_TRUE(shift.low && shift.high);
    EXPECT_EQ(*shift.low, 1);
    EXPECT_EQ(*shift.high, 12);
}

TEST(HodgesLehmann, TooSmallForAnInterval)
{
    // C = floor(2 - 1.96 * sqrt(4 * 5 / 12)) < 1: no order statistic bounds it.
    const auto shift = hodges_lehmann_shift(Sample{1, 2}, Sample{10, 20}, 0.95);
    EXPECT_DOUBLE_EQ(shift.estimate, 13.5);
    EXPECT_FALSE(shift.low);
    EXPECT_FALSE(shift.high);
}

TEST(KthSmallestDifference, AgreesWithEveryPairwiseDifference)
{
    std::mt19937_64 random(20240611);
    std::uniform_int_distribution<std::int64_t> value(-1'000'000'000, 5'000'000'000);
    for (int round = 0; round < 20; ++round) {
        Sample x(7 + static_cast<std::size_t>(round));
        Sample y(13 + 2 * static_cast<std::size_t>(round));
        for (auto& v : x) {
            v = value(random) / (round % 3 == 0 ? 1'000'000'000 : 1);   // some rounds full of ties
        }
        for (auto& v : y) {
            v = value(random) / (round % 3 == 0 ? 1'000'000'000 : 1);
        }
        std::ranges::sort(x);
        std::ranges::sort(y);
        Sample all;
        for (const auto a : x) {
            for (const auto b : y) {
                all.push_back(b - a);
            }
        }
        std::ranges::sort(all);
        for (std::uint64_t k = 1; k <= all.size(); ++k) {
            ASSERT_EQ(kth_smallest_difference(x, y, k), all[k - 1]) << "round " << round << " k " << k;
        }
    }
    EXPECT_THROW((void)kth_smallest_difference(Sample{1}, Sample{2}, 2), std::invalid_argument);
    EXPECT_THROW((void)kth_smallest_difference(Sample{1}, Sample{2}, 0), std::invalid_argument);
}

TEST(SampleSize, TwoProportionsWithoutContinuityCorrection)
{
    // (1.96 sqrt(2 * .55 * .45) + 0.8416 sqrt(.25 + .24))^2 / .01 = 387.3: 388 per group.
    EXPECT_EQ(two_proportion_sample_size(0.5, 0.6, 0.05, 0.8), 388U);
    // The change prepost.toml is sized for: 0.5% to 1.5%, alpha 0.05, power 90%: 2078.4.
    EXPECT_EQ(two_proportion_sample_size(0.005, 0.015, 0.05, 0.9), 2079U);
    EXPECT_EQ(two_proportion_sample_size(0.015, 0.005, 0.05, 0.9), 2079U);
    EXPECT_EQ(two_proportion_sample_size(0.01, 0.01, 0.05, 0.9), 0U);
    EXPECT_GT(two_proportion_sample_size(0.0, 0.01, 0.025, 0.9), two_proportion_sample_size(0.0, 0.01, 0.05, 0.9));
}

}  // namespace
}  // namespace tlsprobe::results
