#include "results/history_store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "core/errors.hpp"

namespace tlsprobe::results {
namespace {

using sqlite::Connection;
using sqlite::Statement;
using sqlite::Transaction;

// Version 1. Counts per outcome and verdict are rows of run_counts rather
// than columns, so a new outcome needs no migration. Times are
// utc_timestamp() text: text order is time order, and the first 13 or 10
// characters are the hour or the day.
constexpr std::string_view create_schema_v1 = R"sql(
CREATE TABLE runs (
    id                INTEGER PRIMARY KEY,
    scenario          TEXT    NOT NULL,
    target            TEXT    NOT NULL,
    vantage           TEXT    NOT NULL,
    started_utc       TEXT    NOT NULL CHECK (started_utc GLOB
        '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    duration_seconds  REAL    NOT NULL CHECK (duration_seconds >= 0),
    probes            INTEGER NOT NULL CHECK (probes >= 0),
    path_probes       INTEGER NOT NULL CHECK (path_probes BETWEEN 0 AND probes),
    path_failures     INTEGER NOT NULL CHECK (path_failures BETWEEN 0 AND path_probes),
    verdicts_captured INTEGER NOT NULL CHECK (verdicts_captured IN (0, 1)),
    health            TEXT    NOT NULL CHECK (health IN ('healthy', 'unhealthy', 'insufficient_evidence')),
    exit_code         INTEGER NOT NULL,
    run_dir           TEXT    NOT NULL,
    hash_model        TEXT
);
CREATE INDEX runs_by_scenario ON runs (scenario, started_utc);
CREATE INDEX runs_by_start ON runs (started_utc);
CREATE TABLE run_counts (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    kind   TEXT    NOT NULL CHECK (kind IN ('outcome', 'verdict')),
    name   TEXT    NOT NULL,
    count  INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (run_id, kind, name)
) WITHOUT ROWID;
CREATE TABLE run_buckets (
    run_id   INTEGER NOT NULL REFERENCES runs (id),
    bucket   INTEGER NOT NULL CHECK (bucket >= 0),
    probes   INTEGER NOT NULL CHECK (probes >= 0),
    failures INTEGER NOT NULL CHECK (failures BETWEEN 0 AND probes),
    faulty   INTEGER NOT NULL CHECK (faulty IN (0, 1)),
    PRIMARY KEY (run_id, bucket)
) WITHOUT ROWID;
CREATE INDEX run_buckets_faulty ON run_buckets (bucket, run_id) WHERE faulty = 1;
)sql";

// Version 0, the prototype's layout (never released; see docs/HISTORY.md):
// runs(id, scenario, target, started (Unix seconds), duration_seconds,
// probes, failures, healthy (0/1), exit_code, run_dir, hash_model) and
// buckets(run_id, bucket, probes, failures) holding the faulty buckets. It
// kept no vantage, no counts per outcome and no verdicts.
constexpr std::string_view migrate_v0_to_v1 = R"sql(
ALTER TABLE runs RENAME TO runs_v0;
ALTER TABLE buckets RENAME TO buckets_v0;
)sql";
constexpr std::string_view copy_v0_rows = R"sql(
INSERT INTO runs (id, scenario, target, vantage, started_utc, duration_seconds, probes, path_probes, path_failures,
                  verdicts_captured, health, exit_code, run_dir, hash_model)
    SELECT id, scenario, target, '', strftime('%Y-%m-%dT%H:%M:%fZ', started, 'unixepoch'), duration_seconds,
           probes, probes, failures, 0,
           CASE WHEN healthy = 1 THEN 'healthy' WHEN exit_code = 1 THEN 'unhealthy' ELSE 'insufficient_evidence' END,
           exit_code, run_dir, hash_model
    FROM runs_v0;
INSERT INTO run_buckets (run_id, bucket, probes, failures, faulty)
    SELECT run_id, bucket, probes, failures, 1 FROM buckets_v0;
DROP TABLE buckets_v0;
DROP TABLE runs_v0;
)sql";

constexpr std::string_view run_columns =
    "id, scenario, target, vantage, started_utc, duration_seconds, probes, path_probes, path_failures, "
    "verdicts_captured, health, exit_code, run_dir, hash_model";

