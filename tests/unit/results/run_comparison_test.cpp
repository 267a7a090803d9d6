// compare_runs on synthetic runs: the verdict, the rows it rests on, and how
// often it is right about runs drawn from known distributions.
#include <gtest/gtest.h>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>

#include "results/exact_tests.hpp"
#include "results/hash_model.hpp"
#include "results/run_comparison.hpp"

namespace tlsprobe::results {
namespace {

// Probes per run of the shipped pre/post scenario: the smallest round count
// at which a one-point failure-rate rise (0.5% -> 1.5%) is called
// `regressed` comfortably more often than 90% (see PlantedRiseIsCalledRegressed).
// It must match `count` in scenarios/prepost.toml.
constexpr std::uint64_t prepost_probes = 4000;

constexpr double background = 0.005;

struct Latency {
    double median_ms = 10.0;   // lognormal median of the connect time
    double spread = 0.3;       // sigma of its logarithm
};

// `count` probes, each failing (handshake_timeout) with probability
// `failure_rate`; ok probes get a connect time and a total time of twice it.
RunMeasurements simulated_run(std::mt19937_64& random, std::uint64_t count, double failure_rate, Latency latency = {})
{
    RunMeasurements run;
    run.probes.resize(count);
    std::bernoulli_distribution fails(failure_rate);
    std::lognormal_distribution<double> connect_ms(std::log(latency.median_ms), latency.spread);
    for (std::uint64_t i = 0; i < count; ++i) {
        auto& probe = run.probes[i];
        probe.probe_id = i;
        probe.src_ip = "198.18.1.2";
        probe.src_port = static_cast<std::uint16_t>(20000 + i % 10000);
        probe.dst_ip = "198.18.100.10";
        probe.dst_port = 443;
        probe.outcome = fails(random) ? prober::Outcome::handshake_timeout : prober::Outcome::ok;
        const auto connect = static_cast<std::int64_t>(connect_ms(random) * 1e6);
        probe.t.connect_start = 1000;
        probe.t.established = 1000 + connect;
        if (probe.outcome == prober::Outcome::ok) {
            probe.t.closed = 1000 + 2 * connect;
        }
    }
    return run;
}

RunMeasurements run_with(std::uint64_t ok, std::uint64_t failed, prober::Outcome failure = prober::Outcome::connect_timeout)
{
    RunMeasurements run;
    for (std::uint64_t i = 0; i < ok + failed; ++i) {
        prober::ProbeRecord probe;
        probe.probe_id = i;
        probe.outcome = i < failed ? failure : prober::Outcome::ok;
        run.probes.push_back(probe);
    }
    return run;
}

const RateRow& row_named(const Comparison& c, std::string_view name)
{
    const auto found = std::ranges::find_if(c.rows, [&](const RateRow& row) { return row.name == name; });
    EXPECT_NE(found, c.rows.end()) << name;
    return *found;
}

bool has_finding(const Comparison& c, std::string_view text)
{
    return std::ranges::any_of(c.findings, [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

// How many of `pairs` simulated before/after pairs are called `verdict`.
int called(CompareVerdict verdict, std::uint64_t probes, double before_rate, double after_rate, int pairs,
           std::uint64_t seed)
{
    std::mt19937_64 random(seed);
    int count = 0;
    for (int i = 0; i < pairs; ++i) {
        const auto before = simulated_run(random, probes, before_rate);
        const auto after = simulated_run(random, probes, after_rate);
        count += compare_runs(before, after).verdict == verdict ? 1 : 0;
    }
    return count;
}

TEST(CompareDecision, OneDistributionIsCalledRegressedNoMoreOftenThanAlphaAllows)
{
    constexpr int pairs = 200;
    const double alpha = scenarios::Thresholds{}.alpha;
    // The smallest count that 200 independent tries at level alpha reach
    // with probability below 0.001: observing more would mean the decision
    // calls regressions more often than alpha allows.
    std::uint64_t bound = 0;
    while (binomial_upper_tail(bound, pairs, alpha) >= 0.001) {
        ++bound;
    }
    const int regressed = called(CompareVerdict::regressed, prepost_probes, background, background, pairs, 7);
    EXPECT_LT(static_cast<std::uint64_t>(regressed), bound) << regressed << " of " << pairs << " called regressed";
}

TEST(CompareDecision, PlantedRiseIsCalledRegressed)
{
    constexpr int pairs = 200;
    const int regressed = called(CompareVerdict::regressed, prepost_probes, background, background + 0.01, pairs, 11);
    // The issue asks for 90%; the constant is chosen so that the observed
    // share clears 95%, with room for another seed.
    EXPECT_GE(regressed, 190) << regressed << " of " << pairs << " called regressed";
}

TEST(CompareDecision, OneDistributionAtThePrepostSizeIsUnchangedNotInconclusive)
{
    const int unchanged = called(CompareVerdict::unchanged, prepost_probes, background, background, 20, 5);
    EXPECT_GE(unchanged, 18);
}

TEST(CompareRuns, FewerFailuresIsImproved)
{
    const auto c = compare_runs(run_with(3600, 400), run_with(3990, 10));
    EXPECT_EQ(c.verdict, CompareVerdict::improved);
    EXPECT_EQ(row_named(c, "failed").change, Change::better);
    EXPECT_NE(c.headline.find("failed rate 10.0% -> 0.25%"), std::string::npos) << c.headline;
}

TEST(CompareRuns, AJumpInFailuresIsRegressedAndNamesTheOutcome)
{
    const auto c = compare_runs(run_with(4000, 0), run_with(3500, 500, prober::Outcome::handshake_timeout));
    EXPECT_EQ(c.verdict, CompareVerdict::regressed);
    EXPECT_EQ(row_named(c, "failed").change, Change::worse);
    EXPECT_EQ(row_named(c, "handshake_timeout").change, Change::worse);
    EXPECT_EQ(c.headline.rfind("failed rate 0.0% -> 12.5% (p ", 0), 0U) << c.headline;
    EXPECT_TRUE(has_finding(c, "The before run had no failure in 4000 judged probes: its failure rate is below 0.07%"));
}

TEST(CompareRuns, EqualRunsLargeEnoughAreUnchanged)
{
    const auto c = compare_runs(run_with(3980, 20), run_with(3978, 22));
    EXPECT_EQ(c.verdict, CompareVerdict::unchanged);
    EXPECT_TRUE(c.power.adequate);
    EXPECT_LE(c.power.needed, 3980U);
}

TEST(CompareRuns, EqualRunsTooSmallAreInconclusiveWithTheCountNeeded)
{
    const auto c = compare_runs(run_with(200, 0), run_with(199, 1));
    EXPECT_EQ(c.verdict, CompareVerdict::inconclusive);
    EXPECT_FALSE(c.power.adequate);
    EXPECT_GT(c.power.needed, 200U);
    EXPECT_NE(c.headline.find(std::to_string(c.power.needed) + " judged probes"), std::string::npos) << c.headline;
    // 0 failures in 200 bounds the rate below 1 - 0.05^(1/200) = 1.49%, about 3/N.
    EXPECT_TRUE(has_finding(c, "no failure in 200 judged probes: its failure rate is below 1.49%"));
}

TEST(CompareRuns, ARunThatJudgedNothingIsInconclusiveWhateverElseChanged)
{
    auto after = run_with(0, 0);
    for (int i = 0; i < 50; ++i) {
        prober::ProbeRecord probe;
        probe.outcome = i % 2 == 0 ? prober::Outcome::local_error : prober::Outcome::interrupted;
        after.probes.push_back(probe);
    }
    const auto c = compare_runs(run_with(1000, 500), after);
    EXPECT_EQ(c.verdict, CompareVerdict::inconclusive);
    EXPECT_EQ(c.after.judged, 0U);
    EXPECT_EQ(c.after.local_errors, 25U);
    EXPECT_EQ(c.after.interrupted, 25U);
    EXPECT_NE(c.headline.find("the after run judged no probe"), std::string::npos) << c.headline;
}

TEST(CompareRuns, FewerJudgedProbesThanMinProbesIsInconclusive)
{
    auto before = run_with(4000, 0);
    auto after = run_with(3000, 1000);
    after.thresholds.min_probes = 5000;
    const auto c = compare_runs(before, after);
    EXPECT_EQ(c.verdict, CompareVerdict::inconclusive);
    EXPECT_NE(c.headline.find("fewer than min_probes 5000"), std::string::npos) << c.headline;
}

TEST(CompareRuns, LocalErrorsAndInterruptedProbesAreLeftOutOfTheRates)
{
    auto after = run_with(990, 10);
    for (int i = 0; i < 300; ++i) {
        prober::ProbeRecord probe;
        probe.outcome = prober::Outcome::local_error;
        after.probes.push_back(probe);
    }
    const auto c = compare_runs(run_with(990, 10), after);
    EXPECT_EQ(row_named(c, "failed").after_of, 1000U);
    EXPECT_EQ(c.after.probes, 1300U);
    EXPECT_TRUE(std::ranges::none_of(c.rows, [](const RateRow& row) { return row.name == "local_error"; }));
}

TEST(CompareRuns, VerdictRowsOnlyWhenBothRunsHaveVerdicts)
{
    auto before = run_with(1000, 0);
    auto after = run_with(900, 100, prober::Outcome::handshake_timeout);
    std::array<std::uint64_t, verdict_count> before_verdicts{};
    std::array<std::uint64_t, verdict_count> after_verdicts{};
    before_verdicts[static_cast<std::size_t>(Verdict::ok)] = 1000;
    after_verdicts[static_cast<std::size_t>(Verdict::ok)] = 900;
    after_verdicts[static_cast<std::size_t>(Verdict::client_hello_lost)] = 100;
    after_verdicts[static_cast<std::size_t>(Verdict::unknown)] = 7;
    before.verdicts = before_verdicts;
    EXPECT_TRUE(std::ranges::none_of(compare_runs(before, after).rows,
                                     [](const RateRow& row) { return row.kind == RateKind::verdict; }));
    after.verdicts = after_verdicts;
    const auto c = compare_runs(before, after);
    const auto& row = row_named(c, "client_hello_lost");
    EXPECT_EQ(row.kind, RateKind::verdict);
    EXPECT_EQ(row.after_of, 1000U);   // unknown is left out
    EXPECT_EQ(row.change, Change::worse);
    EXPECT_EQ(c.rows.size(), 3U);     // failed, handshake_timeout, client_hello_lost: one Holm family
    EXPECT_TRUE(has_finding(c, "0 verdicts before and 7 after are unknown"));
}

// Two runs of 4000 ok probes whose connect times are normal around
// `before_ns` and `after_ns` with standard deviation `spread_ns`.
std::pair<RunMeasurements, RunMeasurements> connect_times(double before_ns, double after_ns, double spread_ns,
                                                          std::uint64_t seed)
{
    std::mt19937_64 random(seed);
    std::normal_distribution<double> noise(0.0, spread_ns);
    auto runs = std::make_pair(run_with(4000, 0), run_with(4000, 0));
    for (auto* run : {&runs.first, &runs.second}) {
        const double centre = run == &runs.first ? before_ns : after_ns;
        for (auto& probe : run->probes) {
            probe.t.connect_start = 0;
            probe.t.established = static_cast<std::int64_t>(centre + noise(random));
        }
    }
    return runs;
}

TEST(CompareLatency, ASignificantShiftWithinTheToleranceIsUnchanged)
{
    // 0.2 ms slower on a 20 ms median: certain at this size (p ~ 0), but
    // below max(20% of 20 ms, 2 ms) = 4 ms.
    const auto [before, after] = connect_times(20'000'000, 20'200'000, 50'000, 3);
    const auto c = compare_runs(before, after);
    ASSERT_EQ(c.latency.size(), 1U);
    const auto& row = c.latency.front();
    EXPECT_EQ(row.phase, LatencyPhase::connect);
    EXPECT_TRUE(row.significant);
    EXPECT_LT(row.p_adjusted, 1e-10);
    EXPECT_NEAR(row.shift.estimate, 200'000.0, 5'000.0);
    EXPECT_NEAR(row.tolerance_ns, 4'000'000.0, 10'000.0);   // 20% of the before median
    EXPECT_EQ(row.change, Change::none);
    EXPECT_EQ(c.verdict, CompareVerdict::unchanged);
    EXPECT_TRUE(has_finding(c, "within the tolerance of 4.000 ms: not a change"));
}

TEST(CompareLatency, ALargeShiftIsRegressedAndItsIntervalHoldsIt)
{
    const auto [before, after] = connect_times(20'000'000, 30'000'000, 1'000'000, 4);
    const auto c = compare_runs(before, after);
    ASSERT_EQ(c.latency.size(), 1U);
    const auto& row = c.latency.front();
    EXPECT_EQ(row.change, Change::worse);
    ASSERT_TRUE(row.shift.low && row.shift.high);
    EXPECT_LT(*row.shift.low, 10'000'000);
    EXPECT_GT(*row.shift.high, 10'000'000);
    EXPECT_GT(*row.shift.low, 9'800'000);
    EXPECT_EQ(c.verdict, CompareVerdict::regressed);
    EXPECT_EQ(c.headline.rfind("connect median 20.", 0), 0U) << c.headline;
    // Faster by as much is improved.
    EXPECT_EQ(compare_runs(after, before).verdict, CompareVerdict::improved);
}

TEST(CompareLatency, OnlyOkProbesAndEachPhaseFromItsOwnTimestamps)
{
    auto before = run_with(9, 1);
    for (std::size_t i = 0; i < before.probes.size(); ++i) {
        auto& t = before.probes[i].t;
        const auto base = static_cast<std::int64_t>(i) * 1000;
        t.connect_start = base;
        t.established = base + 100;
        t.client_hello = base + 150;
        t.handshake_done = base + 450;
        t.request = base + 500;
        t.first_byte = base + 900;
        t.done = base + 1000;
        t.closed = base + 5000;
    }
    const auto c = compare_runs(before, before);
    ASSERT_EQ(c.latency.size(), 4U);
    EXPECT_EQ(c.latency[0].before_samples, 9U);   // the failed probe is left out
    EXPECT_EQ(c.latency[0].before_median_ns, 100);
    EXPECT_EQ(c.latency[1].before_median_ns, 300);
    EXPECT_EQ(c.latency[2].before_median_ns, 400);
    EXPECT_EQ(c.latency[3].before_median_ns, 1000);   // done, not closed
}

TEST(CompareBuckets, TheBucketThatGotWorseIsNamed)
{
    const std::string spec = "jhash:seed=0x5eed,mod=8";
    const auto model = parse_hash_model(spec);
    const auto make = [&](bool bucket_5_dead) {
        RunMeasurements run;
        run.hash_model = spec;
        for (std::uint16_t port = 20000; port < 22000; ++port) {
            prober::ProbeRecord probe;
            probe.probe_id = port;
            probe.src_ip = "198.18.1.2";
            probe.src_port = port;
            probe.dst_ip = "198.18.100.10";
            probe.dst_port = 443;
            const auto bucket = model->bucket({.src = boost::asio::ip::make_address(probe.src_ip),
                                               .src_port = port,
                                               .dst = boost::asio::ip::make_address(probe.dst_ip),
                                               .dst_port = 443});
            probe.outcome = bucket_5_dead && bucket == 5 ? prober::Outcome::handshake_timeout : prober::Outcome::ok;
            run.probes.push_back(probe);
        }
        run.hashed_probes = run.probes;
        return run;
    };
    const auto c = compare_runs(make(false), make(true));
    EXPECT_EQ(c.verdict, CompareVerdict::regressed);
    EXPECT_EQ(c.bucket_model, model->describe());
    ASSERT_EQ(c.buckets.size(), 8U);
    for (const auto& row : c.buckets) {
        EXPECT_EQ(row.change, row.name == "5" ? Change::worse : Change::none) << row.name;
    }
    EXPECT_TRUE(has_finding(c, "one bucket got worse: bucket 5 failed 0 of")) << c.findings.front();
    // The runs must share the model.
    auto other = make(true);
    other.hash_model = "jhash:seed=0x1,mod=8";
    EXPECT_TRUE(compare_runs(make(false), other).buckets.empty());
    EXPECT_TRUE(has_finding(compare_runs(make(false), other), "different hash models"));
}

}  // namespace
}  // namespace tlsprobe::results
