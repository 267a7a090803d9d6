// The run history on temporary databases: what append stores comes back
// from recent(), the trend's rates per hour and day and the buckets' onsets,
// and every way a database can be refused (newer schema, not a database,
// damaged, another application's, read-only, locked) with the file left as
// it was.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "core/errors.hpp"
#include "history_fixture.hpp"
#include "results/history_store.hpp"
#include "results/sqlite_database.hpp"

namespace tlsprobe::results {
namespace {

using testing::failing_bucket;
using testing::sample_run;

std::string file_bytes(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::filesystem::path& path, const std::string& bytes)
{
    std::ofstream(path, std::ios::binary) << bytes;
}

// Runs `check` in a child process that, when this test runs as root, first
// becomes nobody: root writes through any file mode, so only another user
// sees a read-only file as read-only. The child's exit code carries the result.
template <typename Check>
void as_unprivileged_user(const std::filesystem::path& dir, Check check)
{
    if (::geteuid() == 0) {
        for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
            ASSERT_EQ(::chown(entry.path().c_str(), 65534, 65534), 0);
        }
        ASSERT_EQ(::chown(dir.c_str(), 65534, 65534), 0);
    }
    EXPECT_EXIT(
        {
            if (::geteuid() == 0 && (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
                                     ::setresuid(65534, 65534, 65534) != 0)) {
                std::_Exit(3);
            }
            std::_Exit(check());
        },
        ::testing::ExitedWithCode(0), "");
}

class HistoryStoreTest : public ::testing::Test {
protected:
    testing::TempDir dir_;
    std::filesystem::path file_ = dir_.path() / "history.sqlite";
};

TEST_F(HistoryStoreTest, AppendedRunsComeBackNewestFirstWithEverythingStored)
{
    auto store = HistoryStore::open(file_);
    auto with_detail = sample_run("canary", "2026-12-02T05:16:01.147Z", 90, 8,
                                  {failing_bucket(5, 12, 8), failing_bucket(6, 11, 1, false)});
    with_detail.outcomes["local_error"] = 2;
    with_detail.probes += 2;
    with_detail.verdicts = std::map<std::string, std::uint64_t>{{"ok", 90}, {"client_hello_lost", 8}};
    // Appended out of time order: recent() orders by start, not by id.
    const auto later = store.append(sample_run("canary", "2026-12-02T05:21:00.000Z", 100, 0));
    const auto earlier = store.append(with_detail);
    const auto other = store.append(sample_run("prepost", "2026-12-02T05:18:00.000Z", 50, 0));

    const auto all = store.recent(std::nullopt, 10);
    ASSERT_EQ(all.size(), 3U);
    EXPECT_EQ(all[0].id, later);
    EXPECT_EQ(all[1].id, other);
    EXPECT_EQ(all[2].id, earlier);

    const auto& stored = all[2];
    EXPECT_EQ(stored.run.scenario, "canary");
    EXPECT_EQ(stored.run.target, "198.18.100.10:443");
    EXPECT_EQ(stored.run.vantage, "client-a");
    EXPECT_EQ(stored.run.started_utc, "2026-12-02T05:16:01.147Z");
    EXPECT_DOUBLE_EQ(stored.run.duration_seconds, 30.5);
    EXPECT_EQ(stored.run.probes, 100U);
    EXPECT_EQ(stored.run.outcomes, with_detail.outcomes);
    EXPECT_EQ(stored.run.verdicts, with_detail.verdicts);
    EXPECT_EQ(stored.run.health, Health::unhealthy);
    EXPECT_EQ(stored.run.exit_code, 1);
    EXPECT_EQ(stored.run.run_dir, with_detail.run_dir);
    EXPECT_EQ(stored.run.hash_model, std::string(testing::history_model));
    ASSERT_EQ(stored.run.buckets.size(), 2U);
    EXPECT_EQ(stored.run.buckets[0].bucket, 5U);
    EXPECT_EQ(stored.run.buckets[0].probes, 12U);
    EXPECT_EQ(stored.run.buckets[0].failures, 8U);
    EXPECT_TRUE(stored.run.buckets[0].faulty);
    EXPECT_FALSE(stored.run.buckets[1].faulty);
    EXPECT_EQ(stored.faulty_buckets(), std::vector<std::uint32_t>{5});
    // local_error probes never reached the path: 8 failures of 98, not of 100.
    EXPECT_EQ(stored.path.judged, 98U);
    EXPECT_EQ(stored.path.failures, 8U);
    EXPECT_DOUBLE_EQ(*stored.path.failure_rate(), 8.0 / 98.0);
    EXPECT_FALSE(all[0].run.verdicts.has_value());

    const auto canary = store.recent("canary", 1);
    ASSERT_EQ(canary.size(), 1U);
    EXPECT_EQ(canary[0].id, later);
    EXPECT_EQ(store.recent("canary", 10).size(), 2U);
    EXPECT_TRUE(store.recent("nothing", 10).empty());
    EXPECT_EQ(store.scenarios(), (std::vector<std::string>{"canary", "prepost"}));
    EXPECT_EQ(store.run(earlier)->run.started_utc, "2026-12-02T05:16:01.147Z");
    EXPECT_FALSE(store.run(other + 100).has_value());
}

TEST_F(HistoryStoreTest, RunsSurviveReopeningAndReadOnlyOpenSeesThem)
{
    {
        auto store = HistoryStore::open(file_);
        store.append(sample_run("canary", "2026-12-02T05:16:01.147Z", 10, 0));
    }
    auto store = HistoryStore::open(file_);
    store.append(sample_run("canary", "2026-12-02T05:17:01.147Z", 10, 0));
    const auto reader = HistoryStore::open(file_, {.access = HistoryAccess::read_only});
    EXPECT_EQ(reader.run_count(), 2U);
}

TEST_F(HistoryStoreTest, RunWithNothingOnThePathHasNoFailureRate)
{
    auto store = HistoryStore::open(file_);
    auto run = sample_run("canary", "2026-12-02T05:16:01.147Z", 0, 0);
    run.outcomes = {{"local_error", 5}, {"interrupted", 1}};
    run.probes = 6;
    run.health = Health::insufficient_evidence;
    run.exit_code = 4;
    store.append(run);
    const auto stored = store.recent(std::nullopt, 1).at(0);
    EXPECT_EQ(stored.path.judged, 0U);
    EXPECT_FALSE(stored.path.failure_rate().has_value());
    EXPECT_EQ(stored.run.health, Health::insufficient_evidence);
}

TEST_F(HistoryStoreTest, TrendRatesPerHourAndPerDay)
{
    auto store = HistoryStore::open(file_);
    store.append(sample_run("canary", "2026-12-01T23:59:59.999Z", 100, 0));
    store.append(sample_run("canary", "2026-12-02T05:10:00.000Z", 90, 10));
    store.append(sample_run("canary", "2026-12-02T05:50:00.000Z", 100, 0));
    store.append(sample_run("canary", "2026-12-02T07:20:00.000Z", 70, 30));
    store.append(sample_run("other", "2026-12-02T07:30:00.000Z", 10, 10));

    const auto hourly = store.trend({.scenario = "canary", .per = TrendPeriod::hour, .periods = 24});
    ASSERT_EQ(hourly.rates.size(), 3U);   // hour 06 had no run: left out
    EXPECT_EQ(hourly.rates[0].period, "2026-12-01T23:00Z");
    EXPECT_EQ(hourly.rates[1].period, "2026-12-02T05:00Z");
    EXPECT_EQ(hourly.rates[1].runs, 2U);
    EXPECT_EQ(hourly.rates[1].unhealthy_runs, 1U);
    EXPECT_EQ(hourly.rates[1].path.judged, 200U);
    EXPECT_EQ(hourly.rates[1].path.failures, 10U);
    EXPECT_DOUBLE_EQ(*hourly.rates[1].path.failure_rate(), 0.05);
    EXPECT_EQ(hourly.rates[2].period, "2026-12-02T07:00Z");
    EXPECT_DOUBLE_EQ(*hourly.rates[2].path.failure_rate(), 0.3);

    // Three hours up to the newest run's: 05:00, 06:00 and 07:00.
    const auto last_three = store.trend({.scenario = "canary", .per = TrendPeriod::hour, .periods = 3});
    ASSERT_EQ(last_three.rates.size(), 2U);
    EXPECT_EQ(last_three.rates[0].period, "2026-12-02T05:00Z");

    const auto daily = store.trend({.scenario = "canary", .per = TrendPeriod::day, .periods = 30});
    ASSERT_EQ(daily.rates.size(), 2U);
    EXPECT_EQ(daily.rates[0].period, "2026-12-01");
    EXPECT_EQ(daily.rates[0].runs, 1U);
    EXPECT_DOUBLE_EQ(*daily.rates[0].path.failure_rate(), 0.0);
    EXPECT_EQ(daily.rates[1].period, "2026-12-02");
    EXPECT_EQ(daily.rates[1].runs, 3U);
    EXPECT_DOUBLE_EQ(*daily.rates[1].path.failure_rate(), 40.0 / 300.0);
    const auto today = store.trend({.scenario = "canary", .per = TrendPeriod::day, .periods = 1});
    ASSERT_EQ(today.rates.size(), 1U);
    EXPECT_EQ(today.rates[0].period, "2026-12-02");

    // Without a scenario every series has its own rows, never mixed.
    const auto all = store.trend({.scenario = std::nullopt, .per = TrendPeriod::day, .periods = 30});
    ASSERT_EQ(all.rates.size(), 3U);
    EXPECT_EQ(all.rates[2].series.scenario, "other");
    EXPECT_DOUBLE_EQ(*all.rates[2].path.failure_rate(), 0.5);
}

TEST_F(HistoryStoreTest, TrendFindsWhenEachBucketWasFirstFaultyAndWhetherItStillIs)
{
    auto store = HistoryStore::open(file_);
    store.append(sample_run("canary", "2026-12-02T01:00:00.000Z", 100, 0));
    store.append(sample_run("canary", "2026-12-02T02:00:00.000Z", 90, 10, {failing_bucket(5, 12, 10)}));
    // Bucket 3 failed once, within the background: kept, never faulty.
    store.append(sample_run("canary", "2026-12-02T03:00:00.000Z", 88, 12,
                            {failing_bucket(3, 13, 1, false), failing_bucket(5, 11, 11)}));
    store.append(sample_run("canary", "2026-12-02T04:00:00.000Z", 90, 10, {failing_bucket(7, 12, 10)}));
    store.append(sample_run("canary", "2026-12-02T05:00:00.000Z", 80, 20,
                            {failing_bucket(5, 12, 10), failing_bucket(7, 12, 10)}));
    // Another scenario's bucket 2 does not touch canary's.
    store.append(sample_run("other", "2026-12-02T05:30:00.000Z", 90, 10, {failing_bucket(2, 10, 10)}));

    const auto trend = store.trend({.scenario = "canary", .per = TrendPeriod::hour, .periods = 24});
    ASSERT_EQ(trend.buckets.size(), 2U);
    const auto& five = trend.buckets[0];
    EXPECT_EQ(five.bucket, 5U);
    EXPECT_EQ(five.hash_model, std::string(testing::history_model));
    EXPECT_EQ(five.first_faulty_utc, "2026-12-02T02:00:00.000Z");
    EXPECT_EQ(five.last_faulty_utc, "2026-12-02T05:00:00.000Z");
    EXPECT_EQ(five.faulty_runs, 3U);
    EXPECT_TRUE(five.still_faulty);
    // 04:00 did not find it faulty: the unbroken streak starts at 05:00.
    EXPECT_EQ(five.faulty_since_utc, "2026-12-02T05:00:00.000Z");
    EXPECT_EQ(five.streak_runs, 1U);
    const auto& seven = trend.buckets[1];
    EXPECT_EQ(seven.bucket, 7U);
    EXPECT_EQ(seven.first_faulty_utc, "2026-12-02T04:00:00.000Z");
    EXPECT_EQ(seven.faulty_since_utc, "2026-12-02T04:00:00.000Z");
    EXPECT_EQ(seven.streak_runs, 2U);

    // A run without the hash model tested no bucket: it neither breaks nor extends a streak.
    store.append(sample_run("canary", "2026-12-02T05:30:00.000Z", 100, 0));
    const auto unmodelled = store.trend({.scenario = "canary", .per = TrendPeriod::hour, .periods = 24});
    EXPECT_TRUE(unmodelled.buckets[1].still_faulty);
    EXPECT_EQ(unmodelled.buckets[1].streak_runs, 2U);

    // A clean run under the model afterwards: both are history, no longer faulty.
    auto clean = sample_run("canary", "2026-12-02T06:00:00.000Z", 100, 0);
    clean.hash_model = std::string(testing::history_model);
    store.append(clean);
    const auto after = store.trend({.scenario = "canary", .per = TrendPeriod::hour, .periods = 24});
    ASSERT_EQ(after.buckets.size(), 2U);
    EXPECT_FALSE(after.buckets[0].still_faulty);
    EXPECT_FALSE(after.buckets[0].faulty_since_utc.has_value());
    EXPECT_EQ(after.buckets[0].first_faulty_utc, "2026-12-02T02:00:00.000Z");
    EXPECT_FALSE(after.buckets[1].still_faulty);

    const auto everything = store.trend({.scenario = std::nullopt, .per = TrendPeriod::hour, .periods = 24});
    ASSERT_EQ(everything.buckets.size(), 3U);
    EXPECT_EQ(everything.buckets[2].series.scenario, "other");
    EXPECT_TRUE(everything.buckets[2].still_faulty);
}

TEST_F(HistoryStoreTest, AppendRefusesARunFilledWronglyAndWritesNothing)
{
    auto store = HistoryStore::open(file_);
    auto bad_time = sample_run("canary", "2026-12-02 05:16:01", 10, 0);
    EXPECT_THROW(store.append(bad_time), std::invalid_argument);
    auto bad_date = sample_run("canary", "2026-02-30T05:16:01.000Z", 10, 0);
    EXPECT_THROW(store.append(bad_date), std::invalid_argument);
    auto bad_sum = sample_run("canary", "2026-12-02T05:16:01.147Z", 10, 0);
    bad_sum.probes = 11;
    EXPECT_THROW(store.append(bad_sum), std::invalid_argument);
    auto bad_outcome = sample_run("canary", "2026-12-02T05:16:01.147Z", 10, 0);
    bad_outcome.outcomes = {{"okay", 10}};
    EXPECT_THROW(store.append(bad_outcome), std::invalid_argument);
    auto no_model = sample_run("canary", "2026-12-02T05:16:01.147Z", 10, 2, {failing_bucket(1, 2, 2)});
    no_model.hash_model.reset();
    EXPECT_THROW(store.append(no_model), std::invalid_argument);
    auto twice = sample_run("canary", "2026-12-02T05:16:01.147Z", 10, 2, {failing_bucket(1, 2, 1), failing_bucket(1, 2, 1)});
    EXPECT_THROW(store.append(twice), std::invalid_argument);
    EXPECT_EQ(store.run_count(), 0U);
}

TEST(HistoryRunFromARun, CountsAndBucketsComeFromWhatTheRunHas)
{
    prober::RunStats stats;
    for (const auto outcome : {prober::Outcome::ok, prober::Outcome::ok, prober::Outcome::handshake_timeout,
                               prober::Outcome::local_error}) {
        prober::ProbeRecord record;
        record.outcome = outcome;
        stats.add(record);
    }
    const auto outcomes = history_outcomes(stats);
    EXPECT_EQ(outcomes, (std::map<std::string, std::uint64_t>{{"handshake_timeout", 1}, {"local_error", 1}, {"ok", 2}}));
    const auto path = path_counts(outcomes);
    EXPECT_EQ(path.judged, 3U);
    EXPECT_EQ(path.failures, 1U);

    std::array<std::uint64_t, verdict_count> verdicts{};
    verdicts[static_cast<std::size_t>(Verdict::ok)] = 2;
    verdicts[static_cast<std::size_t>(Verdict::client_hello_lost)] = 1;
    EXPECT_EQ(history_verdicts(verdicts),
              (std::map<std::string, std::uint64_t>{{"client_hello_lost", 1}, {"ok", 2}}));

    BucketAnalysis analysis;
    analysis.model = std::string(testing::history_model);
    const auto result = [](std::uint32_t bucket, std::uint64_t probes, std::uint64_t failures, BucketVerdict verdict) {
        BucketResult out;
        out.bucket = bucket;
        out.probes = probes;
        out.failures = failures;
        out.verdict = verdict;
        return out;
    };
    analysis.buckets = {result(7, 9, 1, BucketVerdict::clean), result(2, 9, 0, BucketVerdict::clean),
                        result(5, 9, 9, BucketVerdict::faulty), result(6, 0, 0, BucketVerdict::unprobed)};
    const auto buckets = history_buckets(analysis);
    ASSERT_EQ(buckets.size(), 2U);
    EXPECT_EQ(buckets[0].bucket, 5U);
    EXPECT_TRUE(buckets[0].faulty);
    EXPECT_EQ(buckets[1].bucket, 7U);
    EXPECT_FALSE(buckets[1].faulty);
    analysis.model.clear();
    EXPECT_TRUE(history_buckets(analysis).empty());
}

TEST(UtcTimestamp, HasTheFixedShapeTheStoreOrdersBy)
{
    const auto time = std::chrono::sys_days{std::chrono::year{2026} / 12 / 2} + std::chrono::hours{5} +
                      std::chrono::minutes{16} + std::chrono::milliseconds{1147};
    EXPECT_EQ(utc_timestamp(time), "2026-12-02T05:16:01.147Z");
    EXPECT_TRUE(is_utc_timestamp(utc_timestamp(std::chrono::system_clock::now())));
    EXPECT_FALSE(is_utc_timestamp("2026-12-02T05:16:01Z"));
    EXPECT_FALSE(is_utc_timestamp("2026-12-02T24:00:00.000Z"));
}

TEST_F(HistoryStoreTest, NewerSchemaIsRefusedAndLeftUntouched)
{
    HistoryStore::open(file_).append(sample_run("canary", "2026-12-02T05:16:01.147Z", 10, 0));
    {
        auto db = sqlite::Connection::open(file_, sqlite::Access::read_write, std::chrono::milliseconds(0));
        db.exec("PRAGMA user_version = 2", "test");
    }
    const auto before = file_bytes(file_);
    for (const auto access : {HistoryAccess::read_write, HistoryAccess::read_only}) {
        try {
            (void)HistoryStore::open(file_, {.access = access});
            FAIL() << "a newer schema was opened";
        } catch (const core::InputError& error) {
            EXPECT_NE(std::string(error.what()).find(file_.string()), std::string::npos) << error.what();
            EXPECT_NE(std::string(error.what()).find("schema version 2 is newer"), std::string::npos) << error.what();
        }
    }
    EXPECT_EQ(file_bytes(file_), before);
}

// The prototype's layout (schema version 0): no application_id, Unix times,
// a healthy flag, the faulty buckets in `buckets`.
void make_version_0(const std::filesystem::path& file)
{
    auto db = sqlite::Connection::open(file, sqlite::Access::read_write, std::chrono::milliseconds(0));
    db.exec(R"sql(
        CREATE TABLE runs (id INTEGER PRIMARY KEY, scenario TEXT NOT NULL, target TEXT NOT NULL,
                           started INTEGER NOT NULL, duration_seconds REAL NOT NULL, probes INTEGER NOT NULL,
                           failures INTEGER NOT NULL, healthy INTEGER NOT NULL, exit_code INTEGER NOT NULL,
                           run_dir TEXT NOT NULL, hash_model TEXT);
        CREATE TABLE buckets (run_id INTEGER NOT NULL, bucket INTEGER NOT NULL, probes INTEGER NOT NULL,
                              failures INTEGER NOT NULL);
        INSERT INTO runs VALUES (1, 'canary', '198.18.100.10:443', 1796188561, 30.0, 100, 0, 1, 0, '/r/1', NULL);
        INSERT INTO runs VALUES (2, 'canary', '198.18.100.10:443', 1796188861, 30.0, 100, 12, 0, 1, '/r/2',
                                 'jhash:seed=0x5eed,mod=8');
        INSERT INTO runs VALUES (3, 'canary', '198.18.100.10:443', 1796189161, 30.0, 0, 0, 0, 4, '/r/3', NULL);
        INSERT INTO buckets VALUES (2, 5, 12, 12);
    )sql",
            "test");
}

