#include "results/bucket_tests.hpp"
#include "results/determinism.hpp"
#include "results/errors.hpp"
#include "results/sequential_test.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <vector>

namespace tlsprobe::results {
namespace {

TEST(Determinism, EveryFailureRepeatingIsPerFlow) {
    const auto result = assess_determinism({148, 0, 0, 200}, 0.01);
    EXPECT_EQ(result.verdict, DeterminismVerdict::per_flow);
    EXPECT_LT(result.p_value, 1e-100);
    EXPECT_EQ(to_string(result.verdict), "per_flow");
}

TEST(Determinism, RepeatsNoLikelierAfterAFailureIsRandomLoss) {
    // 1% loss: of 100 first failures 1 failed again; of 200 passes 2 failed on repeat.
    const auto result = assess_determinism({1, 99, 2, 198}, 0.01);
    EXPECT_EQ(result.verdict, DeterminismVerdict::random_loss);
    EXPECT_GT(result.p_value, 0.5);
}

TEST(Determinism, SignificantButSomeTuplesFlippedIsReportedAsFlips) {
    // Half the failing tuples fail again (the hash sees something the prober
    // does not control); passing tuples fail again at the background rate.
    const auto result = assess_determinism({40, 40, 3, 197}, 0.01);
    EXPECT_EQ(result.verdict, DeterminismVerdict::per_flow_flips);
    EXPECT_LT(result.p_value, 1e-10);
}

TEST(Determinism, NoFirstFailuresNothingToTest) {
    EXPECT_EQ(assess_determinism({0, 0, 1, 99}, 0.01).verdict, DeterminismVerdict::no_failures);
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
    EXPECT_THROW(SequentialBucketTest({0.5, 0.4, 0.01, 0.01, 8}), UsageError);
    EXPECT_THROW(SequentialBucketTest({0.0, 0.9, 0.01, 0.01, 8}), UsageError);
    EXPECT_THROW(SequentialBucketTest({0.01, 0.9, 0.0, 0.01, 8}), UsageError);
    EXPECT_THROW(SequentialBucketTest({0.01, 0.9, 0.01, 0.01, 0}), UsageError);
}

}  // namespace
}  // namespace tlsprobe::results
