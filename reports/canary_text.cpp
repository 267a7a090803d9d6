#include "reports/canary_text.hpp"

#include <fmt/format.h>

#include "reports/health_text.hpp"

namespace tlsprobe::reports {

std::string canary_text(const CanaryReport& report)
{
    std::string text = fmt::format("canary {}: {} (exit {}); run directory {}\n", report.scenario,
                                   to_string(report.judgement->health), report.exit_code, report.run_dir.string());
    text += health_text(*report.judgement);
    std::string outcomes;
    for (int i = 0; i < prober::outcome_count; ++i) {
        const auto outcome = static_cast<prober::Outcome>(i);
        if (const auto count = report.stats->count(outcome); count != 0) {
            outcomes += fmt::format("{}{} {}", outcomes.empty() ? "" : ", ", to_string(outcome), count);
        }
    }
    text += fmt::format("outcomes: {}\n", outcomes.empty() ? "no probe ran" : outcomes);
    if (report.analysis != nullptr) {
        std::string verdicts;
        for (int i = 0; i < results::verdict_count; ++i) {
            if (const auto count = report.analysis->counts[static_cast<std::size_t>(i)]; count != 0) {
                verdicts += fmt::format("{}{} {}", verdicts.empty() ? "" : ", ",
                                        to_string(static_cast<results::Verdict>(i)), count);
            }
        }
        text += fmt::format("verdicts: {}\n", verdicts);
        for (const auto& finding : report.analysis->findings) {
            text += "  - " + finding + "\n";
        }
    }
    if (report.buckets != nullptr) {
        const auto faulty = report.buckets->faulty_buckets();
        text += faulty.empty() ? fmt::format("no faulty hash bucket under {}\n", report.buckets->model)
                               : fmt::format("faulty hash buckets: {} under {}\n", fmt::join(faulty, ", "),
                                             report.buckets->model);
    }
    if (report.html_report) {
        text += "report: " + report.html_report->string() + "\n";
    }
    return text;
}

}  // namespace tlsprobe::reports