TEST_F(HistoryStoreTest, VersionZeroIsMigratedWithItsRows)
{
    make_version_0(file_);
    auto store = HistoryStore::open(file_);
    {
        auto db = sqlite::Connection::open(file_, sqlite::Access::read_only, std::chrono::milliseconds(0));
        auto version = db.prepare("PRAGMA user_version");
        ASSERT_TRUE(version.step());
        EXPECT_EQ(version.integer(0), history_schema_version);
    }
    const auto runs = store.recent(std::nullopt, 10);
    ASSERT_EQ(runs.size(), 3U);
    EXPECT_EQ(runs[2].id, 1);
    EXPECT_EQ(runs[2].run.started_utc, "2026-12-02T05:16:01.000Z");
    EXPECT_EQ(runs[2].run.health, Health::healthy);
    EXPECT_EQ(runs[1].run.health, Health::unhealthy);
    EXPECT_EQ(runs[1].path.failures, 12U);
    EXPECT_EQ(runs[1].faulty_buckets(), std::vector<std::uint32_t>{5});
    EXPECT_EQ(runs[1].run.hash_model, "jhash:seed=0x5eed,mod=8");
    // Version 0 had no evidence flag: exit code 4 reads back as insufficient evidence, never healthy.
    EXPECT_EQ(runs[0].run.health, Health::insufficient_evidence);
    EXPECT_TRUE(runs[0].run.outcomes.empty());
    // And it takes new runs.
    store.append(sample_run("canary", "2026-12-02T06:00:00.000Z", 10, 0));
    EXPECT_EQ(store.run_count(), 4U);
}

