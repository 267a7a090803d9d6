#include "reports/compare_report.hpp"

#include <fmt/format.h>

#include "prober/run_stats.hpp"
#include "reports/compare_rows.hpp"
#include "reports/html_page.hpp"
#include "reports/report_charts.hpp"
#include "reports/svg.hpp"

namespace tlsprobe::reports {
namespace {

HtmlTable rate_html_table(std::string id, std::string_view first, std::span<const results::RateRow> rows)
{
    HtmlTable table{.id = std::move(id), .headers = {std::string(first)}, .rows = {}, .row_names = {}};
    for (const auto& header : rate_row_headers()) {
        table.headers.push_back(header);
    }
    for (const auto& row : rows) {
        auto cells = rate_row_cells(row);
        cells.insert(cells.begin(), rate_row_name(row));
        table.rows.push_back(std::move(cells));
        table.row_names.push_back(rate_row_name(row));
    }
    return table;
}

// Before and after side by side (colours 0 and 1), for every row or only
// for those with a failure (outcome rows without one say nothing; a clean
// bucket's interval does).
enum class EmptyRows { keep, drop };
std::vector<RateBar> paired_bars(std::span<const results::RateRow> rows, EmptyRows empty)
{
    std::vector<RateBar> bars;
    for (const auto& row : rows) {
        if (empty == EmptyRows::drop && row.before + row.after == 0) {
            continue;
        }
        const auto name = rate_row_name(row);
        bars.push_back({.label = name + " before", .failures = row.before, .probes = row.before_of,
                        .low = row.before_rate.low, .high = row.before_rate.high, .flagged = false, .colour = 0});
        bars.push_back({.label = name + " after", .failures = row.after, .probes = row.after_of,
                        .low = row.after_rate.low, .high = row.after_rate.high,
                        .flagged = row.change == results::Change::worse, .colour = 1});
    }
    return bars;
}

// The phase durations of the probes that completed: what the latency rows test.
prober::RunStats ok_probe_stats(std::span<const prober::ProbeRecord> probes)
{
    prober::RunStats stats;
    for (const auto& probe : probes) {
        if (probe.outcome == prober::Outcome::ok) {
            stats.add(probe);
        }
    }
    return stats;
}

std::string latency_chart(std::span<const prober::ProbeRecord> before, std::span<const prober::ProbeRecord> after)
{
    const auto before_stats = ok_probe_stats(before);
    const auto after_stats = ok_probe_stats(after);
    std::vector<ChartSeries> series;
    int colour = 0;
    for (const auto phase : {prober::Phase::tcp_connect, prober::Phase::tls_handshake, prober::Phase::time_to_first_byte,
                             prober::Phase::total}) {
        const auto name = std::string(to_string(phase));
        series.push_back({.name = name + " before", .points = phase_cdf(before_stats.phase(phase)), .colour = colour,
                          .dashed = true});
        series.push_back({.name = name + " after", .points = phase_cdf(after_stats.phase(phase)), .colour = colour,
                          .dashed = false});
        ++colour;
    }
    return cdf_chart_svg("phase latency before (dashed) and after (solid)", series);
}

}  // namespace

std::string compare_report_html(const CompareReportInputs& inputs)
{
    const auto& c = *inputs.comparison;
    std::string body = fmt::format("<header><h1>tlsprobe compare</h1><p><span class=\"badge {}\" id=\"verdict\">{}</span> {}</p>",
                                   to_string(c.verdict), to_string(c.verdict), svg::escape(c.headline));
    if (!inputs.differences.empty()) {
        body += "<p class=\"note\" id=\"forced\">Forced: the runs do not measure the same thing and were compared "
                "anyway. They differ in:</p><ul>";
        for (const auto& difference : inputs.differences) {
            body += "<li>" + svg::escape(difference) + "</li>";
        }
        body += "</ul>";
    }
    body += fmt::format("<dl class=\"facts\"><dt>before</dt><dd>{}</dd><dt>after</dt><dd>{}</dd>",
                        svg::escape(run_side_text(c.before)), svg::escape(run_side_text(c.after)));
    if (!c.labels.empty()) {
        body += fmt::format("<dt>labels (after)</dt><dd>{}</dd>", svg::escape(labels_text(c.labels)));
    }
    body += fmt::format("<dt>power</dt><dd>{} judged probes per run needed to see a rise of {:.2f} points from "
                        "{:.2f}% ({})</dd></dl>",
                        c.power.needed, 100.0 * c.power.rise, 100.0 * c.power.baseline,
                        c.power.adequate ? "both runs have them" : "not reached: a quiet result is inconclusive");
    body += "<ul class=\"findings\" id=\"findings\">";
    for (const auto& finding : c.findings) {
        body += "<li>" + svg::escape(finding) + "</li>";
    }
    body += "</ul></header>\n";

    const auto rate_bars = paired_bars(c.rows, EmptyRows::drop);
    body += html_section("rates-section", "Failure rates before and after",
                         "<p class=\"note\">Fisher's exact test per row, Holm over the rows; intervals are Wilson "
                         "95%. Before in blue, after in orange, an after bar that got worse in red.</p>" +
                             (rate_bars.empty() ? std::string("<p class=\"note\">No failure in either run: no bar to "
                                                              "draw.</p>")
                                                : rate_chart_svg("failure rates before and after", rate_bars,
                                                                 std::nullopt, "", 2)) +
                             html_table(rate_html_table("rates", "rate", c.rows)));
    if (!c.buckets.empty()) {
        body += html_section("buckets-section", "Hash buckets under " + c.bucket_model,
                             rate_chart_svg("bucket failure rates before and after", paired_bars(c.buckets, EmptyRows::keep),
                                            std::nullopt, "", 2) +
                                 html_table(rate_html_table("buckets", "bucket", c.buckets)));
    }
    HtmlTable latency{.id = "latency", .headers = {"latency (ms)"}, .rows = {}, .row_names = {}};
    for (const auto& header : latency_row_headers(c.thresholds.alpha)) {
        latency.headers.push_back(header);
    }
    for (const auto& row : c.latency) {
        auto cells = latency_row_cells(row);
        cells.insert(cells.begin(), std::string(to_string(row.phase)));
        latency.rows.push_back(std::move(cells));
        latency.row_names.emplace_back(to_string(row.phase));
    }
    body += html_section("latency-section", "Latency of completed probes",
                         "<p class=\"note\">Hodges-Lehmann shift with its Moses interval and Mann-Whitney, Holm over "
                         "the phases; a shift inside the tolerance is no change.</p>" +
                             latency_chart(inputs.before_probes, inputs.after_probes) + html_table(latency));
    body += fmt::format("<footer><p class=\"note\">Written by <code>tlsprobe compare {} {}</code>.</p></footer>",
                        svg::escape(c.before.dir), svg::escape(c.after.dir));
    return html_page(fmt::format("tlsprobe compare: {}", to_string(c.verdict)), body);
}

}  // namespace tlsprobe::reports