std::int64_t to_sql(std::uint64_t count, std::string_view field)
{
    if (count > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        throw std::invalid_argument(fmt::format("{}: {} does not fit SQLite's 64-bit integers", field, count));
    }
    return static_cast<std::int64_t>(count);
}

std::uint64_t from_sql(std::int64_t value)
{
    return value < 0 ? 0 : static_cast<std::uint64_t>(value);
}

std::int64_t single_integer(const Connection& db, std::string_view sql)
{
    auto statement = db.prepare(sql);
    return statement.step() ? statement.integer(0) : 0;
}

std::set<std::string> table_names(const Connection& db)
{
    std::set<std::string> names;
    auto statement = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'");
    while (statement.step()) {
        names.insert(statement.text(0));
    }
    return names;
}

bool has_column(const Connection& db, std::string_view table, std::string_view column)
{
    auto statement = db.prepare(fmt::format("SELECT 1 FROM pragma_table_info('{}') WHERE name = ?1", table));
    statement.bind(1, column);
    return statement.step();
}

// Every table's columns, "table.column type" in schema order.
std::vector<std::string> table_columns(const Connection& db)
{
    std::vector<std::string> columns;
    auto statement = db.prepare(
        "SELECT m.name, p.name, p.type FROM sqlite_schema AS m JOIN pragma_table_info(m.name) AS p "
        "WHERE m.type = 'table' ORDER BY m.name, p.cid");
    while (statement.step()) {
        columns.push_back(fmt::format("{}.{} {}", statement.text(0), statement.text(1), statement.text(2)));
    }
    return columns;
}

// Throws core::InputError when a file that says it holds the current schema
// has other tables or columns (edited by hand, or damaged in a way
// quick_check does not see): its queries would fail half-way.
void check_current_schema(const Connection& db)
{
    auto expected_db = Connection::open(":memory:", sqlite::Access::read_write, std::chrono::milliseconds(0));
    expected_db.exec(create_schema_v1, "creating the expected schema");
    const auto expected = table_columns(expected_db);
    const auto found = table_columns(db);
    if (found == expected) {
        return;
    }
    const auto [first_expected, first_found] = std::mismatch(expected.begin(), expected.end(), found.begin(), found.end());
    throw core::InputError(fmt::format(
        "{}: says it holds schema version {} but its tables differ from it (expected {}, found {})",
        db.file().string(), history_schema_version,
        first_expected == expected.end() ? "no more columns" : *first_expected,
        first_found == found.end() ? "no more columns" : *first_found));
}

// What the file holds, found before anything is written.
enum class Layout { empty, prototype_v0, tlsprobe };

// Not a database -> InputError (from the first statement); fails
// quick_check -> InputError; some other application's database ->
// InputError; a newer schema -> InputError.
Layout check_file(const Connection& db)
{
    const std::string file = db.file().string();
    // The first reads find out whether this is a database at all
    // (SQLITE_NOTADB), or one SQLite cannot read: a damaged header, a schema
    // format it does not know, sizes that make it run out of memory.
    std::set<std::string> tables;
    std::vector<std::string> problems;
    try {
        tables = table_names(db);
        auto check = db.prepare("PRAGMA quick_check");
        while (check.step() && problems.size() < 3) {
            problems.push_back(check.text(0));
        }
    } catch (const core::Error&) {
        throw;
    } catch (const std::runtime_error& error) {
        throw core::InputError(error.what());
    }
    if (problems.empty() || problems.front() != "ok") {
        std::string listed;
        for (const auto& problem : problems) {
            listed += (listed.empty() ? "" : "; ") + problem;
        }
        throw core::InputError(fmt::format("{}: the database is damaged: PRAGMA quick_check says: {}", file, listed));
    }
    const auto application_id = single_integer(db, "PRAGMA application_id");
    const auto version = single_integer(db, "PRAGMA user_version");
    if (application_id == history_application_id) {
        if (version > history_schema_version) {
            throw core::InputError(fmt::format(
                "{}: schema version {} is newer than this build of tlsprobe knows (up to {}); use a newer tlsprobe",
                file, version, history_schema_version));
        }
        if (version == history_schema_version) {
            check_current_schema(db);
        }
        return Layout::tlsprobe;
    }
    if (application_id == 0 && version == 0 && tables.empty()) {
        return Layout::empty;
    }
    if (application_id == 0 && version == 0 && tables == std::set<std::string>{"buckets", "runs"} &&
        has_column(db, "runs", "healthy") && has_column(db, "runs", "started")) {
        return Layout::prototype_v0;
    }
    std::string listed;
    for (const auto& table : tables) {
        listed += (listed.empty() ? "" : ", ") + table;
    }
    throw core::InputError(fmt::format(
        "{}: a SQLite database, but not a tlsprobe run history (application_id {:#x}, user_version {}, tables: {})",
        file, application_id, version, listed.empty() ? "none" : listed));
}