TEST_F(HistoryStoreTest, ReadOnlyOpenDoesNotMigrate)
{
    make_version_0(file_);
    const auto before = file_bytes(file_);
    EXPECT_THROW((void)HistoryStore::open(file_, {.access = HistoryAccess::read_only}), core::InputError);
    EXPECT_EQ(file_bytes(file_), before);
}

TEST_F(HistoryStoreTest, NotADatabaseIsInputErrorNamingTheFile)
{
    const std::string text = "scenario,target\ncanary,198.18.100.10:443\n";
    write_bytes(file_, text);
    for (const auto access : {HistoryAccess::read_write, HistoryAccess::read_only}) {
        try {
            (void)HistoryStore::open(file_, {.access = access});
            FAIL() << "a text file was opened as a history";
        } catch (const core::InputError& error) {
            EXPECT_EQ(std::string(error.what()), file_.string() + ": not a SQLite database");
        }
    }
    EXPECT_EQ(file_bytes(file_), text);
    EXPECT_FALSE(std::filesystem::exists(file_.string() + "-wal"));
}

TEST_F(HistoryStoreTest, DamagedDatabaseIsInputErrorAndLeftAsItWas)
{
    {
        auto store = HistoryStore::open(file_);
        for (int i = 0; i < 200; ++i) {
            store.append(sample_run("canary", fmt::format("2026-12-02T05:{:02}:{:02}.000Z", i / 60, i % 60), 90, 10,
                                    {failing_bucket(5, 12, 10)}));
        }
    }
    {
        // Every page into the database file, so the damage below is not masked by newer copies in the WAL.
        auto db = sqlite::Connection::open(file_, sqlite::Access::read_write, std::chrono::milliseconds(0));
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)", "test");
    }
    auto bytes = file_bytes(file_);
    ASSERT_GT(bytes.size(), 8U * 4096U);
    // Scribble over the middle of the file's b-tree pages (page 1, the schema, stays readable).
    for (std::size_t i = 4096 * 3 + 8; i < 4096 * 6; i += 7) {
        bytes[i] = static_cast<char>(0x5a);
    }
    write_bytes(file_, bytes);
    try {
        (void)HistoryStore::open(file_, {.access = HistoryAccess::read_only});
        FAIL() << "a damaged database was opened";
    } catch (const core::InputError& error) {
        EXPECT_NE(std::string(error.what()).find(file_.string() + ": the database is"), std::string::npos)
            << error.what();
    }
    EXPECT_THROW((void)HistoryStore::open(file_), core::InputError);
    EXPECT_EQ(file_bytes(file_), bytes);
}

