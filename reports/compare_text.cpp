#include "reports/compare_text.hpp"

#include <algorithm>
#include <vector>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "reports/text_table.hpp"

namespace tlsprobe::reports {
namespace {

std::string percent(double share)
{
    return fmt::format("{:.2f}%", 100.0 * share);
}

std::string interval_text(const results::Interval& interval)
{
    return fmt::format("{:.2f}-{:.2f}%", 100.0 * interval.low, 100.0 * interval.high);
}

std::string ms(double ns)
{
    return fmt::format("{:.3f}", ns / 1e6);
}

std::string change_text(results::Change change)
{
    return change == results::Change::none ? std::string("-") : std::string(to_string(change));
}

std::string rate_table(std::span<const results::RateRow> rows, std::string header)
{
    std::vector<std::string> names;
    std::size_t widest = 22;
    for (const auto& row : rows) {
        names.push_back(row.kind == results::RateKind::verdict  ? "verdict " + row.name
                        : row.kind == results::RateKind::bucket ? "bucket " + row.name
                                                                : row.name);
        widest = std::max(widest, names.back().size());
    }
    TextTable table({{.header = std::move(header), .width = widest, .align = Align::left},
                     {.header = "before", .width = 11},
                     {.header = "rate", .width = 7},
                     {.header = "95%", .width = 14},
                     {.header = "after", .width = 11},
                     {.header = "rate", .width = 7},
                     {.header = "95%", .width = 14},
                     {.header = "diff pt", .width = 8},
                     {.header = "p", .width = 9},
                     {.header = "Holm p", .width = 9},
                     {.header = "change", .width = 0, .align = Align::left, .gap = 2}});
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& row = rows[i];
        table.add_row({names[i], fmt::format("{}/{}", row.before, row.before_of), percent(row.before_share()),
                       interval_text(row.before_rate), fmt::format("{}/{}", row.after, row.after_of),
                       percent(row.after_share()), interval_text(row.after_rate),
                       fmt::format("{:+.2f}", 100.0 * row.difference), results::p_value_text(row.p_value),
                       results::p_value_text(row.p_adjusted), change_text(row.change)});
    }
    return table.render();
}

std::string latency_table(std::span<const results::LatencyRow> rows, double alpha)
{
    TextTable table({{.header = "latency (ms)", .width = 14, .align = Align::left},
                     {.header = "before", .width = 7},
                     {.header = "median", .width = 9},
                     {.header = "p99", .width = 9},
                     {.header = "after", .width = 7},
                     {.header = "median", .width = 9},
                     {.header = "p99", .width = 9},
                     {.header = "shift", .width = 9},
                     {.header = fmt::format("{:.0f}% interval", 100.0 * (1.0 - alpha)), .width = 21},
                     {.header = "tolerance", .width = 9},
                     {.header = "Holm p", .width = 9},
                     {.header = "change", .width = 0, .align = Align::left, .gap = 2}});
    for (const auto& row : rows) {
        const auto interval = row.shift.low && row.shift.high
                                  ? fmt::format("{:+.3f} to {:+.3f}", static_cast<double>(*row.shift.low) / 1e6,
                                                static_cast<double>(*row.shift.high) / 1e6)
                                  : std::string("(too few)");
        table.add_row({std::string(to_string(row.phase)), std::to_string(row.before_samples),
                       ms(static_cast<double>(row.before_median_ns)), ms(static_cast<double>(row.before_p99_ns)),
                       std::to_string(row.after_samples), ms(static_cast<double>(row.after_median_ns)),
                       ms(static_cast<double>(row.after_p99_ns)), fmt::format("{:+.3f}", row.shift.estimate / 1e6),
                       interval, ms(row.tolerance_ns), results::p_value_text(row.p_adjusted),
                       change_text(row.change)});
    }
    return table.render();
}

std::string side_line(std::string_view which, const results::RunSide& side)
{
    const auto scenario = side.name.empty() && side.sha256.empty()
                              ? std::string("no scenario")
                              : fmt::format("scenario {}, sha256 {}", side.name.empty() ? "(unnamed)" : side.name,
                                            side.sha256.substr(0, 12));
    return fmt::format("{:<7} {} ({}): {} probes, {} judged, {} failed{}\n", which, side.dir, scenario, side.probes,
                       side.judged, side.failed, side.stopped ? ", interrupted" : "");
}

std::string labels_line(const boost::json::object& labels)
{
    std::string text;
    for (const auto& entry : labels) {
        const auto value = entry.value().is_string() ? std::string(entry.value().get_string())
                                                     : boost::json::serialize(entry.value());
        text += (text.empty() ? "" : ", ") + std::string(entry.key()) + "=" + value;
    }
    return text;
}

}  // namespace

std::string compare_report(const results::Comparison& c, std::span<const std::string> differences)
{
    std::string text = fmt::format("{}: {}\n", to_string(c.verdict), c.headline);
    if (!differences.empty()) {
        text += "forced: the runs do not measure the same thing; compared anyway. They differ in:\n";
        for (const auto& difference : differences) {
            text += "  " + difference + "\n";
        }
    }
    text += "\n" + side_line("before", c.before) + side_line("after", c.after);
    if (!c.labels.empty()) {
        text += "labels (after): " + labels_line(c.labels) + "\n";
    }
    text += "\n" + rate_table(c.rows, "rate");
    if (!c.buckets.empty()) {
        text += "\nUnder " + c.bucket_model + ":\n" + rate_table(c.buckets, "bucket");
    }
    if (!c.latency.empty()) {
        text += "\n" + latency_table(c.latency, c.thresholds.alpha);
    }
    text += "\nFindings:\n";
    for (const auto& finding : c.findings) {
        text += "  - " + finding + "\n";
    }
    return text;
}

}  // namespace tlsprobe::reports
