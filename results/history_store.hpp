#pragma once
// The run history: a SQLite database every canary run (and `run --history`)
// appends one run to, and `tlsprobe history` reads. Schema, guarantees and
// errors: docs/HISTORY.md.
//
// Opening checks before anything is written: the file is a SQLite database
// (else core::InputError), passes PRAGMA quick_check (else InputError), is a
// tlsprobe history or an empty file (else InputError), and its schema
// version is not newer than this build's (else InputError). Read-write then
// switches to WAL and migrates an older schema forward, one transaction per
// open. A lock held past the busy timeout, a read-only file or directory,
// a full disk: core::EnvironmentError. Every message names the file.
#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "results/history_run.hpp"
#include "results/sqlite_database.hpp"
#include "scenarios/enum_names.hpp"

namespace tlsprobe::results {

// PRAGMA user_version of the schema this build writes (docs/HISTORY.md).
inline constexpr int history_schema_version = 1;
// PRAGMA application_id of a tlsprobe history: "tlsp".
inline constexpr std::int32_t history_application_id = 0x746c7370;
// How long a statement waits for another process's lock before it fails.
inline constexpr std::chrono::milliseconds history_busy_timeout{5000};

using HistoryAccess = sqlite::Access;

struct HistoryOpenOptions {
    HistoryAccess access = HistoryAccess::read_write;
    std::chrono::milliseconds busy_timeout = history_busy_timeout;
};

// A run as stored, with its id and what its failure rate is made of.
struct StoredRun {
    std::int64_t id = 0;
    HistoryRun run;      // runs migrated from schema version 0 have no outcome counts
    PathCounts path;     // probes that judged the path and path failures, kept when appended

    // The buckets its bucket test named faulty, ascending.
    [[nodiscard]] std::vector<std::uint32_t> faulty_buckets() const;
};

enum class TrendPeriod { hour, day };
inline constexpr scenarios::EnumNames<TrendPeriod, 2> trend_period_names{
    {{"hour", TrendPeriod::hour}, {"day", TrendPeriod::day}}};
[[nodiscard]] std::string_view to_string(TrendPeriod period);

// Runs that belong in one trend: one scenario probing one target from one vantage.
struct HistorySeries {
    std::string scenario;
    std::string target;
    std::string vantage;
    auto operator<=>(const HistorySeries&) const = default;
};

// The runs of one series that started in one hour or day (UTC).
struct PeriodRate {
    HistorySeries series;
    std::string period;              // "2026-12-02T05:00Z" per hour, "2026-12-02" per day
    std::uint64_t runs = 0;
    std::uint64_t unhealthy_runs = 0;
    PathCounts path;                 // summed over the runs; its failure_rate() is the period's
};

// When one bucket (under one hash model) of one series was found faulty.
struct BucketOnset {
    HistorySeries series;
    std::optional<std::string> hash_model;
    std::uint32_t bucket = 0;
    std::string first_faulty_utc;        // start of the first run that found it faulty
    std::string last_faulty_utc;         // start of the newest run that found it faulty
    std::uint64_t faulty_runs = 0;       // runs that found it faulty
    bool still_faulty = false;           // the series' newest run under this model found it faulty
    // When still faulty: the start of the oldest run from which on every run
    // (under this model) found it faulty. A run that did not probe the bucket
    // breaks the streak: the history keeps only buckets with failures.
    std::optional<std::string> faulty_since_utc;
    std::uint64_t streak_runs = 0;       // the runs of that streak
};

struct TrendQuery {
    std::optional<std::string> scenario;   // nothing: every scenario
    TrendPeriod per = TrendPeriod::hour;
    // The newest run's period and the periods - 1 before it (calendar
    // periods, UTC); periods without runs are left out.
    std::size_t periods = 24;
};

struct HistoryTrend {
    TrendPeriod per = TrendPeriod::hour;
    std::size_t periods = 0;
    std::vector<PeriodRate> rates;      // by series, then oldest period first
    std::vector<BucketOnset> buckets;   // over the whole history: by series, model, first faulty, bucket
};

// One open database. Use it from one thread at a time (the connection is
// opened without SQLite's mutex); other processes may read and append at
// the same time.
class HistoryStore {
public:
    // Opens FILE (read-write creates it and its directory). Read-only never
    // writes, so it cannot migrate: an older schema is core::InputError
    // there, and a missing file is too.
    [[nodiscard]] static HistoryStore open(const std::filesystem::path& file, const HistoryOpenOptions& options = {});

    // The run's row, its outcome and verdict counts and its bucket rows, in
    // one transaction; returns the run's id. Throws std::invalid_argument
    // when check_history_run() refuses the run (nothing is written).
    std::int64_t append(const HistoryRun& run);

    // The newest `last` runs (of `scenario`, or of all), newest first.
    [[nodiscard]] std::vector<StoredRun> recent(const std::optional<std::string>& scenario, std::size_t last) const;
    [[nodiscard]] std::optional<StoredRun> run(std::int64_t id) const;
    [[nodiscard]] HistoryTrend trend(const TrendQuery& query) const;
    // The scenario names of every stored run, sorted.
    [[nodiscard]] std::vector<std::string> scenarios() const;
    [[nodiscard]] std::uint64_t run_count() const;

    [[nodiscard]] const std::filesystem::path& file() const { return db_.file(); }

private:
    HistoryStore(sqlite::Connection db, bool has_schema);
    [[nodiscard]] StoredRun read_run(sqlite::Statement& row) const;
    void find_streaks(std::vector<BucketOnset>& onsets) const;

    sqlite::Connection db_;
    // False for a read-only open of an empty file (nothing stored yet):
    // every query answers nothing.
    bool has_schema_;
};

}  // namespace tlsprobe::results