TEST_F(HistoryStoreTest, AnotherApplicationsDatabaseIsNotTouched)
{
    {
        auto db = sqlite::Connection::open(file_, sqlite::Access::read_write, std::chrono::milliseconds(0));
        db.exec("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)", "test");
    }
    const auto before = file_bytes(file_);
    try {
        (void)HistoryStore::open(file_);
        FAIL() << "another application's database was opened";
    } catch (const core::InputError& error) {
        EXPECT_NE(std::string(error.what()).find("not a tlsprobe run history"), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find("moz_places"), std::string::npos) << error.what();
    }
    EXPECT_EQ(file_bytes(file_), before);
}

TEST_F(HistoryStoreTest, ReadOnlyFileIsEnvironmentErrorNamingIt)
{
    HistoryStore::open(file_).append(sample_run("canary", "2026-12-02T05:16:01.147Z", 10, 0));
    ASSERT_EQ(::chmod(file_.c_str(), 0444), 0);
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
    const auto file = file_;
    as_unprivileged_user(dir_.path(), [file] {
        try {
            (void)HistoryStore::open(file);
        } catch (const core::EnvironmentError& error) {
            return std::string(error.what()).starts_with(file.string() + ": cannot be written") ? 0 : 1;
        } catch (...) {
            return 2;
        }
        return 4;
    });
}

