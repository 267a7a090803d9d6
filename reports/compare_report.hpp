#pragma once
// compare.html: the verdict and its evidence for people: before and after
// rates with their intervals (outcomes, verdicts, hash buckets), and the
// latency CDFs of both runs on one axis.
#include <span>
#include <string>

#include "prober/probe_record.hpp"
#include "results/run_comparison.hpp"

namespace tlsprobe::reports {

struct CompareReportInputs {
    const results::Comparison* comparison = nullptr;
    std::span<const std::string> differences;   // non-empty: compared with `force`
    std::span<const prober::ProbeRecord> before_probes;
    std::span<const prober::ProbeRecord> after_probes;
};

[[nodiscard]] std::string compare_report_html(const CompareReportInputs& inputs);

}  // namespace tlsprobe::reports
