#include "reports/run_summary.hpp"

#include <fmt/format.h>

#include "reports/text_table.hpp"

namespace tlsprobe::reports {
namespace {

std::string outcome_table(const prober::RunStats& stats)
{
    TextTable table({{.header = "outcome", .width = 20, .align = Align::left},
                     {.header = "probes", .width = 8},
                     {.header = "share", .width = 7}});
    for (int i = 0; i < prober::outcome_count; ++i) {
        const auto outcome = static_cast<prober::Outcome>(i);
        if (const auto n = stats.count(outcome); n != 0) {
            table.add_row({std::string(to_string(outcome)), std::to_string(n),
                           fmt::format("{:.2f}%", 100.0 * static_cast<double>(n) / static_cast<double>(stats.probes()))});
        }
    }
    return table.render();
}

std::string phase_table(const prober::RunStats& stats)
{
    std::vector<Column> columns{{.header = "phase (ms)", .width = 20, .align = Align::left},
                                {.header = "count", .width = 8}};
    for (const auto& [name, quantile] : prober::reported_quantiles) {
        columns.push_back({.header = name == "p50" ? "median" : std::string(name), .width = 10});
    }
    TextTable table(std::move(columns));
    for (int i = 0; i < prober::phase_count; ++i) {
        const auto phase = static_cast<prober::Phase>(i);
        const auto& histogram = stats.phase(phase);
        if (histogram.count() == 0) {
            continue;
        }
        std::vector<std::string> row{std::string(to_string(phase)), std::to_string(histogram.count())};
        for (const auto& [name, quantile] : prober::reported_quantiles) {
            row.push_back(fmt::format("{:.3f}", static_cast<double>(prober::quantile_value(histogram, quantile)) / 1e6));
        }
        table.add_row(std::move(row));
    }
    return table.render();
}

}  // namespace

std::string run_summary_table(const prober::RunStats& stats, const prober::RunFacts& facts)
{
    std::string out = fmt::format("{} probes to {} in {:.1f} s{}\n", stats.probes(), facts.target,
                                  facts.wall_seconds, facts.interrupted ? " (interrupted)" : "");
    if (facts.late_starts != 0) {
        out += fmt::format("{} probes started late: the concurrency cap was full at their scheduled time\n",
                           facts.late_starts);
    }
    return out + "\n" + outcome_table(stats) + "\n" + phase_table(stats);
}

}  // namespace tlsprobe::reports