// Read-write needs the file and its directory writable (SQLite creates the
// -wal and -shm files beside it); checked up front, so the message names
// the one that is not, rather than failing on the first write.
void check_writable(const std::filesystem::path& file)
{
    const auto directory = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error) {
        throw core::EnvironmentError(
            fmt::format("{}: cannot create its directory {}: {}", file.string(), directory.string(), error.message()));
    }
    if (std::filesystem::is_directory(file)) {
        throw core::InputError(file.string() + ": is a directory, not a database file");
    }
    if (::access(directory.c_str(), W_OK) != 0) {
        throw core::EnvironmentError(fmt::format(
            "{}: its directory {} is not writable ({}), and SQLite needs to create the -wal and -shm files beside "
            "the database",
            file.string(), directory.string(), std::strerror(errno)));
    }
    if (::access(file.c_str(), F_OK) == 0 && ::access(file.c_str(), W_OK) != 0) {
        throw core::EnvironmentError(fmt::format("{}: cannot be written ({})", file.string(), std::strerror(errno)));
    }
}

void create_or_migrate(Connection& db, Layout layout)
{
    Transaction transaction(db, "creating or migrating the schema");
    // Under the write lock: another process may have done it meanwhile.
    const auto version = single_integer(db, "PRAGMA user_version");
    if (version > history_schema_version) {
        throw core::InputError(fmt::format("{}: schema version {} is newer than this build of tlsprobe knows (up to {})",
                                           db.file().string(), version, history_schema_version));
    }
    if (version == history_schema_version) {
        return;
    }
    if (layout == Layout::prototype_v0 && !table_names(db).empty()) {
        try {
            db.exec(migrate_v0_to_v1, "migrating schema version 0 to 1");
            db.exec(create_schema_v1, "migrating schema version 0 to 1");
            db.exec(copy_v0_rows, "migrating schema version 0 to 1");
        } catch (const core::Error&) {
            throw;
        } catch (const std::runtime_error& error) {
            // A v0 row the new schema's checks refuse: the file, not this build.
            throw core::InputError(fmt::format("{}: cannot migrate schema version 0 to 1: {}", db.file().string(),
                                               error.what()));
        }
    } else {
        db.exec(create_schema_v1, "creating the schema");
    }
    // The version changes in the same transaction as the tables.
    db.exec(fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {}", history_application_id,
                        history_schema_version),
            "setting the schema version");
    transaction.commit();
}

std::string period_label(const std::string& started_utc, TrendPeriod per)
{
    return per == TrendPeriod::hour ? started_utc.substr(0, 13) + ":00Z" : started_utc.substr(0, 10);
}

}  // namespace

std::vector<std::uint32_t> StoredRun::faulty_buckets() const
{
    std::vector<std::uint32_t> faulty;
    for (const auto& bucket : run.buckets) {
        if (bucket.faulty) {
            faulty.push_back(bucket.bucket);
        }
    }
    std::sort(faulty.begin(), faulty.end());
    return faulty;
}

std::string_view to_string(TrendPeriod period)
{
    return scenarios::name_of(trend_period_names, period);
}

HistoryStore::HistoryStore(Connection db, bool has_schema) : db_(std::move(db)), has_schema_(has_schema) {}

