#include "reports/report_charts.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "reports/svg.hpp"

namespace tlsprobe::reports {
namespace {

constexpr double chart_width = 720;
constexpr double chart_height = 280;
constexpr double legend_width = 190;

// The plotting area inside a chart's margins.
struct Frame {
    double left = 60;
    double right = chart_width - 16;
    double top = 16;
    double bottom = chart_height - 44;
};

std::string colour_class(int colour, std::string_view base)
{
    return fmt::format("{} c{}", base, colour);
}

// Grid lines and labels of the y axis (a share or a rate), then the x axis line.
void draw_y_axis(svg::Document& doc, const Frame& frame, const svg::LinearScale& y, std::string_view suffix,
                 double label_factor, std::string_view title)
{
    doc.open_group({{"class", "axis y"}});
    for (const auto value : y.ticks(5)) {
        doc.line(frame.left, y(value), frame.right, y(value), "grid");
        doc.text(frame.left - 6, y(value) + 4, svg::tick_label(value * label_factor, suffix), {{"class", "tick end"}});
    }
    doc.text(14, (frame.top + frame.bottom) / 2, title,
             {{"class", "label"}, {"transform", fmt::format("rotate(-90 14 {})", svg::coordinate((frame.top + frame.bottom) / 2))}});
    doc.close_group();
    doc.line(frame.left, frame.bottom, frame.right, frame.bottom, "axis-line");
}

void draw_x_title(svg::Document& doc, const Frame& frame, std::string_view title)
{
    doc.text((frame.left + frame.right) / 2, chart_height - 6, title, {{"class", "label middle"}});
}

// Beside the plot, right of `frame`, so it never hides a line.
void draw_legend(svg::Document& doc, const Frame& frame, std::span<const ChartSeries> series)
{
    doc.open_group({{"class", "legend"}});
    auto x = frame.right + 12;
    auto y = frame.top + 8;
    for (const auto& one : series) {
        doc.line(x, y - 4, x + 18, y - 4, colour_class(one.colour, one.dashed ? "key dashed" : "key"));
        const auto label = one.points.empty() ? one.name + " (no samples)" : one.name;
        doc.text(x + 22, y, label, {{"class", "tick"}});
        y += 15;
    }
    doc.close_group();
}

}  // namespace

std::vector<std::pair<double, double>> phase_cdf(const prober::LatencyHistogram& histogram)
{
    std::vector<std::pair<double, double>> points;
    if (histogram.count() == 0) {
        return points;
    }
    constexpr int steps = 100;
    const auto total = static_cast<double>(histogram.count());
    double previous_ms = -1;
    for (int i = 0; i <= steps; ++i) {
        const auto quantile = i / static_cast<double>(steps);
        const auto value_ns = prober::quantile_value(histogram, quantile);
        const auto ms = static_cast<double>(value_ns) / 1e6;
        if (ms == previous_ms) {
            continue;
        }
        previous_ms = ms;
        const auto share = static_cast<double>(histogram.count_at_or_below(value_ns)) / total;
        points.emplace_back(ms, std::min(share, 1.0));
    }
    // The histogram's buckets can make a later share smaller than an earlier
    // quantile asked for; a CDF never falls.
    for (std::size_t i = 1; i < points.size(); ++i) {
        points[i].second = std::max(points[i].second, points[i - 1].second);
    }
    return points;
}

std::string cdf_chart_svg(std::string_view title, std::span<const ChartSeries> series)
{
    double low = std::numeric_limits<double>::max();
    double high = 0;
    for (const auto& one : series) {
        for (const auto& [x, y] : one.points) {
            if (x > 0) {
                low = std::min(low, x);
            }
            high = std::max(high, x);
        }
    }
    Frame frame;
    frame.right = chart_width - legend_width;
    svg::Document doc(chart_width, chart_height, title, "chart cdf");
    if (high <= 0) {
        doc.text(chart_width / 2, chart_height / 2, "no latency samples", {{"class", "empty middle"}});
        return std::move(doc).finish();
    }
    if (low >= high) {
        low = high / 10;
    }
    const svg::LogScale x(std::pow(10.0, std::floor(std::log10(low))), std::pow(10.0, std::ceil(std::log10(high))),
                          frame.left, frame.right);
    const svg::LinearScale y(0, 1, frame.bottom, frame.top);
    draw_y_axis(doc, frame, y, "%", 100, "share of probes");
    doc.open_group({{"class", "axis x"}});
    for (const auto value : x.ticks(8)) {
        doc.line(x(value), frame.top, x(value), frame.bottom, "grid");
        doc.text(x(value), frame.bottom + 16, svg::tick_label(value), {{"class", "tick middle"}});
    }
    doc.close_group();
    draw_x_title(doc, frame, "milliseconds (log scale)");
    for (const auto& one : series) {
        if (one.points.empty()) {
            continue;
        }
        // A step function: the share holds until the next latency.
        std::vector<std::pair<double, double>> steps;
        steps.emplace_back(x(one.points.front().first), y(0));
        for (std::size_t i = 0; i < one.points.size(); ++i) {
            const auto px = x(one.points[i].first);
            if (i > 0) {
                steps.emplace_back(px, y(one.points[i - 1].second));
            }
            steps.emplace_back(px, y(one.points[i].second));
        }
        doc.polyline(steps, {{"class", colour_class(one.colour, one.dashed ? "series line dashed" : "series line")},
                             {"data-series", one.name}});
    }
    draw_legend(doc, frame, series);
    return std::move(doc).finish();
}

std::string rate_chart_svg(std::string_view title, std::span<const RateBar> bars, std::optional<double> reference,
                           std::string_view reference_label, int group_size)
{
    const auto per_group = static_cast<std::size_t>(std::max(group_size, 1));
    const auto groups = (bars.size() + per_group - 1) / per_group;
    // A group is named by its first bar's label without the last word
    // ("bucket 5 before" -> "bucket 5") when bars are grouped.
    std::vector<std::string> labels;
    std::size_t longest = 0;
    for (std::size_t group = 0; group < groups; ++group) {
        const auto& label = bars[group * per_group].label;
        labels.push_back(per_group == 1 ? label : label.substr(0, label.rfind(' ')));
        longest = std::max(longest, labels.back().size());
    }
    const Frame frame;
    const auto slot = groups == 0 ? 0.0 : (frame.right - frame.left) / static_cast<double>(groups);
    // Labels wider than their slot are written slanted, below a taller chart.
    const bool slanted = static_cast<double>(longest) * 6.5 > slot;
    const auto extra = slanted ? std::min(6.0 * static_cast<double>(longest), 140.0) : 0.0;
    const auto height = chart_height + extra;
    svg::Document doc(chart_width, height, title, "chart rates");
    if (bars.empty()) {
        doc.text(chart_width / 2, height / 2, "nothing to show", {{"class", "empty middle"}});
        return std::move(doc).finish();
    }
    double top = reference.value_or(0);
    for (const auto& bar : bars) {
        top = std::max(top, bar.high);
    }
    const svg::LinearScale y(0, std::max(top, 0.01), frame.bottom, frame.top);
    draw_y_axis(doc, frame, y, "%", 100, "failure rate");
    const auto bar_width = std::max(1.0, slot * 0.7 / static_cast<double>(per_group));
    // At most about 32 labels are written.
    const auto label_every = std::max<std::size_t>(1, groups / 32);
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const auto& bar = bars[i];
        const auto group = i / per_group;
        const auto within = static_cast<double>(i % per_group);
        const auto x0 = frame.left + static_cast<double>(group) * slot + slot * 0.15 + within * bar_width;
        const auto rate = bar.probes == 0 ? 0.0 : static_cast<double>(bar.failures) / static_cast<double>(bar.probes);
        doc.open_group({{"class", colour_class(bar.colour, bar.flagged ? "series bar flagged" : "series bar")},
                        {"data-series", bar.label},
                        {"data-failures", std::to_string(bar.failures)},
                        {"data-probes", std::to_string(bar.probes)}});
        doc.tooltip(fmt::format("{}: {} of {} failed ({:.1f}%, interval {:.1f}% to {:.1f}%){}", bar.label, bar.failures,
                                bar.probes, rate * 100, bar.low * 100, bar.high * 100, bar.flagged ? ", faulty" : ""));
        doc.rect(x0, y(rate), bar_width, y(0) - y(rate), {});
        if (bar.probes > 0) {
            const auto mid = x0 + bar_width / 2;
            doc.line(mid, y(bar.low), mid, y(bar.high), "whisker");
            doc.line(mid - 3, y(bar.low), mid + 3, y(bar.low), "whisker");
            doc.line(mid - 3, y(bar.high), mid + 3, y(bar.high), "whisker");
        }
        doc.close_group();
    }
    for (std::size_t group = 0; group < groups; group += label_every) {
        const auto x = frame.left + static_cast<double>(group) * slot + slot / 2;
        const auto y_label = frame.bottom + 16;
        if (slanted) {
            doc.text(x, y_label, labels[group],
                     {{"class", "tick end"},
                      {"transform", fmt::format("rotate(-35 {} {})", svg::coordinate(x), svg::coordinate(y_label))}});
        } else {
            doc.text(x, y_label, labels[group], {{"class", "tick middle"}});
        }
    }
    if (reference) {
        doc.line(frame.left, y(*reference), frame.right, y(*reference), "reference");
        doc.text(frame.right, y(*reference) - 4, std::string(reference_label), {{"class", "tick end"}});
    }
    return std::move(doc).finish();
}

