#pragma once
// The pictures of the HTML reports, as inline SVG. Each chart aggregates
// before it draws (quantiles, port cells, time bins), so a run of 100,000
// probes draws about as many elements as one of 100. Every data series is an
// element of class "series" with a `data-series` name: the page's legend and
// the browser tests count them.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "prober/probe_record.hpp"
#include "prober/run_stats.hpp"

namespace tlsprobe::reports {

// One line of a chart: (x, y) points in data units.
struct ChartSeries {
    std::string name;
    std::vector<std::pair<double, double>> points;
    int colour = 0;        // index into the page's palette (class "c<colour>")
    bool dashed = false;
};

// The cumulative distribution of one phase, in milliseconds, from the run's
// histogram: about 100 points whatever the number of probes; empty when the
// phase has no sample.
[[nodiscard]] std::vector<std::pair<double, double>> phase_cdf(const prober::LatencyHistogram& histogram);

// Cumulative share (y, 0..1) against latency (x, ms, log scale). A series
// without points is left out of the drawing but named in the legend as "no samples".
[[nodiscard]] std::string cdf_chart_svg(std::string_view title, std::span<const ChartSeries> series);

// A rate with its interval, for one category (a hash bucket, a verdict).
struct RateBar {
    std::string label;
    std::uint64_t failures = 0;
    std::uint64_t probes = 0;
    double low = 0;         // interval of the rate, 0..1
    double high = 0;
    bool flagged = false;   // drawn as faulty
    int colour = 0;
};

// Vertical bars of failures/probes per category with the interval as a
// whisker, an optional dashed reference line (the background loss), and each
// bar's counts in its tooltip. Bars are grouped by `group_size` (2 for
// before/after pairs).
[[nodiscard]] std::string rate_chart_svg(std::string_view title, std::span<const RateBar> bars,
                                         std::optional<double> reference, std::string_view reference_label,
                                         int group_size = 1);

// Probes of a run over a range of source ports, `first_port` to `last_port`.
struct PortCell {
    std::uint32_t first_port = 0;
    std::uint32_t last_port = 0;
    std::uint64_t ok = 0;
    std::uint64_t failed = 0;       // path failures
    std::uint64_t not_judged = 0;   // local_error, interrupted
};

// The probed range of source ports cut into at most `max_cells` equal cells.
[[nodiscard]] std::vector<PortCell> port_cells(std::span<const prober::ProbeRecord> probes, std::size_t max_cells);

// The cells as rows of a strip, coloured by their share of failures, each row
// labelled with its first port.
[[nodiscard]] std::string port_strip_svg(std::span<const PortCell> cells);

// Probes by when they were scheduled, in seconds from the run's start.
struct TimeBin {
    double start_s = 0;
    double end_s = 0;
    std::uint64_t ok = 0;
    std::uint64_t failed = 0;
    std::uint64_t not_judged = 0;
};

// The run's duration cut into at most `max_bins` equal bins.
[[nodiscard]] std::vector<TimeBin> time_bins(std::span<const prober::ProbeRecord> probes, std::size_t max_bins);

// Stacked bars per bin: ok, failed, not judged.
[[nodiscard]] std::string time_chart_svg(std::span<const TimeBin> bins);

}  // namespace tlsprobe::reports