TEST_F(HistoryStoreTest, ReadOnlyDirectoryIsEnvironmentErrorNamingIt)
{
    HistoryStore::open(file_).append(sample_run("canary", "2026-12-02T05:16:01.147Z", 10, 0));
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0555), 0);
    const auto file = file_;
    const auto dir = dir_.path();
    as_unprivileged_user(dir_.path(), [file, dir] {
        try {
            (void)HistoryStore::open(file);
        } catch (const core::EnvironmentError& error) {
            return std::string(error.what()).find("its directory " + dir.string() + " is not writable") !=
                           std::string::npos
                       ? 0
                       : 1;
        } catch (...) {
            return 2;
        }
        return 4;
    });
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
}

// What `tlsprobe history` does as a user who may not write the canary's
// files: the -wal and -shm files the writer keeps make a read-only open work.
TEST_F(HistoryStoreTest, ReaderWithoutWriteAccessReadsTheHistory)
{
    HistoryStore::open(file_).append(sample_run("canary", "2026-12-02T05:16:01.147Z", 10, 0));
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0555), 0);
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
        ASSERT_EQ(::chmod(entry.path().c_str(), 0444), 0);
    }
    const auto file = file_;
    as_unprivileged_user(dir_.path(), [file] {
        try {
            const auto store = HistoryStore::open(file, {.access = HistoryAccess::read_only});
            return store.recent(std::nullopt, 5).size() == 1 ? 0 : 1;
        } catch (...) {
            return 2;
        }
    });
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
}

