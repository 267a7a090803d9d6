#include "prober/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "prober/run_stats.hpp"

namespace tlsprobe::prober {
namespace {

TEST(LatencyHistogram, SmallValuesAreExact)
{
    LatencyHistogram histogram;
    for (int i = 1; i <= 100; ++i) {
        histogram.record(i);
    }
    EXPECT_EQ(histogram.count(), 100U);
    EXPECT_EQ(histogram.min(), 1);
    EXPECT_EQ(histogram.max(), 100);
    EXPECT_EQ(histogram.percentile(0.5), 50);
    EXPECT_EQ(histogram.percentile(0.99), 99);
}

// Records `count` seeded lognormal(mu, sigma) nanosecond samples into
// `histogram` and returns them sorted.
std::vector<std::int64_t> record_lognormal(LatencyHistogram& histogram, std::uint64_t seed, double mu, double sigma,
                                           int count)
{
    std::mt19937_64 random(seed);
    std::lognormal_distribution<double> latency(mu, sigma);
    std::vector<std::int64_t> samples;
    for (int i = 0; i < count; ++i) {
        samples.push_back(static_cast<std::int64_t>(latency(random)));
        histogram.record(samples.back());
    }
    std::sort(samples.begin(), samples.end());
    return samples;
}

TEST(LatencyHistogram, PercentilesWithinOnePercentOfTheTruth)
{
    LatencyHistogram histogram;
    const auto samples = record_lognormal(histogram, 3, 13.0, 1.0, 100000);   // around half a millisecond
    for (const double q : {0.5, 0.95, 0.99}) {
        const auto truth = static_cast<double>(samples[static_cast<std::size_t>(q * 100000) - 1]);
        EXPECT_NEAR(static_cast<double>(histogram.percentile(q)), truth, truth * 0.01) << q;
    }
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne)
{
    LatencyHistogram a;
    LatencyHistogram b;
    LatencyHistogram both;
    for (std::int64_t v = 1000; v < 2'000'000; v += 997) {
        (v % 2 == 0 ? a : b).record(v);
        both.record(v);
    }
    a.merge(b);
    EXPECT_EQ(a.count(), both.count());
    EXPECT_EQ(a.min(), both.min());
    EXPECT_EQ(a.max(), both.max());
    EXPECT_EQ(a.percentile(0.95), both.percentile(0.95));
}

TEST(LatencyHistogram, SumIsExactAndMerges)
{
    LatencyHistogram a;
    LatencyHistogram b;
    a.record(1'500'000);
    a.record(-5);   // a clock step backwards counts as 0
    b.record(2'250'001);
    a.merge(b);
    EXPECT_EQ(a.sum(), 3'750'001);
}

TEST(LatencyHistogram, CountAtOrBelowIsExactAtSampleValuesAndNeverOvercounts)
{
    LatencyHistogram histogram;
    const auto samples = record_lognormal(histogram, 11, 15.0, 1.5, 20000);   // a few milliseconds, spread wide
    EXPECT_EQ(histogram.count_at_or_below(samples.front() - 1), 0U);
    EXPECT_EQ(histogram.count_at_or_below(samples.back()), samples.size());
    for (const std::int64_t bound : {100'000LL, 1'000'000LL, 2'500'000LL, 10'000'000LL, 25'000'000LL}) {
        const auto truth = static_cast<std::uint64_t>(std::upper_bound(samples.begin(), samples.end(), bound) -
                                                      samples.begin());
        const auto counted = histogram.count_at_or_below(bound);
        EXPECT_LE(counted, truth) << bound;
        // Only samples within the resolution (1/128) below the bound may be missed.
        const auto floor = static_cast<std::uint64_t>(
            std::upper_bound(samples.begin(), samples.end(), bound - bound / 64) - samples.begin());
        EXPECT_GE(counted, floor) << bound;
    }
    // Values below 128 ns are exact.
    LatencyHistogram small;
    for (int v = 0; v < 100; ++v) {
        small.record(v);
    }
    EXPECT_EQ(small.count_at_or_below(49), 50U);
}

TEST(RunStats, CountsOutcomesAndPhasesFromRecords)
{
    RunStats stats;
    ProbeRecord ok;
    ok.t.connect_start = 0;
    ok.t.established = 100'000;
    ok.t.closed = 900'000;
    stats.add(ok);
    ProbeRecord timeout;
    timeout.outcome = Outcome::handshake_timeout;
    timeout.t.connect_start = 0;
    timeout.t.established = 300'000;
    stats.add(timeout);
    EXPECT_EQ(stats.probes(), 2U);
    EXPECT_EQ(stats.count(Outcome::ok), 1U);
    EXPECT_EQ(stats.count(Outcome::handshake_timeout), 1U);
    EXPECT_EQ(stats.phase(Phase::tcp_connect).count(), 2U);
    EXPECT_EQ(stats.phase(Phase::tcp_connect).max(), 300'000);
    EXPECT_EQ(stats.phase(Phase::total).count(), 1U);
    const auto json = summary_json(stats, RunFacts{.target = "t:1", .planned = 2});
    EXPECT_EQ(json.at("outcomes").at("handshake_timeout").to_number<std::uint64_t>(), 1U);
    EXPECT_EQ(json.at("phases_ns").at("tcp_connect").at("max_ns").as_int64(), 300'000);
}

}  // namespace
}  // namespace tlsprobe::prober