std::vector<PortCell> port_cells(std::span<const prober::ProbeRecord> probes, std::size_t max_cells)
{
    if (probes.empty() || max_cells == 0) {
        return {};
    }
    std::uint32_t low = 65535;
    std::uint32_t high = 0;
    for (const auto& probe : probes) {
        low = std::min<std::uint32_t>(low, probe.src_port);
        high = std::max<std::uint32_t>(high, probe.src_port);
    }
    const auto span = high - low + 1;
    const auto width = static_cast<std::uint32_t>((span + max_cells - 1) / max_cells);
    std::vector<PortCell> cells((span + width - 1) / width);
    for (std::size_t i = 0; i < cells.size(); ++i) {
        cells[i].first_port = low + static_cast<std::uint32_t>(i) * width;
        cells[i].last_port = std::min(high, cells[i].first_port + width - 1);
    }
    for (const auto& probe : probes) {
        auto& cell = cells[(probe.src_port - low) / width];
        if (!prober::judges_the_path(probe.outcome)) {
            ++cell.not_judged;
        } else if (prober::is_path_failure(probe.outcome)) {
            ++cell.failed;
        } else {
            ++cell.ok;
        }
    }
    return cells;
}

namespace {

// The class a cell's share of failures puts it in, darkest for all failed.
std::string_view failure_class(std::uint64_t failed, std::uint64_t judged, std::uint64_t not_judged)
{
    if (judged == 0) {
        return not_judged == 0 ? "cell unprobed" : "cell unjudged";
    }
    if (failed == 0) {
        return "cell clean";
    }
    if (failed == judged) {
        return "cell all";
    }
    return failed * 2 >= judged ? "cell most" : "cell some";
}

}  // namespace

