// libFuzzer target for the run history reader: the input is the database
// file, written to a scratch directory and opened read-only by
// results::HistoryStore::open, then read as `tlsprobe history` reads it
// (the recent runs, of all scenarios and of one; one run by id; the trend
// per hour and per day; the scenario names; the count) and shown as its
// table, trend text and JSON.
//
// Garbage, a damaged database, another application's database or a schema
// this build does not read is core::InputError; anything else (SQLite's
// own errors leaking as std::runtime_error included) escapes and is
// reported as a crash.
#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>

#include "core/errors.hpp"
#include "fuzz_support.hpp"
#include "reports/history_text.hpp"
#include "results/history_json.hpp"
#include "results/history_store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace tlsprobe;
    static fuzz::ScratchDirectory dir;
    dir.clear();
    const auto file = dir.write("history.sqlite", fuzz::text_of(data, size));

    try {
        const auto store = results::HistoryStore::open(file, {.access = results::HistoryAccess::read_only});
        const auto runs = store.recent(std::nullopt, 20);
        (void)store.recent(std::string("canary"), 5);
        (void)store.run(1);
        (void)store.scenarios();
        (void)store.run_count();
        for (const auto per : {results::TrendPeriod::hour, results::TrendPeriod::day}) {
            const auto trend = store.trend({.scenario = std::nullopt, .per = per, .periods = 24});
            (void)boost::json::serialize(results::history_json(file, runs, trend));
            (void)reports::history_runs_table(runs);
            (void)reports::history_trend_text(trend);
        }
    } catch (const core::InputError&) {
    }
    return 0;
}
