#include "results/bucket_tests.hpp"
#include "results/determinism.hpp"
#include "core/errors.hpp"
#include "results/sequential_test.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <vector>

namespace tlsprobe::results {
namespace {

TEST(Determinism, EveryFailureRepeatingIsPerFlow) {
    const auto result = assess_determinism({.table = {148, 0, 0, 200}, .repeated = 348}, 0.01, 0.01);
    EXPECT_EQ(result.verdict, DeterminismVerdict::per_flow);
    EXPECT_LT(result.p_value, 1e-100);
    EXPECT_EQ(to_string(result.verdict), "per_flow");
}

TEST(Determinism, RepeatsNoLikelierAfterAFailureIsRandomLoss) {
    // 1% loss: of 100 first failures 1 failed again; of 200 passes 2 failed on repeat.
    const auto result =
        assess_determinism({.table = {1, 99, 2, 198}, .repeated = 300, .unconfirmed = 101}, 0.01, 0.01);
    EXPECT_EQ(result.verdict, DeterminismVerdict::random_loss);
    EXPECT_GT(result.p_value, 0.5);
}

TEST(Determinism, SignificantButSomeTuplesFlippedIsReportedAsFlips) {
    // Half the failing tuples fail again (the hash sees something the prober
    // does not control); passing tuples fail again at the background rate.
    // A third try of the 43 tuples whose two tries disagreed: 20 failed again.
    const auto result = assess_determinism({.table = {40, 40, 3, 197},
                                            .repeated = 280,
                                            .flipped = 20,
                                            .background = 23,
                                            .retried = 43,
                                            .retried_failed = 20,
                                            .most_later_tries = 1},
                                           0.01, 0.01);
    EXPECT_EQ(result.verdict, DeterminismVerdict::per_flow_flips);
    EXPECT_LT(result.p_value, 1e-10);
    EXPECT_LT(result.retried_p_value, 1e-20);
}

TEST(Determinism, OneRetriedTupleFailingAgainIsWhatBackgroundLossExplains) {
    // Three tuples' two tries disagreed; one of them failed its third try too.
    // At 1% background P(X >= 1 | 3, 0.01) = 0.0297: no flip.
    const auto result = assess_determinism({.table = {6, 2, 1, 20},
                                            .repeated = 29,
                                            .flipped = 1,
                                            .background = 2,
                                            .retried = 3,
                                            .retried_failed = 1,
                                            .most_later_tries = 1},
                                           0.01, 0.01);
    EXPECT_EQ(result.verdict, DeterminismVerdict::per_flow);
    EXPECT_NEAR(result.retried_p_value, 1.0 - std::pow(0.99, 3), 1e-12);
    // A tuple that failed its first two tries and then passed is a flip outright.
    const auto twice = assess_determinism({.table = {6, 0, 0, 20}, .repeated = 26, .flipped = 1}, 0.01, 0.01);
    EXPECT_EQ(twice.verdict, DeterminismVerdict::per_flow_flips);
}

TEST(Determinism, MoreDisagreeingTwoTriesThanBackgroundExplainsAreFlips) {
    // No third try: 43 of 280 tuples failed one of two tries, where 1%
    // background loss explains about 5.5 (P(X >= 43) is astronomically small).
    const auto result =
        assess_determinism({.table = {40, 40, 3, 197}, .repeated = 280, .unconfirmed = 43}, 0.01, 0.01);
    EXPECT_EQ(result.verdict, DeterminismVerdict::per_flow_flips);
    EXPECT_LT(result.unconfirmed_p_value, 1e-20);
}

TEST(Determinism, OneBackgroundFailureAmongPerFlowFailuresIsNoFlip) {
    // A clean tuple lost its first try to background loss and passed twice
    // after: the dead bucket's tuples all failed again, nothing flipped.
    const auto a = assess_determinism({.table = {6, 1, 0, 20}, .repeated = 27, .background = 1}, 0.01, 0.01);
    EXPECT_EQ(a.verdict, DeterminismVerdict::per_flow);
    // Without the third try the same tuple is unconfirmed, and one in 27 is
    // what 1% background loss explains: still no flip.
    const auto b = assess_determinism({.table = {6, 1, 0, 20}, .repeated = 27, .unconfirmed = 1}, 0.01, 0.01);
    EXPECT_EQ(b.verdict, DeterminismVerdict::per_flow);
    EXPECT_NEAR(b.unconfirmed_p_value, 1.0 - std::pow(1.0 - 2 * 0.01 * 0.99, 27), 1e-12);
}

TEST(Determinism, NoFirstFailuresNothingToTest) {
    EXPECT_EQ(assess_determinism({.table = {0, 0, 1, 99}, .repeated = 100, .unconfirmed = 1}, 0.01, 0.01).verdict,
              DeterminismVerdict::no_failures);
}

TEST(BucketTests, NamesOnlyTheDeadBucketAmongEight) {
    // Bucket 5 loses everything, the others 1% background.
    std::vector<BucketCounts> counts;
    for (std::uint32_t b = 0; b < 8; ++b) {
        counts.push_back({b, 25, b == 5 ? 25U : (b == 2 ? 1U : 0U)});
    }
    const auto results = test_buckets(counts, {0.01, 0.01, 0.95});
    ASSERT_EQ(results.size(), 8U);
    for (const BucketResult& r : results) {
        EXPECT_EQ(r.verdict, r.bucket == 5 ? BucketVerdict::faulty : BucketVerdict::clean) << r.bucket;
    }
    EXPECT_NEAR(results[5].p_value, 1e-50, 1e-59);
    EXPECT_NEAR(results[5].p_adjusted, 8e-50, 8e-59);
    // Bucket 2: P(X >= 1 | 25, 0.01) = 1 - 0.99^25, Holm rank 2 of 8 -> times 7.
    EXPECT_NEAR(results[2].p_value, 0.22217864060085335, 1e-12);
    EXPECT_NEAR(results[2].p_adjusted, 1.0, 1e-12);
    EXPECT_NEAR(results[5].failure_rate.high, 1.0, 1e-12);
    EXPECT_GT(results[5].failure_rate.low, 0.86);
}

TEST(BucketTests, NamesTwoDeadBucketsOfSixteenAndSkipsUnprobed) {
    std::vector<BucketCounts> counts;
    for (std::uint32_t b = 0; b < 16; ++b) {
        const bool dead = b == 3 || b == 11;
        counts.push_back({b, b == 7 ? 0U : 6U, dead ? 6U : 0U});
    }
    const auto results = test_buckets(counts, {0.01, 0.01, 0.95});
    for (const BucketResult& r : results) {
        const BucketVerdict expected = r.bucket == 3 || r.bucket == 11 ? BucketVerdict::faulty
                                       : r.bucket == 7                 ? BucketVerdict::unprobed
                                                                       : BucketVerdict::clean;
        EXPECT_EQ(r.verdict, expected) << r.bucket;
    }
    // 15 probed buckets take part in Holm: 1e-12 * 15.
    EXPECT_NEAR(results[3].p_adjusted, 15e-12, 1e-20);
}

TEST(SequentialTest, SettlesADeadBucketAndACleanOneInAFewProbes) {
    const SequentialBucketTest test({0.01, 0.9, 0.01, 0.01, 64});
    // log(0.9/0.01) = 4.4998 per failure; upper bound log(0.99 / (0.01/64)) = 8.7540.
    EXPECT_NEAR(test.upper_bound(), std::log(0.99 * 64 / 0.01), 1e-12);
    EXPECT_EQ(test.decide(1, 1), SequentialDecision::undecided);
    EXPECT_EQ(test.decide(2, 2), SequentialDecision::faulty);
    // log(0.1/0.99) = -2.2925 per pass; lower bound log(0.01 / (1 - 0.01/64)) = -4.6050.
    EXPECT_EQ(test.decide(2, 0), SequentialDecision::undecided);
    EXPECT_EQ(test.decide(3, 0), SequentialDecision::clean);
    // One background failure among passes needs more evidence either way.
    EXPECT_EQ(test.decide(3, 1), SequentialDecision::undecided);
    EXPECT_EQ(test.decide(6, 1), SequentialDecision::clean);
    EXPECT_EQ(to_string(SequentialDecision::faulty), "faulty");
}

TEST(SequentialTest, NextProbeGoesToTheLeastProbedUndecidedBucket) {
    const SequentialBucketTest test({0.01, 0.9, 0.01, 0.01, 4});
    std::vector<BucketCounts> counts{{0, 2, 2}, {1, 1, 0}, {2, 1, 1}, {3, 5, 0}};
    // Bucket 0 is faulty, bucket 3 clean; 1 and 2 tie on probes: the first wins.
    EXPECT_EQ(next_bucket_to_probe(counts, test), std::optional<std::size_t>{1});
    counts[1] = {1, 3, 0};
    EXPECT_EQ(next_bucket_to_probe(counts, test), std::optional<std::size_t>{2});
    counts[2] = {2, 2, 2};
    EXPECT_EQ(next_bucket_to_probe(counts, test), std::nullopt);
}

TEST(SequentialTest, RejectsImpossibleRates) {
    EXPECT_THROW(SequentialBucketTest({0.5, 0.4, 0.01, 0.01, 8}), core::UsageError);
    EXPECT_THROW(SequentialBucketTest({0.0, 0.9, 0.01, 0.01, 8}), core::UsageError);
    EXPECT_THROW(SequentialBucketTest({0.01, 0.9, 0.0, 0.01, 8}), core::UsageError);
    EXPECT_THROW(SequentialBucketTest({0.01, 0.9, 0.01, 0.01, 0}), core::UsageError);
}

}  // namespace
}  // namespace tlsprobe::results
