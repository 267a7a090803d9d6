#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.hpp"
#include "cli/enum_option.hpp"
#include "cli/number_checks.hpp"
#include "core/errors.hpp"
#include "reports/history_text.hpp"
#include "results/history_json.hpp"
#include "results/history_store.hpp"
#include "runs/state_directory.hpp"

namespace tlsprobe::cli {
namespace {

struct HistoryOptions {
    std::string file = runs::default_history_file().string();
    std::optional<std::string> scenario;
    std::size_t last = 20;
    results::TrendPeriod per = results::TrendPeriod::hour;
    std::optional<std::size_t> periods;   // default: 24 hours or 30 days
    bool json = false;
    bool file_given = false;
};

constexpr auto nothing_to_show = static_cast<int>(core::ExitCode::insufficient_evidence);

void print(const HistoryOptions& options, std::span<const results::StoredRun> runs,
           const results::HistoryTrend& trend)
{
    if (options.json) {
        fmt::print("{}\n", boost::json::serialize(results::history_json(options.file, runs, trend)));
    } else if (!runs.empty()) {
        fmt::print("{}{}", reports::history_runs_table(runs), reports::history_trend_text(trend));
    }
}

int history(const HistoryOptions& options)
{
    const std::filesystem::path file(options.file);
    const results::TrendQuery query{.scenario = options.scenario,
                                    .per = options.per,
                                    .periods = options.periods.value_or(
                                        options.per == results::TrendPeriod::hour ? 24 : 30)};
    std::error_code error;
    if (!std::filesystem::exists(file, error)) {
        if (options.file_given) {
            throw core::InputError("history", ": " + options.file + " does not exist");
        }
        // The default place before any canary ran there: nothing recorded, not a mistake.
        spdlog::warn("no run history at {} yet (the canary creates it; --history FILE reads another)", options.file);
        print(options, {}, {.per = query.per, .periods = query.periods, .rates = {}, .buckets = {}});
        return nothing_to_show;
    }
    const auto store = results::HistoryStore::open(file, {.access = results::HistoryAccess::read_only});
    const auto runs = store.recent(options.scenario, options.last);
    const auto trend = store.trend(query);
    print(options, runs, trend);
    if (runs.empty()) {
        if (!options.scenario) {
            spdlog::warn("{} holds no runs yet", options.file);
        } else {
            const auto names = store.scenarios();
            std::string known;
            for (const auto& name : names) {
                known += (known.empty() ? "" : ", ") + name;
            }
            spdlog::warn("{} holds no runs of scenario \"{}\"{}", options.file, *options.scenario,
                         names.empty() ? std::string(" (it holds no runs at all)") : "; it holds: " + known);
        }
        return nothing_to_show;
    }
    return static_cast<int>(core::ExitCode::healthy);
}

}  // namespace

Command add_history_command(CLI::App& parent)
{
    auto options = std::make_shared<HistoryOptions>();
    auto* app = parent.add_subcommand(
        "history", "Recent runs from the run history (SQLite) and the trend: failure rate per hour or day, when "
                   "each bucket was first found faulty");
    auto* file = app->add_option("--history", options->file, "The run history database (the canary's)")
                     ->type_name("FILE")
                     ->capture_default_str();
    app->add_option("--scenario", options->scenario, "Only runs of this scenario (its name)")->type_name("NAME");
    app->add_option("--last", options->last, "How many recent runs to list, newest first")
        ->check(whole_number_from_to(1, 1'000'000))
        ->capture_default_str();
    add_enum_option(*app, "--per", options->per, results::trend_period_names, "Trend period (UTC)");
    app->add_option("--periods", options->periods, "How many periods the trend covers, up to the newest run "
                                                   "(default: 24 hours or 30 days)")
        ->check(whole_number_from_to(1, 100'000));
    app->add_flag("--json", options->json, "Print one JSON object (runs and trend) on stdout instead of tables");
    return {app, [options, file] {
                options->file_given = file->count() != 0;
                return history(*options);
            }};
}

}  // namespace tlsprobe::cli
