// The early-stop rule on simulated probing with the hash model known: how
// many probes it takes to name one dead bucket among 64 at 1% background
// loss, and that the final exact tests then flag that bucket and no other.
#include "results/bucket_tests.hpp"
#include "results/hash_model.hpp"
#include "results/sequential_test.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <ranges>
#include <vector>

namespace tlsprobe::results {
namespace {

struct Simulation {
    std::uint64_t probes = 0;
    std::vector<BucketResult> results;
};

Simulation simulate(std::uint32_t dead_bucket, unsigned seed) {
    const auto model = parse_hash_model("jhash:seed=0x1234,mod=64");
    const auto src = boost::asio::ip::make_address("198.18.0.1");
    const auto dst = boost::asio::ip::make_address("198.18.1.1");
    // Ports grouped by bucket, so each probe can go to the bucket that needs it.
    std::vector<std::vector<std::uint16_t>> ports_of(64);
    for (std::uint32_t p = 20000; p < 40000; ++p) {
        const auto port = static_cast<std::uint16_t>(p);
        ports_of[model->bucket({src, port, dst, 443})].push_back(port);
    }
    std::mt19937 rng(seed);
    std::bernoulli_distribution background_loss(0.01);
    const SequentialBucketTest rule({0.01, 0.9, 0.01, 0.05, 64});
    std::vector<BucketCounts> counts(64);
    for (std::uint32_t b = 0; b < 64; ++b) {
        counts[b].bucket = b;
    }
    Simulation sim;
    while (sim.probes < 5000) {
        // Round-robin over the undecided buckets, fewest probes first.
        auto undecided = counts | std::views::filter([&rule](const BucketCounts& c) {
                             return rule.decide(c.probes, c.failures) == SequentialDecision::undecided;
                         });
        if (undecided.empty()) {
            break;
        }
        BucketCounts& next = *std::ranges::min_element(undecided, {}, &BucketCounts::probes);
        EXPECT_LT(next.probes, ports_of[next.bucket].size());
        ++next.probes;
        ++sim.probes;
        const bool failed = next.bucket == dead_bucket || background_loss(rng);
        next.failures += failed ? 1U : 0U;
    }
    sim.results = test_buckets(counts, {0.01, 0.01, 0.95});
    return sim;
}

TEST(SequentialEfficiency, OneDeadBucketAmongSixtyFourTakesAtMostTwoHundredProbes) {
    std::vector<std::uint64_t> probes;
    for (unsigned seed = 1; seed <= 11; ++seed) {
        const std::uint32_t dead = (seed * 37U) % 64U;
        const Simulation sim = simulate(dead, seed);
        for (const BucketResult& r : sim.results) {
            EXPECT_EQ(r.verdict, r.bucket == dead ? BucketVerdict::faulty : BucketVerdict::clean)
                << "seed " << seed << " bucket " << r.bucket;
        }
        probes.push_back(sim.probes);
    }
    std::ranges::sort(probes);
    EXPECT_LE(probes[probes.size() / 2], 200U) << "median probes";
    RecordProperty("median_probes", static_cast<int>(probes[probes.size() / 2]));
}

}  // namespace
}  // namespace tlsprobe::results
