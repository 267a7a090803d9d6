#include "reports/bucket_text.hpp"

#include <fmt/format.h>

#include "reports/text_table.hpp"

namespace tlsprobe::reports {
namespace {

std::string interval_text(const results::Interval& interval)
{
    return fmt::format("{:.3f}-{:.3f}", interval.low, interval.high);
}

}  // namespace

std::string bucket_report(const results::BucketAnalysis& analysis)
{
    const bool with_model = !analysis.model.empty();
    const auto& rows = with_model ? analysis.buckets
                                  : (analysis.port_fit ? analysis.port_fit->failing_tuples : analysis.buckets);
    TextTable table({{.header = with_model ? "bucket" : "src_port", .width = 10},
                     {.header = "probes", .width = 7},
                     {.header = "failures", .width = 9},
                     {.header = "interval", .width = 13},
                     {.header = "p-value", .width = 10},
                     {.header = "verdict", .width = 0, .align = Align::left, .gap = 2}});
    for (const auto& row : rows) {
        table.add_row({std::to_string(row.bucket), std::to_string(row.probes), std::to_string(row.failures),
                       interval_text(row.failure_rate), fmt::format("{:.3g}", row.p_adjusted),
                       std::string(to_string(row.verdict))});
    }
    std::string text = table.render();
    if (!with_model && rows.empty()) {
        text += "(no tuple failed)\n";
    }
    text += fmt::format("{} attempts on {} tuples ({} probed more than once), {} local errors left out.\n",
                        analysis.attempts, analysis.tuples, analysis.determinism.evidence.repeated,
                        analysis.local_errors);
    text += "\n";
    for (const auto& line : analysis.findings) {
        text += line + "\n";
    }
    return text;
}

}  // namespace tlsprobe::reports
