#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <random>
#include <regex>
#include <string>

#include "prober/run_stats.hpp"
#include "reports/report_charts.hpp"
#include "reports/run_report.hpp"
#include "reports/svg.hpp"

namespace tlsprobe::reports {
namespace {

std::size_t count_of(const std::string& text, const std::string& needle)
{
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) {
        ++count;
    }
    return count;
}

prober::ProbeRecord probe(std::uint16_t port, prober::Outcome outcome, std::int64_t scheduled_ns, std::int64_t connect_ns)
{
    prober::ProbeRecord record;
    record.src_port = port;
    record.outcome = outcome;
    record.t.scheduled = scheduled_ns;
    record.t.connect_start = scheduled_ns;
    record.t.established = scheduled_ns + connect_ns;
    return record;
}

TEST(Svg, EscapesEveryMarkupCharacter)
{
    EXPECT_EQ(svg::escape(R"(<a href="x">&'</a>)"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    svg::Document doc(10, 10, "t<itle>", "c");
    doc.text(1, 1, "</svg><script>", {{"class", "\"x\""}});
    const auto out = std::move(doc).finish();
    EXPECT_EQ(out.find("<script>"), std::string::npos);
    EXPECT_NE(out.find("&lt;/svg&gt;&lt;script&gt;"), std::string::npos);
    EXPECT_EQ(count_of(out, "<svg"), 1U);
    EXPECT_EQ(count_of(out, "</svg>"), 1U);
}

TEST(Svg, CoordinatesHaveNoExponentAndAtMostTwoDecimals)
{
    EXPECT_EQ(svg::coordinate(1e-9), "0");
    EXPECT_EQ(svg::coordinate(-0.001), "0");
    EXPECT_EQ(svg::coordinate(12.345), "12.35");
    EXPECT_EQ(svg::coordinate(1e7), "10000000");
    EXPECT_EQ(svg::coordinate(std::numeric_limits<double>::quiet_NaN()), "0");
}

TEST(Svg, LinearScaleMapsEndsAndPicksRoundTicks)
{
    const svg::LinearScale y(0, 1, 200, 0);
    EXPECT_DOUBLE_EQ(y(0), 200);
    EXPECT_DOUBLE_EQ(y(1), 0);
    EXPECT_DOUBLE_EQ(y(0.5), 100);
    const auto ticks = y.ticks(5);
    ASSERT_EQ(ticks.size(), 6U);
    EXPECT_DOUBLE_EQ(ticks.front(), 0);
    EXPECT_DOUBLE_EQ(ticks[1], 0.2);
    EXPECT_DOUBLE_EQ(ticks.back(), 1);
    const svg::LinearScale counts(0, 37, 0, 100);
    for (const auto tick : counts.ticks(4)) {
        EXPECT_DOUBLE_EQ(std::fmod(tick, 10), 0) << tick;
    }
}

TEST(Svg, ScaleOfOnePointStillDraws)
{
    const svg::LinearScale x(5, 5, 0, 100);
    EXPECT_DOUBLE_EQ(x(5), 0);
    EXPECT_FALSE(x.ticks(5).empty());
    const svg::LogScale log(3, 3, 0, 100);
    EXPECT_DOUBLE_EQ(log(3), 0);
    EXPECT_THROW(svg::LogScale(0, 10, 0, 1), std::invalid_argument);
}

TEST(Svg, LogScaleTicksAreOneTwoFivePerDecade)
{
    const svg::LogScale x(0.01, 10, 0, 300);
    EXPECT_DOUBLE_EQ(x(0.01), 0);
    EXPECT_DOUBLE_EQ(x(10), 300);
    EXPECT_DOUBLE_EQ(x(0.1), 100);
    const auto ticks = x.ticks(12);
    ASSERT_FALSE(ticks.empty());
    EXPECT_NEAR(ticks.front(), 0.01, 1e-12);
    EXPECT_NEAR(ticks[1], 0.02, 1e-12);
    EXPECT_NEAR(ticks[2], 0.05, 1e-12);
    // Many decades: powers of ten only.
    const svg::LogScale wide(1e-3, 1e6, 0, 300);
    for (const auto tick : wide.ticks(8)) {
        const auto exponent = std::log10(tick);
        EXPECT_NEAR(exponent, std::round(exponent), 1e-9) << tick;
    }
}

TEST(Svg, TickLabelsAreShort)
{
    EXPECT_EQ(svg::tick_label(0.5), "0.5");
    EXPECT_EQ(svg::tick_label(20000), "20k");
    EXPECT_EQ(svg::tick_label(2e6), "2M");
    EXPECT_EQ(svg::tick_label(40, "%"), "40%");
}

TEST(Charts, CdfOfNothingIsEmptyAndOfOnePointIsOneStep)
{
    EXPECT_TRUE(phase_cdf(prober::LatencyHistogram{}).empty());
    prober::LatencyHistogram one;
    one.record(2'000'000);
    const auto points = phase_cdf(one);
    ASSERT_EQ(points.size(), 1U);
    EXPECT_NEAR(points[0].first, 2.0, 0.02);
    EXPECT_DOUBLE_EQ(points[0].second, 1.0);
    const ChartSeries series[] = {{.name = "tcp_connect", .points = {}, .colour = 0, .dashed = false}};
    const auto svg = cdf_chart_svg("empty", series);
    EXPECT_NE(svg.find("no latency samples"), std::string::npos);
    EXPECT_EQ(count_of(svg, "class=\"series"), 0U);
}

TEST(Charts, CdfIsBoundedAndNeverFalls)
{
    std::mt19937_64 random(7);
    std::lognormal_distribution<double> latency(14.0, 1.0);
    prober::LatencyHistogram histogram;
    for (int i = 0; i < 100'000; ++i) {
        histogram.record(static_cast<std::int64_t>(latency(random)));
    }
    const auto points = phase_cdf(histogram);
    ASSERT_LE(points.size(), 101U);
    ASSERT_GE(points.size(), 50U);
    for (std::size_t i = 1; i < points.size(); ++i) {
        EXPECT_GT(points[i].first, points[i - 1].first);
        EXPECT_GE(points[i].second, points[i - 1].second);
    }
    EXPECT_DOUBLE_EQ(points.back().second, 1.0);
    const ChartSeries series[] = {{.name = "a", .points = points, .colour = 0, .dashed = false},
                                  {.name = "b", .points = {}, .colour = 1, .dashed = true},
                                  {.name = "c", .points = points, .colour = 2, .dashed = true}};
    const auto svg = cdf_chart_svg("three", series);
    EXPECT_EQ(count_of(svg, "class=\"series"), 2U);
    EXPECT_NE(svg.find("b (no samples)"), std::string::npos);
}

TEST(Charts, PortCellsCoverTheRangeAndCountEveryProbe)
{
    std::vector<prober::ProbeRecord> probes;
    for (std::uint16_t port = 20000; port < 20400; ++port) {
        probes.push_back(probe(port, port % 8 == 5 ? prober::Outcome::handshake_timeout : prober::Outcome::ok, 0, 1));
    }
    probes.push_back(probe(20001, prober::Outcome::local_error, 0, 1));
    const auto cells = port_cells(probes, 2000);
    ASSERT_EQ(cells.size(), 400U);
    EXPECT_EQ(cells[5].failed, 1U);
    EXPECT_EQ(cells[1].not_judged, 1U);
    EXPECT_EQ(cells[1].ok, 1U);
    const auto strip = port_strip_svg(cells);
    EXPECT_EQ(count_of(strip, "data-series=\"all\""), 1U);
    EXPECT_EQ(count_of(strip, "data-series=\"clean\""), 1U);
    EXPECT_NE(strip.find("one cell per source port"), std::string::npos);

    std::vector<prober::ProbeRecord> wide;
    for (std::uint32_t port = 1024; port <= 65535; ++port) {
        wide.push_back(probe(static_cast<std::uint16_t>(port), prober::Outcome::ok, 0, 1));
    }
    const auto binned = port_cells(wide, 2000);
    ASSERT_LE(binned.size(), 2000U);
    std::uint64_t total = 0;
    for (const auto& cell : binned) {
        total += cell.ok;
    }
    EXPECT_EQ(total, wide.size());
    EXPECT_EQ(binned.front().first_port, 1024U);
    EXPECT_EQ(binned.back().last_port, 65535U);
    EXPECT_TRUE(port_cells({}, 100).empty());
    EXPECT_NE(port_strip_svg({}).find("no probes"), std::string::npos);
}

TEST(Charts, TimeBinsKeepEveryProbeAndShowABurst)
{
    std::vector<prober::ProbeRecord> probes;
    for (int i = 0; i < 1000; ++i) {
        const auto at = std::int64_t{i} * 10'000'000;   // 10 s at 100/s
        const bool burst = i >= 500 && i < 520;
        probes.push_back(probe(static_cast<std::uint16_t>(1024 + i), burst ? prober::Outcome::connect_timeout : prober::Outcome::ok,
                               at, 1));
    }
    const auto bins = time_bins(probes, 100);
    ASSERT_LE(bins.size(), 100U);
    std::uint64_t total = 0;
    std::uint64_t bins_with_failures = 0;
    for (const auto& bin : bins) {
        total += bin.ok + bin.failed + bin.not_judged;
        bins_with_failures += bin.failed != 0 ? 1 : 0;
    }
    EXPECT_EQ(total, 1000U);
    EXPECT_LE(bins_with_failures, 3U);
    const auto svg = time_chart_svg(bins);
    EXPECT_EQ(count_of(svg, "class=\"series"), 3U);
    EXPECT_NE(time_chart_svg({}).find("no probes"), std::string::npos);
}

TEST(Charts, RateBarsCarryCountsAndFlagFaultyOnes)
{
    const RateBar bars[] = {
        {.label = "0", .failures = 0, .probes = 50, .low = 0, .high = 0.07, .flagged = false, .colour = 0},
        {.label = "5", .failures = 51, .probes = 51, .low = 0.93, .high = 1, .flagged = true, .colour = 0},
    };
    const auto svg = rate_chart_svg("buckets", bars, 0.01, "background 1%", 1);
    EXPECT_EQ(count_of(svg, "class=\"series bar"), 2U);
    EXPECT_EQ(count_of(svg, "flagged"), 1U);
    EXPECT_NE(svg.find("data-failures=\"51\" data-probes=\"51\""), std::string::npos);
    EXPECT_NE(svg.find("background 1%"), std::string::npos);
    EXPECT_NE(rate_chart_svg("none", {}, std::nullopt, "", 1).find("nothing to show"), std::string::npos);
}

TEST(RunReport, OneHundredThousandProbesStayUnderTwoMegabytes)
{
    std::mt19937_64 random(11);
    std::uniform_int_distribution<int> port(1024, 65535);
    std::lognormal_distribution<double> latency(13.0, 0.8);
    std::vector<prober::ProbeRecord> probes;
    prober::RunStats stats;
    for (int i = 0; i < 100'000; ++i) {
        const auto p = static_cast<std::uint16_t>(port(random));
        auto record = probe(p, p % 64 == 17 ? prober::Outcome::handshake_timeout : prober::Outcome::ok,
                            std::int64_t{i} * 1'000'000, static_cast<std::int64_t>(latency(random)));
        record.t.client_hello = *record.t.established + 1000;
        record.t.handshake_done = *record.t.client_hello + static_cast<std::int64_t>(latency(random));
        record.t.closed = *record.t.handshake_done + 1000;
        probes.push_back(record);
        stats.add(record);
    }
    auto summary = prober::summary_json(stats, {.target = "198.18.0.10:443", .planned = 100'000, .wall_seconds = 100});
    summary["started_utc"] = "2026-12-02T08:00:00.000Z";
    summary["health"] = "unhealthy";
    RunReportInputs inputs;
    inputs.summary = &summary;
    inputs.probes = probes;
    inputs.run_dir = "runs/big";
    const auto html = run_report_html(inputs);
    EXPECT_LT(html.size(), 2U * 1024 * 1024);
    EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
    EXPECT_EQ(count_of(html, "http://"), count_of(html, "http://www.w3.org/2000/svg"));
    EXPECT_EQ(html.find("https://"), std::string::npos);
    EXPECT_NE(html.find("data-name=\"handshake_timeout\""), std::string::npos);
}

TEST(RunReport, SummaryWithoutOutcomesIsRefusedByName)
{
    const boost::json::object summary{{"target", "198.18.0.10:443"}};
    try {
        RunReportInputs inputs;
        inputs.summary = &summary;
        (void)run_report_html(inputs);
        FAIL() << "no error";
    } catch (const std::exception& error) {
        EXPECT_NE(std::string(error.what()).find("outcomes"), std::string::npos) << error.what();
    }
}

}  // namespace
}  // namespace tlsprobe::reports
