// The table at the end of a run keeps the layout users and scripts know:
// fixed-width outcome and phase columns, shares in percent, phases in ms.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "reports/run_summary.hpp"

namespace tlsprobe::reports {
namespace {

prober::ProbeRecord probe(prober::Outcome outcome, std::int64_t connect_ns, std::int64_t total_ns)
{
    prober::ProbeRecord record;
    record.outcome = outcome;
    record.t.connect_start = 1'000;
    record.t.established = 1'000 + connect_ns;
    record.t.closed = 1'000 + total_ns;
    return record;
}

TEST(RunSummary, OutcomesThenPhasesInFixedColumns)
{
    prober::RunStats stats;
    stats.add(probe(prober::Outcome::ok, 2'000'000, 9'000'000));
    stats.add(probe(prober::Outcome::ok, 3'000'000, 12'000'000));
    stats.add(probe(prober::Outcome::handshake_timeout, 4'000'000, 5'000'000'000));
    const prober::RunFacts facts{.target = "127.0.0.1:443", .planned = 3, .wall_seconds = 5.04, .interrupted = false,
                                 .late_starts = 1};
    const auto text = run_summary_table(stats, facts);

    std::string expected =
        "3 probes to 127.0.0.1:443 in 5.0 s\n"
        "1 probes started late: the concurrency cap was full at their scheduled time\n"
        "\n"
        "outcome                probes   share\n"
        "ok                          2  66.67%\n"
        "handshake_timeout           1  33.33%\n"
        "\n"
        "phase (ms)              count        min     median        p95        p99        max\n";
    for (const auto phase : {prober::Phase::tcp_connect, prober::Phase::total}) {
        const auto& histogram = stats.phase(phase);
        expected += fmt::format("{:<20} {:>8}", to_string(phase), histogram.count());
        for (const auto& [name, quantile] : prober::reported_quantiles) {
            expected += fmt::format(" {:>10.3f}", static_cast<double>(prober::quantile_value(histogram, quantile)) / 1e6);
        }
        expected += '\n';
    }
    EXPECT_EQ(text, expected);
    EXPECT_NE(text.find("tcp_connect                 3      2.000"), std::string::npos);
}

}  // namespace
}  // namespace tlsprobe::reports