std::string port_strip_svg(std::span<const PortCell> cells)
{
    constexpr std::size_t per_row = 100;
    constexpr double cell_size = 6.4;
    constexpr double left = 60;
    const auto rows = (cells.size() + per_row - 1) / per_row;
    const auto height = 24 + static_cast<double>(rows) * (cell_size + 2) + 24;
    svg::Document doc(chart_width, height, "outcome by source port", "chart ports");
    if (cells.empty()) {
        doc.text(chart_width / 2, height / 2, "no probes", {{"class", "empty middle"}});
        return std::move(doc).finish();
    }
    const auto width = cells.front().last_port - cells.front().first_port + 1;
    doc.text(left, 14,
             width == 1 ? std::string("one cell per source port")
                        : fmt::format("one cell per {} consecutive source ports", width),
             {{"class", "tick"}});
    // Cells of one class form one series, so a legend entry and the tests
    // see each class once.
    for (const std::string_view kind : {"cell clean", "cell some", "cell most", "cell all", "cell unjudged", "cell unprobed"}) {
        bool opened = false;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            const auto& cell = cells[i];
            if (failure_class(cell.failed, cell.ok + cell.failed, cell.not_judged) != kind) {
                continue;
            }
            if (!opened) {
                doc.open_group({{"class", "series " + std::string(kind)}, {"data-series", std::string(kind.substr(5))}});
                opened = true;
            }
            const auto row = i / per_row;
            const auto column = i % per_row;
            doc.open_group({});
            doc.tooltip(fmt::format("port{} {}{}: {} failed, {} ok, {} not judged", width == 1 ? "" : "s",
                                    cell.first_port, width == 1 ? "" : fmt::format("-{}", cell.last_port), cell.failed,
                                    cell.ok, cell.not_judged));
            doc.rect(left + static_cast<double>(column) * cell_size, 24 + static_cast<double>(row) * (cell_size + 2),
                     cell_size - 0.6, cell_size, {});
            doc.close_group();
        }
        if (opened) {
            doc.close_group();
        }
    }
    for (std::size_t row = 0; row < rows; ++row) {
        doc.text(left - 6, 24 + static_cast<double>(row) * (cell_size + 2) + cell_size,
                 std::to_string(cells[row * per_row].first_port), {{"class", "tick end small"}});
    }
    const auto legend_y = height - 8;
    double x = left;
    for (const auto& [kind, label] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
             {"cell clean", "no failure"}, {"cell some", "under half failed"}, {"cell most", "half or more failed"},
             {"cell all", "all failed"}, {"cell unjudged", "not judged (local error, interrupted)"},
             {"cell unprobed", "not probed"}}) {
        doc.rect(x, legend_y - 8, 8, 8, {{"class", std::string(kind)}});
        doc.text(x + 11, legend_y, label, {{"class", "tick small"}});
        x += 22 + 5.2 * static_cast<double>(label.size());
    }
    return std::move(doc).finish();
}