HistoryStore HistoryStore::open(const std::filesystem::path& file, const HistoryOpenOptions& options)
{
    const bool read_only = options.access == HistoryAccess::read_only;
    if (read_only) {
        std::error_code error;
        if (!std::filesystem::exists(file, error)) {
            throw core::InputError(file.string() + ": does not exist");
        }
        if (std::filesystem::is_directory(file, error)) {
            throw core::InputError(file.string() + ": is a directory, not a database file");
        }
    } else {
        check_writable(file);
    }
    auto db = Connection::open(file, options.access, options.busy_timeout);
    if (!read_only && db.opened_read_only()) {
        throw core::EnvironmentError(file.string() + ": SQLite could open it only read-only");
    }
    const auto layout = check_file(db);
    if (read_only) {
        if (layout == Layout::prototype_v0 ||
            (layout == Layout::tlsprobe && single_integer(db, "PRAGMA user_version") < history_schema_version)) {
            throw core::InputError(fmt::format(
                "{}: schema version {} is older than this build's {}; the next run that writes to it (the canary, "
                "run --history) migrates it",
                file.string(), single_integer(db, "PRAGMA user_version"), history_schema_version));
        }
        return {std::move(db), layout == Layout::tlsprobe};
    }
    // Kept on close: a reader without write access to the directory can
    // open a WAL database only when the -wal and -shm files exist.
    int persist = 1;
    sqlite3_file_control(db.handle(), "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    {
        auto mode = db.prepare("PRAGMA journal_mode = WAL");
        if (!mode.step() || mode.text(0) != "wal") {
            throw core::EnvironmentError(file.string() +
                                         ": SQLite cannot use write-ahead logging there (a network file system?)");
        }
    }
    // A commit is on disk when append() returns, power loss included.
    db.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", "setting up the connection");
    // Only a new or older file takes the write lock here: opening a current
    // history waits for no writer.
    if (layout != Layout::tlsprobe || single_integer(db, "PRAGMA user_version") < history_schema_version) {
        create_or_migrate(db, layout);
    }
    return {std::move(db), true};
}

std::int64_t HistoryStore::append(const HistoryRun& run)
{
    check_history_run(run);
    const auto path = path_counts(run.outcomes);
    Transaction transaction(db_, "appending a run");
    auto insert_run = db_.prepare(fmt::format(
        "INSERT INTO runs ({}) VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)", run_columns));
    insert_run.bind(1, run.scenario)
        .bind(2, run.target)
        .bind(3, run.vantage)
        .bind(4, run.started_utc)
        .bind(5, run.duration_seconds)
        .bind(6, to_sql(run.probes, "probes"))
        .bind(7, to_sql(path.judged, "probes"))
        .bind(8, to_sql(path.failures, "probes"))
        .bind(9, std::int64_t{run.verdicts ? 1 : 0})
        .bind(10, to_string(run.health))
        .bind(11, std::int64_t{run.exit_code})
        .bind(12, run.run_dir)
        .bind(13, run.hash_model);
    insert_run.step();
    const auto id = db_.last_insert_id();

    auto insert_count = db_.prepare("INSERT INTO run_counts (run_id, kind, name, count) VALUES (?1, ?2, ?3, ?4)");
    const auto add_counts = [&](std::string_view kind, const std::map<std::string, std::uint64_t>& counts) {
        for (const auto& [name, count] : counts) {
            insert_count.bind(1, id).bind(2, kind).bind(3, name).bind(4, to_sql(count, kind));
            insert_count.step();
            insert_count.reset();
        }
    };
    add_counts("outcome", run.outcomes);
    if (run.verdicts) {
        add_counts("verdict", *run.verdicts);
    }
    auto insert_bucket =
        db_.prepare("INSERT INTO run_buckets (run_id, bucket, probes, failures, faulty) VALUES (?1, ?2, ?3, ?4, ?5)");
    for (const auto& bucket : run.buckets) {
        insert_bucket.bind(1, id)
            .bind(2, std::int64_t{bucket.bucket})
            .bind(3, to_sql(bucket.probes, "buckets"))
            .bind(4, to_sql(bucket.failures, "buckets"))
            .bind(5, std::int64_t{bucket.faulty ? 1 : 0});
        insert_bucket.step();
        insert_bucket.reset();
    }
    transaction.commit();
    return id;
}