TEST_F(HistoryStoreTest, LockHeldPastTheBusyTimeoutIsEnvironmentError)
{
    auto store = HistoryStore::open(file_, {.access = HistoryAccess::read_write,
                                            .busy_timeout = std::chrono::milliseconds(20)});
    store.append(sample_run("canary", "2026-12-02T05:00:00.000Z", 10, 0));
    auto holder = sqlite::Connection::open(file_, sqlite::Access::read_write, std::chrono::milliseconds(0));
    holder.exec("BEGIN IMMEDIATE", "test");
    holder.exec("INSERT INTO runs (scenario, target, vantage, started_utc, duration_seconds, probes, path_probes, "
                "path_failures, verdicts_captured, health, exit_code, run_dir) VALUES ('held', 't', 'v', "
                "'2026-12-02T05:30:00.000Z', 1, 0, 0, 0, 0, 'insufficient_evidence', 4, '/r')",
                "test");
    try {
        store.append(sample_run("canary", "2026-12-02T06:00:00.000Z", 10, 0));
        FAIL() << "appended while another connection held the write lock";
    } catch (const core::EnvironmentError& error) {
        EXPECT_NE(std::string(error.what()).find(file_.string() + ": locked by another process for longer than the "
                                                                   "busy timeout (20 ms)"),
                  std::string::npos)
            << error.what();
    }
    // WAL: a reader is not blocked by the writer and sees only committed runs.
    const auto reader = HistoryStore::open(file_, {.access = HistoryAccess::read_only,
                                                   .busy_timeout = std::chrono::milliseconds(20)});
    EXPECT_EQ(reader.run_count(), 1U);
    holder.exec("ROLLBACK", "test");
    store.append(sample_run("canary", "2026-12-02T06:00:00.000Z", 10, 0));
    EXPECT_EQ(reader.run_count(), 2U);
    EXPECT_TRUE(store.recent("held", 1).empty());
}

