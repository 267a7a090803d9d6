#include "reports/compare_rows.hpp"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

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

}  // namespace

std::string rate_row_name(const results::RateRow& row)
{
    return row.kind == results::RateKind::verdict  ? "verdict " + row.name
           : row.kind == results::RateKind::bucket ? "bucket " + row.name
                                                   : row.name;
}

std::vector<std::string> rate_row_headers()
{
    return {"before", "rate", "95%", "after", "rate", "95%", "diff pt", "p", "Holm p", "change"};
}

std::vector<std::string> rate_row_cells(const results::RateRow& row)
{
    return {fmt::format("{}/{}", row.before, row.before_of), percent(row.before_share()), interval_text(row.before_rate),
            fmt::format("{}/{}", row.after, row.after_of),   percent(row.after_share()),  interval_text(row.after_rate),
            fmt::format("{:+.2f}", 100.0 * row.difference),  results::p_value_text(row.p_value),
            results::p_value_text(row.p_adjusted),           change_text(row.change)};
}

std::vector<std::string> latency_row_headers(double alpha)
{
    return {"before", "median",    "p99",    "after", "median", "p99", "shift", fmt::format("{:.0f}% interval", 100.0 * (1.0 - alpha)),
            "tolerance", "Holm p", "change"};
}

std::vector<std::string> latency_row_cells(const results::LatencyRow& row)
{
    const auto interval = row.shift.low && row.shift.high
                              ? fmt::format("{:+.3f} to {:+.3f}", static_cast<double>(*row.shift.low) / 1e6,
                                            static_cast<double>(*row.shift.high) / 1e6)
                              : std::string("(too few)");
    return {std::to_string(row.before_samples),
            ms(static_cast<double>(row.before_median_ns)),
            ms(static_cast<double>(row.before_p99_ns)),
            std::to_string(row.after_samples),
            ms(static_cast<double>(row.after_median_ns)),
            ms(static_cast<double>(row.after_p99_ns)),
            fmt::format("{:+.3f}", row.shift.estimate / 1e6),
            interval,
            ms(row.tolerance_ns),
            results::p_value_text(row.p_adjusted),
            change_text(row.change)};
}

std::string run_side_text(const results::RunSide& side)
{
    const auto scenario = side.name.empty() && side.sha256.empty()
                              ? std::string("no scenario")
                              : fmt::format("scenario {}, sha256 {}", side.name.empty() ? "(unnamed)" : side.name,
                                            side.sha256.substr(0, 12));
    return fmt::format("{} ({}): {} probes, {} judged, {} failed{}", side.dir, scenario, side.probes, side.judged,
                       side.failed, side.stopped ? ", interrupted" : "");
}

std::string labels_text(const boost::json::object& labels)
{
    std::string text;
    for (const auto& entry : labels) {
        const auto value = entry.value().is_string() ? std::string(entry.value().get_string())
                                                     : boost::json::serialize(entry.value());
        text += (text.empty() ? "" : ", ") + std::string(entry.key()) + "=" + value;
    }
    return text;
}

}  // namespace tlsprobe::reports