StoredRun HistoryStore::read_run(Statement& row) const
{
    StoredRun stored;
    stored.id = row.integer(0);
    auto& run = stored.run;
    run.scenario = row.text(1);
    run.target = row.text(2);
    run.vantage = row.text(3);
    run.started_utc = row.text(4);
    run.duration_seconds = row.real(5);
    run.probes = from_sql(row.integer(6));
    stored.path = {.judged = from_sql(row.integer(7)), .failures = from_sql(row.integer(8))};
    if (row.integer(9) != 0) {
        run.verdicts.emplace();
    }
    const auto health = health_from_string(row.text(10));
    if (!health) {
        throw core::InputError(fmt::format("{}: run {} has health \"{}\"", file().string(), stored.id, row.text(10)));
    }
    run.health = *health;
    run.exit_code = static_cast<int>(row.integer(11));
    run.run_dir = row.text(12);
    if (!row.is_null(13)) {
        run.hash_model = row.text(13);
    }

    auto counts = db_.prepare("SELECT kind, name, count FROM run_counts WHERE run_id = ?1");
    counts.bind(1, stored.id);
    while (counts.step()) {
        const auto kind = counts.text(0);
        auto& into = kind == "outcome" ? run.outcomes : run.verdicts ? *run.verdicts : run.verdicts.emplace();
        into.emplace(counts.text(1), from_sql(counts.integer(2)));
    }
    auto buckets = db_.prepare("SELECT bucket, probes, failures, faulty FROM run_buckets WHERE run_id = ?1 ORDER BY bucket");
    buckets.bind(1, stored.id);
    while (buckets.step()) {
        run.buckets.push_back({.bucket = static_cast<std::uint32_t>(buckets.integer(0)),
                               .probes = from_sql(buckets.integer(1)),
                               .failures = from_sql(buckets.integer(2)),
                               .faulty = buckets.integer(3) != 0});
    }
    return stored;
}

std::vector<StoredRun> HistoryStore::recent(const std::optional<std::string>& scenario, std::size_t last) const
{
    std::vector<StoredRun> runs;
    if (!has_schema_ || last == 0) {
        return runs;
    }
    auto rows = db_.prepare(fmt::format("SELECT {} FROM runs {} ORDER BY started_utc DESC, id DESC LIMIT ?2",
                                        run_columns, scenario ? "WHERE scenario = ?1" : ""));
    if (scenario) {
        rows.bind(1, *scenario);
    }
    rows.bind(2, static_cast<std::int64_t>(std::min<std::size_t>(last, std::numeric_limits<std::int64_t>::max())));
    while (rows.step()) {
        runs.push_back(read_run(rows));
    }
    return runs;
}

std::optional<StoredRun> HistoryStore::run(std::int64_t id) const
{
    if (!has_schema_) {
        return std::nullopt;
    }
    auto rows = db_.prepare(fmt::format("SELECT {} FROM runs WHERE id = ?1", run_columns));
    rows.bind(1, id);
    if (!rows.step()) {
        return std::nullopt;
    }
    return read_run(rows);
}

std::vector<std::string> HistoryStore::scenarios() const
{
    std::vector<std::string> names;
    if (!has_schema_) {
        return names;
    }
    auto rows = db_.prepare("SELECT DISTINCT scenario FROM runs ORDER BY scenario");
    while (rows.step()) {
        names.push_back(rows.text(0));
    }
    return names;
}

std::uint64_t HistoryStore::run_count() const
{
    return has_schema_ ? from_sql(single_integer(db_, "SELECT count(*) FROM runs")) : 0;
}

