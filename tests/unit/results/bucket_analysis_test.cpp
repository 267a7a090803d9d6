// tlsprobe buckets / hunt on synthetic probe records: the verdicts, the
// buckets named, the sentences, and what the hunt planner asks for.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>
#include <algorithm>
#include <iostream>
#include <random>
#include <set>

#include "results/bucket_analysis.hpp"
#include "core/errors.hpp"
#include "results/hunt_planner.hpp"
#include "reports/bucket_text.hpp"

namespace tlsprobe::results {
namespace {

const auto source = boost::asio::ip::make_address("198.18.1.2");
const auto target = boost::asio::ip::make_address("198.18.100.10");

prober::ProbeRecord record(std::uint16_t port, std::uint32_t attempt, bool failed)
{
    prober::ProbeRecord r;
    r.attempt = attempt;
    r.src_ip = "198.18.1.2";
    r.src_port = port;
    r.dst_ip = "198.18.100.10";
    r.dst_port = 443;
    r.outcome = failed ? prober::Outcome::handshake_timeout : prober::Outcome::ok;
    return r;
}

std::uint32_t bucket_of(const HashModel& model, std::uint16_t port)
{
    return model.bucket({.src = source, .src_port = port, .dst = target, .dst_port = 443});
}

// A hunt with `model` over the default port range, to the test's target.
HuntConfig model_hunt(const HashModel& model, std::uint64_t budget, std::uint64_t seed = 1)
{
    return {.model = &model,
            .base = {.src = source, .src_port = 0, .dst = target, .dst_port = 443},
            .budget = budget,
            .seed = seed};
}

bool contains(const BucketAnalysis& analysis, std::string_view text)
{
    for (const auto& line : analysis.findings) {
        if (line.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

TEST(BucketAnalysis, DeadBucketUnderAModelIsNamedAndPerFlow)
{
    const auto model = parse_hash_model("jhash:seed=0x1234,mod=8");
    std::vector<prober::ProbeRecord> records;
    std::uint64_t failing = 0;
    for (std::uint16_t port = 20000; port < 20400; ++port) {
        const bool dead = bucket_of(*model, port) == 5;
        failing += dead ? 1U : 0U;
        records.push_back(record(port, 1, dead));
        records.push_back(record(port, 2, dead));
    }
    const auto analysis = analyze_buckets(records, {.model = model.get()});
    EXPECT_EQ(analysis.faulty_buckets(), std::vector<std::uint32_t>{5});
    EXPECT_EQ(analysis.determinism.verdict, DeterminismVerdict::per_flow);
    EXPECT_FALSE(analysis.healthy());
    EXPECT_TRUE(contains(analysis, fmt::format("Failures are per-flow and deterministic ({}/{} failing tuples "
                                               "failed again; 0/{} passing did).",
                                               failing, failing, 400 - failing)));
    EXPECT_TRUE(contains(analysis, "bucket 5 failed"));
    EXPECT_TRUE(contains(analysis, "buckets 0-4, 6, 7 are clean."));
    const auto json = bucket_analysis_json(analysis, {.model = model.get()});
    EXPECT_EQ(json.at("faulty_buckets").as_array().size(), 1U);
    const auto report = reports::bucket_report(analysis);
    EXPECT_NE(report.find("faulty"), std::string::npos);
}

TEST(BucketAnalysis, PerFlowFailuresThatNoBucketExplainsPointAtTheModel)
{
    // Bucket 5 of jhash seed 0x1234 is dead, analysed under another seed.
    const auto device = parse_hash_model("jhash:seed=0x1234,mod=8");
    const auto wrong = parse_hash_model("jhash:seed=0x4321,mod=8");
    std::vector<prober::ProbeRecord> records;
    for (std::uint16_t port = 20000; port < 20400; ++port) {
        const bool dead = bucket_of(*device, port) == 5;
        records.push_back(record(port, 1, dead));
        records.push_back(record(port, 2, dead));
    }
    const auto analysis = analyze_buckets(records, {.model = wrong.get()});
    EXPECT_EQ(analysis.determinism.verdict, DeterminismVerdict::per_flow);
    // Every wrong bucket fails about one in eight: all "faulty", none dead.
    EXPECT_FALSE(analysis.faulty_buckets().empty());
    EXPECT_TRUE(contains(analysis, "tuples that passed every try beside tuples that failed every try"));
    EXPECT_FALSE(analysis.healthy());
    // Under the device's own model the sentence does not appear.
    EXPECT_FALSE(contains(analyze_buckets(records, {.model = device.get()}), "The failures are per-flow, but"));
}

TEST(BucketAnalysis, IndependentFailuresAreRandomLossWithNoBucketFlagged)
{
    const auto model = parse_hash_model("jhash:seed=0x1234,mod=8");
    std::mt19937_64 random(7);
    std::bernoulli_distribution lost(0.02);
    std::vector<prober::ProbeRecord> records;
    for (std::uint16_t port = 20000; port < 21000; ++port) {
        records.push_back(record(port, 1, lost(random)));
        records.push_back(record(port, 2, lost(random)));
    }
    const auto analysis = analyze_buckets(records, {.model = model.get(), .background = 0.02});
    EXPECT_TRUE(analysis.faulty_buckets().empty());
    EXPECT_EQ(analysis.determinism.verdict, DeterminismVerdict::random_loss);
    EXPECT_TRUE(analysis.healthy());
    EXPECT_TRUE(contains(analysis, "Failures look like random loss"));
}

TEST(BucketAnalysis, FlippingTuplesAreCountedAndReported)
{
    // Every other tuple of bucket 5 passes its second try and fails its third.
    const auto model = parse_hash_model("jhash:seed=0x1234,mod=8");
    std::vector<prober::ProbeRecord> records;
    bool flip = false;
    for (std::uint16_t port = 20000; port < 20400; ++port) {
        const bool dead = bucket_of(*model, port) == 5;
        records.push_back(record(port, 1, dead));
        records.push_back(record(port, 2, dead && !flip));
        if (dead && flip) {
            records.push_back(record(port, 3, true));
        }
        flip = dead ? !flip : flip;
    }
    const auto analysis = analyze_buckets(records, {.model = model.get()});
    EXPECT_EQ(analysis.determinism.verdict, DeterminismVerdict::per_flow_flips);
    EXPECT_GT(analysis.determinism.evidence.flipped, 0U);
    EXPECT_EQ(analysis.flipped_ports.size(), analysis.determinism.evidence.flipped);
    EXPECT_TRUE(contains(analysis, fmt::format("flipped between pass and fail (source ports {}, ",
                                               analysis.flipped_ports.front())));
    const auto json = bucket_analysis_json(analysis, {.model = model.get()});
    EXPECT_EQ(json.at("flipped_ports").as_array().size(), analysis.flipped_ports.size());
    EXPECT_EQ(analysis.faulty_buckets(), std::vector<std::uint32_t>{5});
}

TEST(BucketAnalysis, ABackgroundFailureThatPassesTwiceIsNoFlip)
{
    const auto model = parse_hash_model("jhash:seed=0x1234,mod=8");
    std::vector<prober::ProbeRecord> records;
    for (std::uint16_t port = 20000; port < 20400; ++port) {
        const bool dead = bucket_of(*model, port) == 5;
        records.push_back(record(port, 1, dead || port == 20001));
        records.push_back(record(port, 2, dead));
    }
    ASSERT_NE(bucket_of(*model, 20001), 5U);
    records.push_back(record(20001, 3, false));
    const auto analysis = analyze_buckets(records, {.model = model.get()});
    EXPECT_EQ(analysis.determinism.verdict, DeterminismVerdict::per_flow);
    EXPECT_EQ(analysis.determinism.evidence.flipped, 0U);
    EXPECT_EQ(analysis.determinism.evidence.background, 1U);
    EXPECT_TRUE(contains(analysis, "1 tuples failed once and passed at least twice: background loss."));
    EXPECT_FALSE(contains(analysis, "flipped between pass and fail"));
}

TEST(BucketAnalysis, LocalErrorsAreLeftOutAndAttemptsOrdered)
{
    std::vector<prober::ProbeRecord> records{record(20001, 2, true), record(20001, 1, false), record(20002, 1, false)};
    records.back().outcome = prober::Outcome::local_error;
    const auto tuples = group_attempts(records);
    ASSERT_EQ(tuples.size(), 1U);
    EXPECT_EQ(tuples[0].failed, (std::vector<bool>{false, true}));
    EXPECT_TRUE(tuples[0].mixed());
    EXPECT_FALSE(tuples[0].flipped());
    const auto evidence = repeat_evidence(tuples);
    EXPECT_EQ(evidence.table.passed_failed, 1U);
    EXPECT_EQ(evidence.unconfirmed, 1U);
}

TEST(BucketAnalysis, Crc16FailuresFitWithoutAModel)
{
    const auto crc = parse_hash_model("crc16:variant=arc,fields=sport,mod=8");
    std::mt19937_64 random(3);
    std::uniform_int_distribution<std::uint32_t> ports(1024, 65535);
    std::set<std::uint16_t> chosen;
    while (chosen.size() < 500) {
        chosen.insert(static_cast<std::uint16_t>(ports(random)));
    }
    std::vector<prober::ProbeRecord> records;
    for (const auto port : chosen) {
        records.push_back(record(port, 1, bucket_of(*crc, port) == 5));
    }
    const auto analysis = analyze_buckets(records, {});
    ASSERT_TRUE(analysis.port_fit);
    EXPECT_TRUE(analysis.port_fit->fit.accepted());
    EXPECT_EQ(analysis.port_fit->held_out.total, 50U);
    EXPECT_DOUBLE_EQ(analysis.port_fit->held_out.accuracy(), 1.0);
    EXPECT_TRUE(contains(analysis, "1 in 8 of the probed port space"));
    EXPECT_FALSE(analysis.healthy());
}

TEST(BucketAnalysis, RandomFailuresDoNotFitAndReportTheShare)
{
    std::mt19937_64 random(5);
    std::bernoulli_distribution lost(0.1);
    std::vector<prober::ProbeRecord> records;
    for (std::uint16_t port = 20000; port < 20500; ++port) {
        records.push_back(record(port, 1, lost(random)));
    }
    const auto analysis = analyze_buckets(records, {});
    ASSERT_TRUE(analysis.port_fit);
    EXPECT_FALSE(analysis.port_fit->fit.accepted());
    EXPECT_FALSE(analysis.port_fit->failing_tuples.empty());
    EXPECT_TRUE(contains(analysis, "no affine fit over GF(2)"));
    EXPECT_TRUE(contains(analysis, "of the hash space affected"));
}

TEST(BucketAnalysis, BadBackgroundIsAUsageError)
{
    const std::vector<prober::ProbeRecord> records{record(20000, 1, false)};
    EXPECT_THROW(static_cast<void>(analyze_buckets(records, {.background = 1.0})), core::UsageError);
}

TEST(BucketAnalysis, CompressRanges)
{
    const std::vector<std::uint32_t> clean{0, 1, 2, 3, 4, 6, 7};
    EXPECT_EQ(compress_ranges(clean), "0-4, 6, 7");
    const std::vector<std::uint32_t> none;
    EXPECT_EQ(compress_ranges(none), "");
}

// The hunt against a simulated path where bucket 5 of 8 is dead: the first
// round covers every bucket, failing tuples are re-probed, the hunt stops
// within the budget and the analysis names bucket 5 alone.
TEST(HuntPlanner, SimulatedHuntNamesTheDeadBucketWithinBudget)
{
    const auto model = parse_hash_model("jhash:seed=0x1234,mod=8");
    HuntPlanner planner(model_hunt(*model, 400));
    std::vector<prober::ProbeRecord> records;
    std::map<std::uint16_t, std::uint32_t> attempts;
    std::size_t rounds = 0;
    for (auto ports = planner.next_round(records); !ports.empty(); ports = planner.next_round(records)) {
        if (rounds == 0) {
            std::set<std::uint32_t> buckets;
            for (const auto port : ports) {
                buckets.insert(bucket_of(*model, port));
            }
            EXPECT_EQ(buckets.size(), 8U);
        }
        for (const auto port : ports) {
            records.push_back(record(port, ++attempts[port], bucket_of(*model, port) == 5));
        }
        ASSERT_LT(++rounds, 50U);
    }
    EXPECT_LE(records.size(), 400U);
    const auto analysis = analyze_buckets(records, {.model = model.get()});
    EXPECT_EQ(analysis.faulty_buckets(), std::vector<std::uint32_t>{5});
    EXPECT_EQ(analysis.determinism.verdict, DeterminismVerdict::per_flow);
    EXPECT_GE(analysis.determinism.evidence.table.passed_passed, 20U);
}

TEST(HuntPlanner, StopsWhenTheBudgetIsSpent)
{
    HuntPlanner planner({.port_low = 20000, .port_high = 20999, .budget = 50});
    std::vector<prober::ProbeRecord> records;
    for (auto ports = planner.next_round(records); !ports.empty(); ports = planner.next_round(records)) {
        for (const auto port : ports) {
            records.push_back(record(port, 1, false));
        }
    }
    EXPECT_EQ(records.size(), 50U);
}

}  // namespace
}  // namespace tlsprobe::results

namespace tlsprobe::results {
namespace {

// A simulated path for the hunt: `failed(port)` says whether a try fails;
// the hunt's rounds run until it stops. Returns every record.
template <class Path>
std::vector<prober::ProbeRecord> simulate_hunt(HuntPlanner& planner, Path failed)
{
    std::vector<prober::ProbeRecord> records;
    std::map<std::uint16_t, std::uint32_t> attempts;
    for (auto ports = planner.next_round(records); !ports.empty(); ports = planner.next_round(records)) {
        for (const auto port : ports) {
            records.push_back(record(port, ++attempts[port], failed(port)));
        }
    }
    return records;
}

std::size_t median(std::vector<std::size_t> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

TEST(HuntPlanner, AHealthyPathWithAModelStopsOnceEveryBucketIsClean)
{
    const auto model = parse_hash_model("jhash:seed=0x1234,mod=8");
    HuntPlanner planner(model_hunt(*model, 1000));
    const auto records = simulate_hunt(planner, [](std::uint16_t) { return false; });
    // 15 per bucket in the first sweep (budget / 64) decide every bucket
    // clean; then the 20 passing re-probes, and nothing more.
    EXPECT_EQ(records.size(), 8U * 15U + 20U);
    const auto analysis = analyze_buckets(records, {.model = model.get()});
    EXPECT_TRUE(analysis.healthy());
    EXPECT_EQ(analysis.determinism.verdict, DeterminismVerdict::no_failures);
}

TEST(HuntPlanner, ATupleWhoseTwoTriesDisagreeGetsAThirdTry)
{
    const auto model = parse_hash_model("jhash:seed=0x1234,mod=8");
    HuntPlanner planner(model_hunt(*model, 400));
    // The first port of the first round that is not in the dead bucket 5
    // loses its first try; every later try of it passes.
    std::vector<prober::ProbeRecord> records;
    const auto first_round = planner.next_round(records);
    const auto lossy = *std::find_if(first_round.begin(), first_round.end(),
                                     [&](std::uint16_t port) { return bucket_of(*model, port) != 5; });
    for (const auto port : first_round) {
        records.push_back(record(port, 1, port == lossy || bucket_of(*model, port) == 5));
    }
    std::map<std::uint16_t, std::uint32_t> attempts;
    for (const auto& r : records) {
        attempts[r.src_port] = 1;
    }
    for (auto ports = planner.next_round(records); !ports.empty(); ports = planner.next_round(records)) {
        for (const auto port : ports) {
            records.push_back(record(port, ++attempts[port], bucket_of(*model, port) == 5));
        }
    }
    EXPECT_EQ(attempts[lossy], 3U);
    const auto analysis = analyze_buckets(records, {.model = model.get()});
    EXPECT_EQ(analysis.determinism.evidence.background, 1U);
    EXPECT_EQ(analysis.determinism.verdict, DeterminismVerdict::per_flow);
}

// Bucket 5 of 8 loses half the tries of its tuples (packets of one flow
// split over two paths): the hunt keeps probing it until third tries show
// the tuples flip, in every seed.
TEST(HuntPlanner, TuplesOfASplitBucketAreShownToFlip)
{
    const auto model = parse_hash_model("jhash:seed=0x1234,mod=8");
    for (std::uint64_t seed = 1; seed <= 11; ++seed) {
        HuntPlanner planner(model_hunt(*model, 400, seed));
        std::mt19937_64 random(seed);
        std::bernoulli_distribution split(0.5);
        std::bernoulli_distribution background(0.01);
        const auto records = simulate_hunt(planner, [&](std::uint16_t port) {
            return (bucket_of(*model, port) == 5 && split(random)) || background(random);
        });
        const auto analysis = analyze_buckets(records, {.model = model.get()});
        EXPECT_EQ(analysis.determinism.verdict, DeterminismVerdict::per_flow_flips) << "seed " << seed;
        EXPECT_EQ(analysis.faulty_buckets(), std::vector<std::uint32_t>{5}) << "seed " << seed;
        EXPECT_TRUE(contains(analysis, "flipped between pass and fail")) << "seed " << seed;
        EXPECT_LE(records.size(), 400U);
    }
}

// Half the tuples of bucket 5 fail on every try, chosen by a hash the model
// does not know (the device hashes more than the model): the hunt's third
// tries keep failing, no flip is seen, and the report says the tuple
// decides and not the model's bucket.
TEST(HuntPlanner, TuplesThatDecideWithinABucketAreNotCalledFlips)
{
    const auto model = parse_hash_model("jhash:seed=0x1234,mod=8");
    const auto hidden = parse_hash_model("jhash:seed=0x777,mod=2");
    for (std::uint64_t seed = 1; seed <= 11; ++seed) {
        HuntPlanner planner(model_hunt(*model, 400, seed));
        const auto records = simulate_hunt(planner, [&](std::uint16_t port) {
            return bucket_of(*model, port) == 5 && bucket_of(*hidden, port) == 0;
        });
        const auto analysis = analyze_buckets(records, {.model = model.get()});
        EXPECT_EQ(analysis.determinism.verdict, DeterminismVerdict::per_flow) << "seed " << seed;
        EXPECT_EQ(analysis.faulty_buckets(), std::vector<std::uint32_t>{5}) << "seed " << seed;
        EXPECT_TRUE(contains(analysis, "bucket 5 holds tuples that passed every try beside tuples that failed"))
            << "seed " << seed;
    }
}

// Efficiency of the hunt's rounds (simulation, not the lab; the lab figures
// come from bench/bucket_efficiency.sh): one dead bucket among 64 under
// jhash seed 0x1234, 1% background loss, budget 1000; the probes the hunt
// spends (re-probes included) until it stops, over 11 seeds.
TEST(HuntEfficiency, OneDeadBucketAmongSixtyFourWithTheModel)
{
    const auto model = parse_hash_model("jhash:seed=0x1234,mod=64");
    std::vector<std::size_t> spent;
    for (std::uint64_t seed = 1; seed <= 11; ++seed) {
        HuntPlanner planner(model_hunt(*model, 1000, seed));
        std::mt19937_64 random(seed);
        std::bernoulli_distribution background(0.01);
        const auto records = simulate_hunt(
            planner, [&](std::uint16_t port) { return bucket_of(*model, port) == 17 || background(random); });
        const auto analysis = analyze_buckets(records, {.model = model.get()});
        EXPECT_EQ(analysis.faulty_buckets(), std::vector<std::uint32_t>{17}) << "seed " << seed;
        EXPECT_EQ(analysis.determinism.verdict, DeterminismVerdict::per_flow) << "seed " << seed;
        spent.push_back(records.size());
    }
    std::cout << "hunt with the model, one dead bucket of 64: median " << median(spent) << " probes, max "
              << *std::max_element(spent.begin(), spent.end()) << '\n';
    EXPECT_LE(median(spent), 128U);
}

// The same without the model, the path hashing CRC-16/ARC of the source
// port mod 64 (an unknown linear hash): probes until the GF(2) fit is
// accepted, budget 3000, over 11 seeds.
TEST(HuntEfficiency, OneDeadBucketAmongSixtyFourUnderAnUnknownLinearHash)
{
    const auto crc = parse_hash_model("crc16:variant=arc,fields=sport,mod=64");
    std::vector<std::size_t> spent;
    for (std::uint64_t seed = 1; seed <= 11; ++seed) {
        HuntPlanner planner({.port_low = 1024, .port_high = 65535, .budget = 3000, .seed = seed});
        std::mt19937_64 random(seed);
        std::bernoulli_distribution background(0.01);
        const auto records = simulate_hunt(
            planner, [&](std::uint16_t port) { return bucket_of(*crc, port) == 17 || background(random); });
        const auto analysis = analyze_buckets(records, {});
        ASSERT_TRUE(analysis.port_fit);
        ASSERT_TRUE(analysis.port_fit->fit.accepted()) << "seed " << seed;
        // The fitted subspace against the hash itself, over every port of the range.
        std::vector<LabelledPort> every_port;
        for (std::uint32_t port = 1024; port <= 65535; ++port) {
            every_port.push_back({static_cast<std::uint16_t>(port), bucket_of(*crc, static_cast<std::uint16_t>(port)) == 17});
        }
        EXPECT_GE(score_prediction(*analysis.port_fit->fit.space, every_port).accuracy(), 0.99) << "seed " << seed;
        spent.push_back(records.size());
    }
    std::cout << "hunt without a model, one dead bucket of 64 under CRC-16: median " << median(spent)
              << " probes, max " << *std::max_element(spent.begin(), spent.end()) << '\n';
    EXPECT_LE(median(spent), 1500U);
}

}  // namespace
}  // namespace tlsprobe::results
