// The history's tables say no more than the history holds: a run that
// judged nothing has no rate, a bucket the newest run did not find faulty is
// not called clean.
#include <gtest/gtest.h>

#include <vector>

#include "reports/history_text.hpp"

namespace tlsprobe::reports {
namespace {

results::StoredRun stored_run(std::uint64_t judged, std::uint64_t failures)
{
    results::StoredRun stored;
    stored.id = 1;
    stored.run.scenario = "canary";
    stored.run.target = "198.18.100.10:443";
    stored.run.vantage = "edge-1";
    stored.run.started_utc = "2026-12-02T05:16:01.147Z";
    stored.run.probes = judged + 3;
    stored.path = {.judged = judged, .failures = failures};
    return stored;
}

TEST(HistoryText, ARunThatJudgedNothingHasNoRate)
{
    auto nothing = stored_run(0, 0);
    nothing.run.health = results::Health::insufficient_evidence;
    const std::vector<results::StoredRun> runs{nothing};
    const auto table = history_runs_table(runs);
    EXPECT_NE(table.find("2026-12-02 05:16:01  canary    198.18.100.10:443  edge-1        3       0        -  "
                         "insufficient_evidence  -\n"),
              std::string::npos)
        << table;
}

TEST(HistoryText, FaultyBucketsAreListedAsRanges)
{
    auto failing = stored_run(100, 40);
    failing.run.health = results::Health::unhealthy;
    failing.run.hash_model = "crc16:mod=16";
    for (const std::uint32_t bucket : {0U, 1U, 2U, 6U, 9U}) {
        failing.run.buckets.push_back({.bucket = bucket, .probes = 8, .failures = 8, .faulty = bucket != 9});
    }
    const std::vector<results::StoredRun> runs{failing};
    const auto table = history_runs_table(runs);
    EXPECT_NE(table.find("   40.00%  unhealthy              0-2, 6\n"), std::string::npos) << table;
}

TEST(HistoryText, ABucketNotFoundFaultyInTheNewestRunIsNotCalledClean)
{
    results::HistoryTrend trend;
    trend.periods = 24;
    trend.buckets.push_back({.series = {"canary", "198.18.100.10:443", "edge-1"},
                             .hash_model = "crc16:mod=16",
                             .bucket = 6,
                             .first_faulty_utc = "2026-12-02T01:00:00.000Z",
                             .last_faulty_utc = "2026-12-02T02:00:00.000Z",
                             .faulty_runs = 2,
                             .still_faulty = false,
                             .faulty_since_utc = std::nullopt,
                             .streak_runs = 0});
    const auto text = history_trend_text(trend);
    EXPECT_NE(text.find("Buckets found faulty, canary -> 198.18.100.10:443 from edge-1 under crc16:mod=16:\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("     6  2026-12-02 01:00:00  2026-12-02 02:00:00           2  not found faulty\n"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("clean"), std::string::npos) << text;
}

}  // namespace
}  // namespace tlsprobe::reports
