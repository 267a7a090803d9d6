#include "reports/compare_text.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "reports/compare_rows.hpp"
#include "reports/text_table.hpp"

namespace tlsprobe::reports {
namespace {

std::string rate_table(std::span<const results::RateRow> rows, std::string header)
{
    std::size_t widest = 22;
    for (const auto& row : rows) {
        widest = std::max(widest, rate_row_name(row).size());
    }
    const auto headers = rate_row_headers();
    const std::size_t widths[] = {11, 7, 14, 11, 7, 14, 8, 9, 9};
    std::vector<Column> columns{{.header = std::move(header), .width = widest, .align = Align::left}};
    for (std::size_t i = 0; i + 1 < headers.size(); ++i) {
        columns.push_back({.header = headers[i], .width = widths[i]});
    }
    columns.push_back({.header = headers.back(), .width = 0, .align = Align::left, .gap = 2});
    TextTable table(std::move(columns));
    for (const auto& row : rows) {
        auto cells = rate_row_cells(row);
        cells.insert(cells.begin(), rate_row_name(row));
        table.add_row(std::move(cells));
    }
    return table.render();
}

std::string latency_table(std::span<const results::LatencyRow> rows, double alpha)
{
    const auto headers = latency_row_headers(alpha);
    const std::size_t widths[] = {7, 9, 9, 7, 9, 9, 9, 21, 9, 9};
    std::vector<Column> columns{{.header = "latency (ms)", .width = 14, .align = Align::left}};
    for (std::size_t i = 0; i + 1 < headers.size(); ++i) {
        columns.push_back({.header = headers[i], .width = widths[i]});
    }
    columns.push_back({.header = headers.back(), .width = 0, .align = Align::left, .gap = 2});
    TextTable table(std::move(columns));
    for (const auto& row : rows) {
        auto cells = latency_row_cells(row);
        cells.insert(cells.begin(), std::string(to_string(row.phase)));
        table.add_row(std::move(cells));
    }
    return table.render();
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
    text += fmt::format("\n{:<7} {}\n{:<7} {}\n", "before", run_side_text(c.before), "after", run_side_text(c.after));
    if (!c.labels.empty()) {
        text += "labels (after): " + labels_text(c.labels) + "\n";
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
