#include "reports/history_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "reports/text_table.hpp"
#include "results/bucket_analysis.hpp"

namespace tlsprobe::reports {
namespace {

// A rate of nothing is no rate: "-", never "0.00%".
std::string rate_text(const results::PathCounts& path)
{
    const auto rate = path.failure_rate();
    return rate ? fmt::format("{:.2f}%", 100.0 * *rate) : std::string("-");
}

// "2026-12-02T05:16:01.147Z" -> "2026-12-02 05:16:01": seconds are enough to tell runs apart on a screen.
std::string started_text(const std::string& started_utc)
{
    if (started_utc.size() < 19) {
        return started_utc;
    }
    return started_utc.substr(0, 10) + " " + started_utc.substr(11, 8);
}

std::string series_text(const results::HistorySeries& series)
{
    return fmt::format("{} -> {} from {}", series.scenario, series.target,
                       series.vantage.empty() ? std::string("(no vantage)") : series.vantage);
}

std::size_t widest(std::size_t least, std::span<const results::StoredRun> runs,
                   const std::string results::HistoryRun::*field)
{
    for (const auto& stored : runs) {
        least = std::max(least, (stored.run.*field).size());
    }
    return least;
}

std::string rates_table(std::span<const results::PeriodRate> rates, results::TrendPeriod per)
{
    TextTable table({{.header = per == results::TrendPeriod::hour ? "hour (UTC)" : "day (UTC)", .width = 17,
                      .align = Align::left},
                     {.header = "runs", .width = 6},
                     {.header = "unhealthy", .width = 9},
                     {.header = "probes", .width = 9},
                     {.header = "failed", .width = 8},
                     {.header = "rate", .width = 8}});
    for (const auto& rate : rates) {
        table.add_row({rate.period, std::to_string(rate.runs), std::to_string(rate.unhealthy_runs),
                       std::to_string(rate.path.judged), std::to_string(rate.path.failures), rate_text(rate.path)});
    }
    return table.render();
}

std::string onsets_table(std::span<const results::BucketOnset> onsets)
{
    TextTable table({{.header = "bucket", .width = 6},
                     {.header = "first faulty (UTC)", .width = 19, .align = Align::left, .gap = 2},
                     {.header = "last faulty (UTC)", .width = 19, .align = Align::left, .gap = 2},
                     {.header = "faulty runs", .width = 11},
                     {.header = "newest run", .width = 0, .align = Align::left, .gap = 2}});
    for (const auto& onset : onsets) {
        const std::string now =
            onset.still_faulty
                ? fmt::format("faulty, in every run since {} ({} runs)", started_text(*onset.faulty_since_utc),
                              onset.streak_runs)
                : std::string("not found faulty");
        table.add_row({std::to_string(onset.bucket), started_text(onset.first_faulty_utc),
                       started_text(onset.last_faulty_utc), std::to_string(onset.faulty_runs), now});
    }
    return table.render();
}

}  // namespace

std::string history_runs_table(std::span<const results::StoredRun> runs)
{
    TextTable table({{.header = "started (UTC)", .width = 19, .align = Align::left},
                     {.header = "scenario", .width = widest(8, runs, &results::HistoryRun::scenario),
                      .align = Align::left, .gap = 2},
                     {.header = "target", .width = widest(6, runs, &results::HistoryRun::target), .align = Align::left,
                      .gap = 2},
                     {.header = "vantage", .width = widest(7, runs, &results::HistoryRun::vantage),
                      .align = Align::left, .gap = 2},
                     {.header = "probes", .width = 7},
                     {.header = "failed", .width = 7},
                     {.header = "rate", .width = 8},
                     {.header = "health", .width = 21, .align = Align::left, .gap = 2},
                     {.header = "faulty buckets", .width = 0, .align = Align::left, .gap = 2}});
    for (const auto& stored : runs) {
        const auto faulty = stored.faulty_buckets();
        table.add_row({started_text(stored.run.started_utc), stored.run.scenario, stored.run.target,
                       stored.run.vantage, std::to_string(stored.run.probes), std::to_string(stored.path.failures),
                       rate_text(stored.path), std::string(results::to_string(stored.run.health)),
                       faulty.empty() ? std::string("-") : results::compress_ranges(faulty)});
    }
    return table.render();
}

std::string history_trend_text(const results::HistoryTrend& trend)
{
    std::string out;
    const auto unit = trend.per == results::TrendPeriod::hour ? "hour" : "day";
    for (auto begin = trend.rates.begin(); begin != trend.rates.end();) {
        const auto end = std::find_if(begin, trend.rates.end(),
                                      [&](const results::PeriodRate& rate) { return rate.series != begin->series; });
        out += fmt::format("\nFailure rate per {} of {} ({} {}s up to the newest run, UTC; {}s without runs left "
                           "out):\n",
                           unit, series_text(begin->series), trend.periods, unit, unit);
        out += rates_table({begin, end}, trend.per);
        begin = end;
    }
    for (auto begin = trend.buckets.begin(); begin != trend.buckets.end();) {
        const auto end = std::find_if(begin, trend.buckets.end(), [&](const results::BucketOnset& onset) {
            return onset.series != begin->series || onset.hash_model != begin->hash_model;
        });
        out += fmt::format("\nBuckets found faulty, {} under {}:\n", series_text(begin->series),
                           begin->hash_model.value_or("no hash model"));
        out += onsets_table({begin, end});
        begin = end;
    }
    if (trend.buckets.empty()) {
        out += "\nNo run found a faulty bucket (only runs with a hash model test buckets).\n";
    }
    return out;
}

}  // namespace tlsprobe::reports
