// `tlsprobe history --history FILE` on a database this test fills through
// the store: the table, --json, --scenario, --last, --per, an empty history,
// and the files it refuses (missing, not a database, newer schema) with
// their exit codes. It never writes to the database.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "history_fixture.hpp"
#include "results/history_store.hpp"
#include "results/sqlite_database.hpp"

namespace tlsprobe::testing {
namespace {

namespace json = boost::json;

std::string read_bytes(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

CommandResult history(const std::filesystem::path& file, std::vector<std::string> extra = {})
{
    std::vector<std::string> argv{tlsprobe_binary(), "history", "--history", file.string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv);
}

class HistoryCommand : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto store = results::HistoryStore::open(file_);
        store.append(sample_run("canary", "2026-12-02T04:16:01.147Z", 100, 0));
        store.append(sample_run("canary", "2026-12-02T05:16:01.147Z", 90, 10, {failing_bucket(5, 12, 10)}));
        store.append(sample_run("prepost", "2026-12-02T05:20:00.000Z", 4000, 0));
        store.append(sample_run("canary", "2026-12-02T05:21:01.147Z", 88, 12,
                                {failing_bucket(3, 12, 1, false), failing_bucket(5, 12, 11)}));
    }

    TempDir dir_;
    std::filesystem::path file_ = dir_.path() / "history.sqlite";
};

TEST_F(HistoryCommand, TableShowsRecentRunsNewestFirstAndTheTrend)
{
    const auto before = read_bytes(file_);
    const auto result = history(file_);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto& out = result.out;
    const auto newest = out.find("2026-12-02 05:21:01  canary");
    const auto middle = out.find("2026-12-02 05:20:00  prepost");
    const auto oldest = out.find("2026-12-02 04:16:01  canary");
    ASSERT_NE(newest, std::string::npos) << out;
    ASSERT_NE(middle, std::string::npos) << out;
    ASSERT_NE(oldest, std::string::npos) << out;
    EXPECT_LT(newest, middle);
    EXPECT_LT(middle, oldest);
    EXPECT_TRUE(out.starts_with("started (UTC)        scenario  target             vantage   probes  failed     "
                                "rate  health                 faulty buckets\n"))
        << out;
    EXPECT_NE(out.find("2026-12-02 05:21:01  canary    198.18.100.10:443  client-a     100      12   12.00%  "
                       "unhealthy              5\n"), std::string::npos) << out;
    EXPECT_NE(out.find("2026-12-02 05:20:00  prepost   198.18.100.10:443  client-a    4000       0    0.00%  "
                       "healthy                -\n"), std::string::npos) << out;
    EXPECT_NE(out.find("Failure rate per hour of canary -> 198.18.100.10:443 from client-a (24 hours up to the "
                       "newest run"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("2026-12-02T05:00Z      2         2       200       22   11.00%\n"), std::string::npos) << out;
    EXPECT_NE(out.find("Buckets found faulty, canary -> 198.18.100.10:443 from client-a under " +
                       std::string(history_model)),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("     5  2026-12-02 05:16:01  2026-12-02 05:21:01           2  faulty, in every run since "
                       "2026-12-02 05:16:01 (2 runs)\n"),
              std::string::npos)
        << out;
    EXPECT_TRUE(result.err.empty()) << result.err;
    EXPECT_EQ(read_bytes(file_), before);
}

TEST_F(HistoryCommand, JsonHoldsTheRunsAndTheTrend)
{
    const auto result = history(file_, {"--json", "--per", "day"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto report = json::parse(result.out).as_object();
    EXPECT_EQ(report.at("history").as_string(), file_.string());
    EXPECT_EQ(report.at("schema_version").as_int64(), results::history_schema_version);
    const auto& runs = report.at("runs").as_array();
    ASSERT_EQ(runs.size(), 4U);
    const auto& newest = runs[0].as_object();
    EXPECT_EQ(newest.at("scenario").as_string(), "canary");
    EXPECT_EQ(newest.at("started_utc").as_string(), "2026-12-02T05:21:01.147Z");
    EXPECT_EQ(newest.at("probes").as_int64(), 100);
    EXPECT_EQ(newest.at("path_failures").as_int64(), 12);
    EXPECT_DOUBLE_EQ(newest.at("failure_rate").as_double(), 0.12);
    EXPECT_EQ(newest.at("outcomes").at("handshake_timeout").as_int64(), 12);
    EXPECT_TRUE(newest.at("verdicts").is_null());
    EXPECT_EQ(newest.at("health").as_string(), "unhealthy");
    EXPECT_EQ(newest.at("exit_code").as_int64(), 1);
    EXPECT_EQ(newest.at("hash_model").as_string(), history_model);
    EXPECT_EQ(newest.at("buckets").as_array().size(), 2U);
    EXPECT_EQ(newest.at("faulty_buckets").as_array(), (json::array{5}));
    const auto& trend = report.at("trend").as_object();
    EXPECT_EQ(trend.at("per").as_string(), "day");
    EXPECT_EQ(trend.at("periods").as_int64(), 30);
    const auto& rates = trend.at("rates").as_array();
    ASSERT_EQ(rates.size(), 2U);   // canary and prepost, one day each
    EXPECT_EQ(rates[0].at("scenario").as_string(), "canary");
    EXPECT_EQ(rates[0].at("period").as_string(), "2026-12-02");
    EXPECT_EQ(rates[0].at("runs").as_int64(), 3);
    EXPECT_DOUBLE_EQ(rates[0].at("failure_rate").as_double(), 22.0 / 300.0);
    const auto& buckets = trend.at("buckets").as_array();
    ASSERT_EQ(buckets.size(), 1U);
    EXPECT_EQ(buckets[0].at("bucket").as_int64(), 5);
    EXPECT_EQ(buckets[0].at("first_faulty_utc").as_string(), "2026-12-02T05:16:01.147Z");
    EXPECT_TRUE(buckets[0].at("still_faulty").as_bool());
    EXPECT_EQ(buckets[0].at("faulty_since_utc").as_string(), "2026-12-02T05:16:01.147Z");
}

TEST_F(HistoryCommand, ScenarioAndLastChooseTheRuns)
{
    const auto result = history(file_, {"--json", "--scenario", "canary", "--last", "2"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto report = json::parse(result.out).as_object();
    const auto& runs = report.at("runs").as_array();
    ASSERT_EQ(runs.size(), 2U);
    EXPECT_EQ(runs[0].at("started_utc").as_string(), "2026-12-02T05:21:01.147Z");
    EXPECT_EQ(runs[1].at("started_utc").as_string(), "2026-12-02T05:16:01.147Z");
    for (const auto& rate : report.at("trend").at("rates").as_array()) {
        EXPECT_EQ(rate.at("scenario").as_string(), "canary");
    }
    const auto table = history(file_, {"--scenario", "prepost"});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_EQ(table.out.find("canary"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("No run found a faulty bucket"), std::string::npos) << table.out;
}

TEST_F(HistoryCommand, AScenarioWithoutRunsIsNothingToShowWithTheKnownNames)
{
    const auto result = history(file_, {"--scenario", "canery"});
    EXPECT_EQ(result.exit_code, 4);
    EXPECT_TRUE(result.out.empty()) << result.out;
    EXPECT_NE(result.err.find(file_.string() + " holds no runs of scenario \"canery\"; it holds: canary, prepost"),
              std::string::npos)
        << result.err;
}

TEST(HistoryCommandInput, AnEmptyHistoryIsNothingToShowAndJsonStillPrints)
{
    TempDir dir;
    const auto file = dir.path() / "history.sqlite";
    (void)results::HistoryStore::open(file);
    const auto table = history(file);
    EXPECT_EQ(table.exit_code, 4);
    EXPECT_TRUE(table.out.empty()) << table.out;
    EXPECT_NE(table.err.find(file.string() + " holds no runs yet"), std::string::npos) << table.err;
    const auto as_json = history(file, {"--json"});
    EXPECT_EQ(as_json.exit_code, 4);
    EXPECT_TRUE(json::parse(as_json.out).at("runs").as_array().empty()) << as_json.out;
}

TEST(HistoryCommandInput, AMissingFileIsBadInputNamingItAndIsNotCreated)
{
    TempDir dir;
    const auto file = dir.path() / "nowhere.sqlite";
    const auto result = history(file);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("--history: " + file.string() + " does not exist"), std::string::npos) << result.err;
    EXPECT_FALSE(std::filesystem::exists(file));
}

TEST(HistoryCommandInput, AFileThatIsNotADatabaseIsBadInputNamingIt)
{
    TempDir dir;
    const auto file = dir.path() / "history.sqlite";
    std::ofstream(file) << "not a database, just text\n";
    const auto result = history(file);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_TRUE(result.out.empty()) << result.out;
    EXPECT_NE(result.err.find(file.string() + ": not a SQLite database"), std::string::npos) << result.err;
    EXPECT_EQ(read_bytes(file), "not a database, just text\n");
}

TEST(HistoryCommandInput, ANewerSchemaIsBadInputNamingTheVersion)
{
    TempDir dir;
    const auto file = dir.path() / "history.sqlite";
    results::HistoryStore::open(file).append(sample_run("canary", "2026-12-02T05:16:01.147Z", 10, 0));
    {
        auto db = results::sqlite::Connection::open(file, results::sqlite::Access::read_write,
                                                    std::chrono::milliseconds(0));
        db.exec("PRAGMA user_version = 9", "test");
    }
    const auto result = history(file);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find(file.string() + ": schema version 9 is newer than this build of tlsprobe knows"),
              std::string::npos)
        << result.err;
}

TEST(HistoryCommandInput, ATableMissingAColumnIsBadInputNamingTheColumn)
{
    TempDir dir;
    const auto file = dir.path() / "history.sqlite";
    results::HistoryStore::open(file).append(sample_run("canary", "2026-12-02T05:16:01.147Z", 10, 0));
    {
        auto db = results::sqlite::Connection::open(file, results::sqlite::Access::read_write,
                                                    std::chrono::milliseconds(0));
        db.exec("DROP INDEX run_buckets_faulty; ALTER TABLE run_buckets DROP COLUMN faulty", "test");
    }
    const auto before = read_bytes(file);
    const auto result = history(file);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find(file.string() + ": says it holds schema version 1 but its tables differ from it "
                                              "(expected run_buckets.faulty INTEGER, found "),
              std::string::npos)
        << result.err;
    EXPECT_EQ(read_bytes(file), before);
}

TEST(HistoryCommandInput, WrongFlagsAreBadInput)
{
    TempDir dir;
    const auto file = dir.path() / "history.sqlite";
    (void)results::HistoryStore::open(file);
    const auto zero = history(file, {"--last", "0"});
    EXPECT_EQ(zero.exit_code, 2);
    EXPECT_NE(zero.err.find("--last"), std::string::npos) << zero.err;
    const auto week = history(file, {"--per", "week"});
    EXPECT_EQ(week.exit_code, 2);
    EXPECT_NE(week.err.find("--per"), std::string::npos) << week.err;
}

}  // namespace
}  // namespace tlsprobe::testing