std::vector<TimeBin> time_bins(std::span<const prober::ProbeRecord> probes, std::size_t max_bins)
{
    std::int64_t last = 0;
    for (const auto& probe : probes) {
        last = std::max(last, probe.t.scheduled.value_or(0));
    }
    if (probes.empty() || max_bins == 0) {
        return {};
    }
    // Bins of a round number of milliseconds, at least one.
    const auto span_ms = static_cast<double>(last) / 1e6;
    const auto bin_ms = std::max(1.0, std::ceil(span_ms / static_cast<double>(max_bins)));
    const auto count = static_cast<std::size_t>(std::floor(span_ms / bin_ms)) + 1;
    std::vector<TimeBin> bins(std::min(count, max_bins));
    for (std::size_t i = 0; i < bins.size(); ++i) {
        bins[i].start_s = static_cast<double>(i) * bin_ms / 1e3;
        bins[i].end_s = static_cast<double>(i + 1) * bin_ms / 1e3;
    }
    for (const auto& probe : probes) {
        const auto ms = static_cast<double>(probe.t.scheduled.value_or(0)) / 1e6;
        auto& bin = bins[std::min(bins.size() - 1, static_cast<std::size_t>(ms / bin_ms))];
        if (!prober::judges_the_path(probe.outcome)) {
            ++bin.not_judged;
        } else if (prober::is_path_failure(probe.outcome)) {
            ++bin.failed;
        } else {
            ++bin.ok;
        }
    }
    return bins;
}

std::string time_chart_svg(std::span<const TimeBin> bins)
{
    const Frame frame;
    svg::Document doc(chart_width, chart_height, "probes over time", "chart time");
    if (bins.empty()) {
        doc.text(chart_width / 2, chart_height / 2, "no probes", {{"class", "empty middle"}});
        return std::move(doc).finish();
    }
    std::uint64_t top = 1;
    for (const auto& bin : bins) {
        top = std::max(top, bin.ok + bin.failed + bin.not_judged);
    }
    const svg::LinearScale y(0, static_cast<double>(top), frame.bottom, frame.top);
    draw_y_axis(doc, frame, y, "", 1, "probes started");
    const svg::LinearScale x(0, bins.back().end_s, frame.left, frame.right);
    doc.open_group({{"class", "axis x"}});
    for (const auto value : x.ticks(8)) {
        doc.text(x(value), frame.bottom + 16, svg::tick_label(value, " s"), {{"class", "tick middle"}});
    }
    doc.close_group();
    draw_x_title(doc, frame, fmt::format("seconds from the start ({} bins of {:g} ms)", bins.size(),
                                         (bins.front().end_s - bins.front().start_s) * 1e3));
    struct Layer {
        std::string_view name;
        std::uint64_t TimeBin::*count;
    };
    const Layer layers[] = {{"ok", &TimeBin::ok}, {"failed", &TimeBin::failed}, {"not judged", &TimeBin::not_judged}};
    std::vector<std::uint64_t> base(bins.size(), 0);
    for (const auto& layer : layers) {
        doc.open_group({{"class", "series stack " + std::string(layer.name == "not judged" ? "unjudged" : layer.name)},
                        {"data-series", std::string(layer.name)}});
        for (std::size_t i = 0; i < bins.size(); ++i) {
            const auto value = bins[i].*(layer.count);
            if (value == 0) {
                continue;
            }
            const auto x0 = x(bins[i].start_s);
            const auto x1 = x(bins[i].end_s);
            doc.open_group({});
            doc.tooltip(fmt::format("{:.3f}-{:.3f} s: {} {}", bins[i].start_s, bins[i].end_s, value, layer.name));
            doc.rect(x0, y(static_cast<double>(base[i] + value)), std::max(x1 - x0 - 0.5, 0.5),
                     y(static_cast<double>(base[i])) - y(static_cast<double>(base[i] + value)), {});
            doc.close_group();
            base[i] += value;
        }
        doc.close_group();
    }
    return std::move(doc).finish();
}

}  // namespace tlsprobe::reports
