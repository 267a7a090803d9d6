// The early-stop rule on simulated probing with the hash model known: how
// many probes it takes to name one dead bucket among 64 at 1% background
// loss, and that the final exact tests then flag that bucket and no other.
#include "results/bucket_tests.hpp"
#include "results/hash_model.hpp"
#include "results/sequential_test.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace tlsprobe::results {
namespace {

struct Simulation {
    std::uint64_t probes = 0;
    std::vector<BucketResult> results;
};

Simulation simulate(std::uint32_t dead_bucket, unsigned seed) {
    const auto model = parse_hash_model("jhash:seed=0x1234,mod=64");
    const FlowTuple base{boost::asio::ip::make_address("198.18.0.1"), 0,
                         boost::asio::ip::make_address("198.18.1.1"), 443};
    const auto ports_of = ports_by_bucket(*model, base, 20000, 39999);
    std::mt19937 rng(seed);
    std::bernoulli_distribution background_loss(0.01);
    const SequentialBucketTest rule({0.01, 0.9, 0.01, 0.05, 64});
    std::vector<BucketCounts> counts;
    for (const auto& [bucket, ports] : ports_of) {
        counts.push_back({bucket, 0, 0});
    }
    Simulation sim;
    while (sim.probes < 5000) {
        const auto next = next_bucket_to_probe(counts, rule);
        if (!next) {
            break;
        }
        BucketCounts& bucket = counts[*next];
        // The port a prober would use: the bucket's next unused one.
        const std::uint16_t port = ports_of.at(bucket.bucket).at(bucket.probes);
        EXPECT_EQ(model->bucket({base.src, port, base.dst, base.dst_port}), bucket.bucket);
        ++bucket.probes;
        ++sim.probes;
        const bool failed = bucket.bucket == dead_bucket || background_loss(rng);
        bucket.failures += failed ? 1U : 0U;
    }
    sim.results = test_buckets(counts, {0.01, 0.01, 0.95});
    return sim;
}

TEST(SequentialEfficiency, OneDeadBucketAmongSixtyFourTakesAtMostTwoHundredProbes) {
    std::vector<std::uint64_t> probes;
    for (unsigned seed = 1; seed <= 11; ++seed) {
        const std::uint32_t dead = (seed * 37U) % 64U;
        const Simulation sim = simulate(dead, seed);
        ASSERT_EQ(sim.results.size(), 64U);
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