HistoryTrend HistoryStore::trend(const TrendQuery& query) const
{
    HistoryTrend trend{.per = query.per, .periods = query.periods, .rates = {}, .buckets = {}};
    if (!has_schema_ || query.periods == 0) {
        return trend;
    }
    const std::string where = query.scenario ? "WHERE scenario = ?1" : "";
    const std::string and_scenario = query.scenario ? "AND scenario = ?1" : "";
    // The first period shown: the newest run's period, less periods - 1
    // (SQLite's date functions read utc_timestamp()'s text, 'Z' included).
    const bool hourly = query.per == TrendPeriod::hour;
    const auto back = std::min<std::size_t>(query.periods - 1, 1'000'000);
    auto rates = db_.prepare(fmt::format(
        "SELECT scenario, target, vantage, substr(started_utc, 1, {0}) AS period, count(*), "
        "       sum(health = 'unhealthy'), sum(path_probes), sum(path_failures) "
        "FROM runs WHERE started_utc >= (SELECT strftime('{1}', max(started_utc), ?2) FROM runs {2}) {3} "
        "GROUP BY scenario, target, vantage, period ORDER BY scenario, target, vantage, period",
        hourly ? 13 : 10, hourly ? "%Y-%m-%dT%H" : "%Y-%m-%d", where, and_scenario));
    if (query.scenario) {
        rates.bind(1, *query.scenario);
    }
    const auto modifier = fmt::format("-{} {}", back, hourly ? "hours" : "days");
    rates.bind(2, modifier);
    while (rates.step()) {
        trend.rates.push_back({.series = {rates.text(0), rates.text(1), rates.text(2)},
                               .period = period_label(rates.text(3), query.per),
                               .runs = from_sql(rates.integer(4)),
                               .unhealthy_runs = from_sql(rates.integer(5)),
                               .path = {.judged = from_sql(rates.integer(6)), .failures = from_sql(rates.integer(7))}});
    }

    auto onsets = db_.prepare(fmt::format(
        "SELECT r.scenario, r.target, r.vantage, r.hash_model, b.bucket, min(r.started_utc), max(r.started_utc), "
        "       count(*) "
        "FROM run_buckets b JOIN runs r ON r.id = b.run_id WHERE b.faulty = 1 {} "
        "GROUP BY r.scenario, r.target, r.vantage, r.hash_model, b.bucket "
        "ORDER BY r.scenario, r.target, r.vantage, r.hash_model, min(r.started_utc), b.bucket",
        query.scenario ? "AND r.scenario = ?1" : ""));
    if (query.scenario) {
        onsets.bind(1, *query.scenario);
    }
    while (onsets.step()) {
        BucketOnset onset{.series = {onsets.text(0), onsets.text(1), onsets.text(2)},
                          .hash_model = std::nullopt,
                          .bucket = static_cast<std::uint32_t>(onsets.integer(4)),
                          .first_faulty_utc = onsets.text(5),
                          .last_faulty_utc = onsets.text(6),
                          .faulty_runs = from_sql(onsets.integer(7)),
                          .still_faulty = false,
                          .faulty_since_utc = std::nullopt,
                          .streak_runs = 0};
        if (!onsets.is_null(3)) {
            onset.hash_model = onsets.text(3);
        }
        trend.buckets.push_back(std::move(onset));
    }
    find_streaks(trend.buckets);
    return trend;
}

// Walks each series' runs under one model newest first, as far back as some
// bucket faulty in the newest run stays faulty: usually a few runs.
void HistoryStore::find_streaks(std::vector<BucketOnset>& onsets) const
{
    auto runs = db_.prepare(
        "SELECT id, started_utc FROM runs WHERE scenario = ?1 AND target = ?2 AND vantage = ?3 AND hash_model IS ?4 "
        "ORDER BY started_utc DESC, id DESC");
    auto faulty = db_.prepare("SELECT bucket FROM run_buckets WHERE run_id = ?1 AND faulty = 1");
    for (auto group = onsets.begin(); group != onsets.end();) {
        const auto end = std::find_if(group, onsets.end(), [&](const BucketOnset& onset) {
            return onset.series != group->series || onset.hash_model != group->hash_model;
        });
        std::map<std::uint32_t, BucketOnset*> streaking;
        for (auto it = group; it != end; ++it) {
            streaking.emplace(it->bucket, &*it);
        }
        runs.reset();
        runs.bind(1, group->series.scenario)
            .bind(2, group->series.target)
            .bind(3, group->series.vantage)
            .bind(4, group->hash_model);
        while (!streaking.empty() && runs.step()) {
            std::set<std::uint32_t> faulty_here;
            faulty.reset();
            faulty.bind(1, runs.integer(0));
            while (faulty.step()) {
                faulty_here.insert(static_cast<std::uint32_t>(faulty.integer(0)));
            }
            const auto started = runs.text(1);
            for (auto it = streaking.begin(); it != streaking.end();) {
                if (!faulty_here.contains(it->first)) {
                    it = streaking.erase(it);
                    continue;
                }
                it->second->still_faulty = true;
                it->second->faulty_since_utc = started;
                ++it->second->streak_runs;
                ++it;
            }
        }
        group = end;
    }
}

}  // namespace tlsprobe::results