TEST_F(HistoryStoreTest, NewFileCannotBeCreatedWhileAnotherProcessLocksIt)
{
    // A file another process is creating: the schema needs the write lock.
    auto holder = sqlite::Connection::open(file_, sqlite::Access::read_write, std::chrono::milliseconds(0));
    holder.exec("BEGIN IMMEDIATE", "test");
    EXPECT_THROW((void)HistoryStore::open(file_, {.access = HistoryAccess::read_write,
                                                  .busy_timeout = std::chrono::milliseconds(20)}),
                 core::EnvironmentError);
    holder.exec("ROLLBACK", "test");
    EXPECT_EQ(HistoryStore::open(file_).run_count(), 0U);
}

TEST_F(HistoryStoreTest, ReadOnlyOpenOfAMissingFileIsInputErrorAndCreatesNothing)
{
    EXPECT_THROW((void)HistoryStore::open(file_, {.access = HistoryAccess::read_only}), core::InputError);
    EXPECT_FALSE(std::filesystem::exists(file_));
}

TEST_F(HistoryStoreTest, ReadOnlyOpenOfAnEmptyFileShowsNoRuns)
{
    write_bytes(file_, "");
    const auto store = HistoryStore::open(file_, {.access = HistoryAccess::read_only});
    EXPECT_EQ(store.run_count(), 0U);
    EXPECT_TRUE(store.recent(std::nullopt, 5).empty());
    EXPECT_TRUE(store.trend({}).rates.empty());
    EXPECT_EQ(file_bytes(file_), "");
}

}  // namespace
}  // namespace tlsprobe::results
